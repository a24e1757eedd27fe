/**
 * Errors of the WAV reader and writer. Reader errors share the base class {@linkcode WavReadError}.
 *
 * @module
 */

/** The machine code of each WAV error: which failure, without parsing the message. */
export type WavErrorCode =
  | "wav_read_failed"
  | "wav_not_found"
  | "not_regular_file"
  | "not_wav"
  | "truncated_wav"
  | "wav_header_too_large"
  | "unsupported_wav_format"
  | "wav_size_limit";

/**
 * Any failure to read a WAV file; the subclasses say what was wrong, and `code` names which.
 *
 * @example Catch every WAV read failure
 * ```ts
 * import assert from "node:assert/strict";
 * import { WavReadError } from "./wav_errors.ts";
 * import { WavReader } from "./wav_reader.ts";
 *
 * try {
 *   await WavReader.open("missing.wav");
 * } catch (error) {
 *   if (!(error instanceof WavReadError)) throw error;
 *   assert.equal(error.code, "wav_not_found");
 *   assert.equal(error.message, "Cannot read WAV 'missing.wav': file not found");
 * }
 * ```
 */
export class WavReadError extends Error {
  /** Stable machine code naming the failure. */
  readonly code: WavErrorCode = "wav_read_failed";
  /** The file that was being read. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path The file that was being read.
   * @param detail What was wrong.
   * @param options The underlying error, if any.
   */
  constructor(path: string, detail: string, options?: ErrorOptions) {
    super(`Cannot read WAV '${path}': ${detail}`, options);
    this.name = "WavReadError";
    this.path = path;
  }
}

/**
 * The WAV file does not exist.
 *
 * @example Tell a missing file from other read failures
 * ```ts
 * import assert from "node:assert/strict";
 * import { WavNotFoundError, WavReadError } from "./wav_errors.ts";
 *
 * const error = new WavNotFoundError("take.wav", new Deno.errors.NotFound());
 * assert.ok(error instanceof WavReadError);
 * assert.equal(error.code, "wav_not_found");
 * assert.equal(error.message, "Cannot read WAV 'take.wav': file not found");
 * ```
 */
export class WavNotFoundError extends WavReadError {
  /** Stable machine code naming the failure. */
  override readonly code = "wav_not_found";
  /**
   * Creates the error.
   *
   * @param path The missing file.
   * @param cause The error from opening it.
   */
  constructor(path: string, cause: unknown) {
    super(path, "file not found", { cause });
    this.name = "WavNotFoundError";
  }
}

/**
 * The path is not a regular file (a FIFO, a device, a directory, a socket): refused before it is
 * opened, since opening or reading it could block or never end.
 *
 * @example Name what the path was instead
 * ```ts
 * import assert from "node:assert/strict";
 * import { WavNotRegularFileError } from "./wav_errors.ts";
 *
 * const error = new WavNotRegularFileError("/dev/zero", "character device");
 * assert.equal(error.code, "not_regular_file");
 * assert.equal(error.found, "character device");
 * ```
 */
export class WavNotRegularFileError extends WavReadError {
  /** Stable machine code naming the failure. */
  override readonly code = "not_regular_file";
  /** What the path names: `"directory"`, `"FIFO"`, `"character device"`, ... */
  readonly found: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param found What the path names instead of a regular file.
   */
  constructor(path: string, found: string) {
    super(path, `it is a ${found}, expected a regular WAV file`);
    this.name = "WavNotRegularFileError";
    this.found = found;
  }
}

/**
 * The headers before the samples are larger than the reader walks through.
 *
 * @example Say how many chunks were walked
 * ```ts
 * import assert from "node:assert/strict";
 * import { WavHeaderTooLargeError } from "./wav_errors.ts";
 *
 * const error = new WavHeaderTooLargeError("big.wav", 64);
 * assert.equal(error.code, "wav_header_too_large");
 * assert.equal(error.maxChunks, 64);
 * ```
 */
export class WavHeaderTooLargeError extends WavReadError {
  /** Stable machine code naming the failure. */
  override readonly code = "wav_header_too_large";
  /** The most chunks read before the `fmt ` and `data` chunks must have been found. */
  readonly maxChunks: number;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param maxChunks The most chunks walked.
   */
  constructor(path: string, maxChunks: number) {
    super(path, `no 'fmt ' and 'data' chunks within the first ${maxChunks} chunks`);
    this.name = "WavHeaderTooLargeError";
    this.maxChunks = maxChunks;
  }
}

/**
 * The file is not RIFF/WAVE data.
 *
 * @example Show what the file starts with
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotWavError } from "./wav_errors.ts";
 *
 * const error = new NotWavError("song.mp3", "'ID3\\x04'");
 * assert.equal(error.code, "not_wav");
 * assert.match(error.message, /not a RIFF\/WAVE file, found 'ID3/);
 * ```
 */
