/**
 * The error for using a media file writer after `close()`.
 *
 * @module
 */

/**
 * A write to a media file writer that was already closed.
 *
 * @example Describe a late write
 * ```ts
 * import assert from "node:assert/strict";
 * import { WriterClosedError } from "./writer_closed_error.ts";
 *
 * assert.equal(
 *   new WriterClosedError("WAV", "take.wav").message,
 *   "Cannot write WAV 'take.wav': the writer is closed",
 * );
 * ```
 */
export class WriterClosedError extends Error {
  /** The file format of the writer. */
  readonly format: "WAV" | "Y4M";
  /** The file the writer wrote. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param format The file format of the writer.
   * @param path The file the writer wrote.
   */
  constructor(format: "WAV" | "Y4M", path: string) {
    super(`Cannot write ${format} '${path}': the writer is closed`);
    this.name = "WriterClosedError";
    this.format = format;
    this.path = path;
  }
}
