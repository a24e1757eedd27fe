/**
 * Errors of file writers given frames they cannot record (instead of dropping them silently).
 *
 * @module
 */

/**
 * A writer got audio at a sample rate other than its file's (writers do not resample; an
 * `AudioResampler` in front does): the node fails (per its `onError` policy) rather than write a
 * file of nothing.
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { SampleRateMismatchError } from "./writer_errors.ts";
 *
 * const error = new SampleRateMismatchError("take.wav", 48000, 44100);
 * assert.equal(error.code, "sample_rate_mismatch");
 * assert.match(error.message, /44100 Hz.*48000 Hz/);
 * ```
 */
export class SampleRateMismatchError extends Error {
  /** Stable machine code. */
  readonly code = "sample_rate_mismatch";
  /** The file. */
  readonly path: string;
  /** The file's sample rate (the writer's config). */
  readonly expected: number;
  /** The sample rate of the block that arrived. */
  readonly received: number;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param expected The file's sample rate.
   * @param received The block's sample rate.
   */
  constructor(path: string, expected: number, received: number) {
    super(
      `Cannot record ${path}: a block arrived at ${received} Hz but the file is ${expected} Hz; put an AudioResampler (sampleRate ${expected}) in front, or set sampleRate to ${received}`,
    );
    this.name = "SampleRateMismatchError";
    this.path = path;
    this.expected = expected;
    this.received = received;
  }
}

/**
 * A writer got a video frame it cannot convert to its file's format and size (an odd size for a
 * 4:2:0 format, or a payload shorter than its size).
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnconvertibleFrameError } from "./writer_errors.ts";
 *
 * const error = new UnconvertibleFrameError("take.y4m", "I420 641x360", "an odd width");
 * assert.equal(error.code, "unconvertible_frame");
 * ```
 */
export class UnconvertibleFrameError extends Error {
  /** Stable machine code. */
  readonly code = "unconvertible_frame";
  /** The file. */
  readonly path: string;
  /** The frame that arrived (`format WxH`). */
  readonly frame: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param frame The frame that arrived, as `format WxH`.
   * @param reason Why it cannot be converted.
   */
  constructor(path: string, frame: string, reason: string) {
    super(`Cannot record ${path}: a ${frame} frame cannot be converted (${reason})`);
    this.name = "UnconvertibleFrameError";
    this.path = path;
    this.frame = frame;
  }
}

/**
 * A writer's path names something other than a regular file: a FIFO (opening it for writing
 * would wait for a reader forever), a device, a folder or a socket. Writers refuse it in
 * `setup()`, before opening it.
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotRegularFileTargetError } from "./writer_errors.ts";
 *
 * const error = new NotRegularFileTargetError("/tmp/pipe.wav", "FIFO");
 * assert.equal(error.code, "not_regular_file");
 * assert.match(error.message, /it is a FIFO/);
 * ```
 */
export class NotRegularFileTargetError extends Error {
  /** Stable machine code (the same as the file sources' for a path that is not a file). */
  readonly code = "not_regular_file";
  /** The path. */
  readonly path: string;
  /** What the path names instead. */
  readonly found: string;

  /**
   * Creates the error.
   *
   * @param path The path.
   * @param found What it names (`FIFO`, `character device`, `directory`, ...).
   */
  constructor(path: string, found: string) {
    super(
      `Cannot record to '${path}': it is a ${found}, not a regular file; give a file path (a new one is created)`,
    );
    this.name = "NotRegularFileTargetError";
    this.path = path;
    this.found = found;
  }
}

/**
 * A recording's file could not be created or written: its folder is missing, the disk is full,
 * the file system is read-only or failed. Names the file and what the system said; `code` is
 * `write_failed`. (A refusal of Deno's permissions keeps its own error, whose code is
 * `permission_denied`.)
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordingWriteError } from "./writer_errors.ts";
 *
 * const error = new RecordingWriteError("/mnt/full/take.wav", "the disk is full (No space left on device (os error 28)) after 65324 bytes");
 * assert.equal(error.code, "write_failed");
 * assert.match(error.message, /^Cannot record to '\/mnt\/full\/take\.wav': the disk is full/);
 * ```
 */
export class RecordingWriteError extends Error {
  /** Stable machine code. */
  readonly code = "write_failed";
  /** The file. */
  readonly path: string;
  /** What went wrong, in words. */
  readonly reason: string;

  /**
   * Names the file and what went wrong.
   *
   * @param path The file.
   * @param reason What went wrong, in words.
   * @param options The system's error as `cause`.
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot record to '${path}': ${reason}`, options);
    this.name = "RecordingWriteError";
    this.path = path;
    this.reason = reason;
  }
}

/**
 * The error to throw for a failed create or write of a recording: the system's error as a
 * {@linkcode RecordingWriteError} naming the file, or the error as it is when it already has a code
 * or is a refusal of permissions (Deno's `NotCapable`, the system's `PermissionDenied`: both get
 * the code `permission_denied` as they are).
 *
 * @param path The file.
 * @param doing What failed: `"creating it"`, `"writing it"` ...
 * @param error What was thrown.
 * @returns The error to throw.
 *
 * @example A full disk
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingWriteError } from "./writer_errors.ts";
 *
 * const full = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * const error = recordingWriteError("take.y4m", "writing frame 12", full);
 * assert.equal((error as { code?: string }).code, "write_failed");
 * assert.equal(
 *   (error as Error).message,
 *   "Cannot record to 'take.y4m': writing frame 12 failed: the disk is full (No space left on device (os error 28))",
 * );
 * ```
 */
export function recordingWriteError(path: string, doing: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === "NotCapable" || error.name === "PermissionDenied") return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^[a-z][a-z0-9_]*$/.test(code)) return error; // typed already
  if (error instanceof Deno.errors.NotFound) {
    return new RecordingWriteError(path, `${doing} failed: its folder does not exist`, {
      cause: error,
    });
  }
  if (error instanceof Deno.errors.NotADirectory) {
    return new RecordingWriteError(path, `${doing} failed: a folder in its path is a file`, {
      cause: error,
    });
  }
  const full = code === "ENOSPC" || code === "EDQUOT" ? "the disk is full" : "";
  const said = full ? `${full} (${error.message})` : error.message;
  return new RecordingWriteError(path, `${doing} failed: ${said}`, { cause: error });
}