export class NotWavError extends WavReadError {
  /** Stable machine code naming the failure. */
  override readonly code = "not_wav";
  /** What the file starts with, as text where printable. */
  readonly found: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param found What it starts with.
   */
  constructor(path: string, found: string) {
    super(path, `not a RIFF/WAVE file, found ${found}, expected 'RIFF' .... 'WAVE'`);
    this.name = "NotWavError";
    this.found = found;
  }
}

/**
 * The file ends inside its headers or has no `fmt ` or `data` chunk.
 *
 * @example Report the bytes needed and found
 * ```ts
 * import assert from "node:assert/strict";
 * import { TruncatedWavError } from "./wav_errors.ts";
 *
 * const error = new TruncatedWavError("cut.wav", "fmt chunk", 16, 4);
 * assert.equal(error.code, "truncated_wav");
 * assert.equal(error.message, "Cannot read WAV 'cut.wav': truncated fmt chunk: expected 16 bytes, found 4");
 * ```
 */
export class TruncatedWavError extends WavReadError {
  /** Stable machine code naming the failure. */
  override readonly code = "truncated_wav";
  /** What was being read, e.g. `"fmt chunk"`. */
  readonly section: string;
  /** Bytes needed. */
  readonly expectedBytes: number;
  /** Bytes available. */
  readonly actualBytes: number;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param section What was being read.
   * @param expectedBytes Bytes needed.
   * @param actualBytes Bytes available.
   */
  constructor(path: string, section: string, expectedBytes: number, actualBytes: number) {
    super(
      path,
      `truncated ${section}: expected ${expectedBytes} bytes, found ${actualBytes}`,
    );
    this.name = "TruncatedWavError";
    this.section = section;
    this.expectedBytes = expectedBytes;
    this.actualBytes = actualBytes;
  }
}

/**
 * The `fmt ` chunk describes an encoding this reader does not decode, or is inconsistent.
 *
 * @example List the encodings that would do
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsupportedWavFormatError } from "./wav_errors.ts";
 *
 * const error = new UnsupportedWavFormatError("a.wav", "8-bit PCM", 1, 8, ["pcm16", "float32"]);
 * assert.equal(error.code, "unsupported_wav_format");
 * assert.deepEqual(error.supported, ["pcm16", "float32"]);
 * ```
 */
export class UnsupportedWavFormatError extends WavReadError {
  /** Stable machine code naming the failure. */
  override readonly code = "unsupported_wav_format";
  /** The format tag found (for `WAVE_FORMAT_EXTENSIBLE`, the sub-format's tag). */
  readonly formatTag: number;
  /** The bits per sample found. */
  readonly bitsPerSample: number;
  /** The encodings that are supported. */
  readonly supported: readonly string[];

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param detail What is unsupported and what would be.
   * @param formatTag The format tag found.
   * @param bitsPerSample The bits per sample found.
   * @param supported The supported encodings.
   */
  constructor(
    path: string,
    detail: string,
    formatTag: number,
    bitsPerSample: number,
    supported: readonly string[],
  ) {
    super(path, detail);
    this.name = "UnsupportedWavFormatError";
    this.formatTag = formatTag;
    this.bitsPerSample = bitsPerSample;
    this.supported = supported;
  }
}

/**
 * A write that would grow a WAV file past the 4 GiB RIFF size limit.
 *
 * @example Catch a write past the limit
 * ```ts
 * import assert from "node:assert/strict";
 * import { WavSizeLimitError } from "./wav_errors.ts";
 *
 * const error = new WavSizeLimitError("long.wav", 4_294_967_259);
 * assert.ok(error instanceof RangeError);
 * assert.equal(error.code, "wav_size_limit");
 * assert.equal(error.maxDataBytes, 4_294_967_259);
 * ```
 */
export class WavSizeLimitError extends RangeError {
  /** Stable machine code naming the failure. */
  readonly code: WavErrorCode = "wav_size_limit";
  /** The file being written. */
  readonly path: string;
  /** The most sample bytes the file can hold. */
  readonly maxDataBytes: number;

  /**
   * Creates the error.
   *
   * @param path The file being written.
   * @param maxDataBytes The most sample bytes the file can hold.
   */
  constructor(path: string, maxDataBytes: number) {
    super(
      `Cannot write WAV '${path}': the data chunk would exceed the RIFF limit of ${maxDataBytes} bytes`,
    );
    this.name = "WavSizeLimitError";
    this.path = path;
    this.maxDataBytes = maxDataBytes;
  }
}
