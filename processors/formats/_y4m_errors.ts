/**
 * Errors of the YUV4MPEG2 reader. They share the base class {@linkcode Y4mReadError}.
 *
 * Internal (`_`): only `Y4mFileSource`'s `setup()` and `process()` throw them, so they reach
 * callers as a `node-error` event's `name`, `code` and `message`, never as an instance, and this
 * module loads with the first Y4M node (`import()` in `setup()`), not with `./processors`.
 *
 * @module
 */

/** Stable machine codes of {@linkcode Y4mReadError} and its subclasses. */
export type Y4mReadErrorCode =
  | "unreadable"
  | "not_found"
  | "not_regular_file"
  | "bad_header"
  | "unsupported_colorspace"
  | "truncated_frame";

/**
 * Any failure to read a YUV4MPEG2 file; the subclasses say what was wrong, and `code` says it for
 * programs.
 *
 * @example Catch every Y4M read failure
 * ```ts
 * import assert from "node:assert/strict";
 * import { Y4mReadError } from "./_y4m_errors.ts";
 * import { Y4mReader } from "./y4m_reader.ts";
 *
 * await assert.rejects(
 *   () => Y4mReader.open("missing.y4m"),
 *   (error) => {
 *     assert.ok(error instanceof Y4mReadError);
 *     assert.equal(error.code, "not_found");
 *     assert.equal(error.message, "Cannot read Y4M 'missing.y4m': file not found");
 *     return true;
 *   },
 * );
 * ```
 */
export class Y4mReadError extends Error {
  /** The file that was being read. */
  readonly path: string;
  /** What was wrong, for programs. */
  readonly code: Y4mReadErrorCode;

  /**
   * Creates the error.
   *
   * @param path The file that was being read.
   * @param detail What was wrong.
   * @param options The underlying error, if any, and the code (default `unreadable`).
   */
  constructor(path: string, detail: string, options?: ErrorOptions & { code?: Y4mReadErrorCode }) {
    super(`Cannot read Y4M '${path}': ${detail}`, options);
    this.name = "Y4mReadError";
    this.path = path;
    this.code = options?.code ?? "unreadable";
  }
}

/** The Y4M file does not exist. */
export class Y4mNotFoundError extends Y4mReadError {
  /**
   * Creates the error.
   *
   * @param path The missing file.
   * @param cause The error from opening it.
   */
  constructor(path: string, cause: unknown) {
    super(path, "file not found", { cause, code: "not_found" });
    this.name = "Y4mNotFoundError";
  }
}

/**
 * The path names a folder, a FIFO, a device or another file that is not a regular file: refused
 * before it is opened (a FIFO with no writer would block, a device would never end).
 */
export class Y4mNotRegularFileError extends Y4mReadError {
  /** What the path names: `"directory"`, `"FIFO"`, `"character device"`, ... */
  readonly found: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param found What the path names.
   */
  constructor(path: string, found: string) {
    super(path, `it is a ${found}, expected a regular .y4m file`, { code: "not_regular_file" });
    this.name = "Y4mNotRegularFileError";
    this.found = found;
  }
}

/** A stream or frame header that is missing, malformed or out of range. */
export class Y4mHeaderError extends Y4mReadError {
  /** The offending text (a header, a parameter or the bytes where `FRAME` should be). */
  readonly found: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param detail What is wrong and what was expected.
   * @param found The offending text.
   */
  constructor(path: string, detail: string, found: string) {
    super(path, detail, { code: "bad_header" });
    this.name = "Y4mHeaderError";
    this.found = found;
  }
}

/** A colour space (`C` parameter) other than 8-bit 4:2:0. */
export class UnsupportedY4mColorspaceError extends Y4mReadError {
  /** The colour space found, e.g. `"422"`. */
  readonly colorspace: string;
  /** The colour spaces that are supported. */
  readonly supported: readonly string[];

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param colorspace The colour space found.
   * @param supported The supported colour spaces.
   */
  constructor(path: string, colorspace: string, supported: readonly string[]) {
    super(
      path,
      `unsupported colour space C${colorspace}, expected one of ${
        supported.map((c) => `C${c}`).join(", ")
      } (8-bit 4:2:0)`,
      { code: "unsupported_colorspace" },
    );
    this.name = "UnsupportedY4mColorspaceError";
    this.colorspace = colorspace;
    this.supported = supported;
  }
}

/** The file ends inside a frame. */
export class TruncatedY4mFrameError extends Y4mReadError {
  /** Index of the incomplete frame, from 0. */
  readonly frameIndex: number;
  /** Bytes the frame needs (header or pixels). */
  readonly expectedBytes: number;
  /** Bytes that were there. */
  readonly actualBytes: number;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param frameIndex Index of the incomplete frame.
   * @param part `"header"` or `"pixels"`.
   * @param expectedBytes Bytes needed.
   * @param actualBytes Bytes present.
   */
  constructor(
    path: string,
    frameIndex: number,
    part: "header" | "pixels",
    expectedBytes: number,
    actualBytes: number,
  ) {
    super(
      path,
      `frame ${frameIndex} is truncated: expected ${expectedBytes} ${part} bytes, found ${actualBytes}`,
      { code: "truncated_frame" },
    );
    this.name = "TruncatedY4mFrameError";
    this.frameIndex = frameIndex;
    this.expectedBytes = expectedBytes;
    this.actualBytes = actualBytes;
  }
}
