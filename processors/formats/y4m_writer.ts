/**
 * A YUV4MPEG2 (`.y4m`) writer for I420 frames.
 *
 * @module
 */

import { refuseNonRegularTarget } from "./regular_file.ts";
import { writeAll } from "./file_io.ts";
import {
  formatY4mHeader,
  type Rational,
  type Y4mColorspace,
  y4mFrameByteLength,
  type Y4mInterlace,
} from "./y4m_header.ts";
import { WriterClosedError } from "./writer_closed_error.ts";
import { recordingWriteError } from "./writer_errors.ts";

/** Options for {@linkcode Y4mWriter.create}. */
export interface Y4mWriterOptions {
  /** Width in pixels, 1 to 65536. */
  width: number;
  /** Height in pixels, 1 to 65536. */
  height: number;
  /** Frames per second. Defaults to 30/1. */
  frameRate?: Rational;
  /** Pixel aspect ratio. Defaults to 1:1. */
  pixelAspect?: Rational;
  /** Interlacing. Defaults to `"p"` (progressive). */
  interlace?: Y4mInterlace;
  /** Chroma siting label. Defaults to `"420jpeg"` (centred, as `convertFrame` produces). */
  colorspace?: Y4mColorspace;
}

const FRAME_HEADER = new TextEncoder().encode("FRAME\n");

/**
 * Writes I420 frames to a YUV4MPEG2 file: the stream header at creation, then a `FRAME` line and
 * the Y, U and V planes per frame. Every frame is complete in the file once its
 * {@linkcode Y4mWriter.writeFrame} promise settles.
 *
 * Calls are queued and run in order, but the caller must not change a frame until its promise
 * settles.
 *
 * @example Write ten frames of the test pattern
 * ```ts
 * import assert from "node:assert/strict";
 * import { Y4mWriter } from "./y4m_writer.ts";
 * import { TestPatternRenderer } from "../video/test_pattern.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/bars.y4m`;
 * const pattern = new TestPatternRenderer("I420", 64, 48);
 * const frame = new Uint8Array(pattern.byteLength);
 * await using writer = await Y4mWriter.create(path, { width: 64, height: 48 });
 * for (let n = 0; n < 10; n++) {
 *   pattern.render(n, frame);
 *   await writer.writeFrame(frame);
 * }
 * await writer.close();
 * assert.equal((await Deno.stat(path)).size, 46181); // 41-byte header + 10 x (6 + 4608)
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class Y4mWriter {
  /** The file being written. */
  readonly path: string;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Bytes of one frame's pixels. */
  readonly frameByteLength: number;
  readonly #file: Deno.FsFile;
  #frames = 0;
  /** Bytes of the header and the whole frames written: where the file ends. */
  #bytes: number;
  #queue: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  private constructor(
    path: string,
    file: Deno.FsFile,
    width: number,
    height: number,
    headerBytes: number,
  ) {
    this.path = path;
    this.#file = file;
    this.#bytes = headerBytes;
    this.width = width;
    this.height = height;
    this.frameByteLength = y4mFrameByteLength(width, height);
  }

  /**
   * Creates (or truncates) `path` and writes the stream header.
   *
   * @param path The file to write.
   * @param options Size, frame rate, aspect, interlacing and chroma siting.
   * @returns The open writer.
   * @throws {RangeError} When a size or ratio is not a positive integer.
   * @throws {NotRegularFileTargetError} When `path` is a FIFO, device, folder or socket.
   * @throws {RecordingWriteError} When the file cannot be created or its header written (no such
   *   folder, a full or read-only disk; code `write_failed`).
   */
  static async create(path: string, options: Y4mWriterOptions): Promise<Y4mWriter> {
    const {
      width,
      height,
      frameRate = { numerator: 30, denominator: 1 },
      pixelAspect = { numerator: 1, denominator: 1 },
      interlace = "p",
      colorspace = "420jpeg",
    } = options;
    const fail = (detail: string) => new RangeError(`Cannot create Y4M '${path}': ${detail}`);
    for (const [name, value] of [["width", width], ["height", height]] as const) {
      if (!Number.isInteger(value) || value <= 0 || value > 65536) {
        throw fail(`${name} must be an integer from 1 to 65536, got ${value}`);
      }
    }
    for (const [name, r] of [["frameRate", frameRate], ["pixelAspect", pixelAspect]] as const) {
      if (
        !Number.isInteger(r.numerator) || !Number.isInteger(r.denominator) || r.numerator <= 0 ||
        r.denominator <= 0
      ) {
        throw fail(
          `${name} must be a ratio of positive integers, got ${r.numerator}:${r.denominator}`,
        );
      }
    }
    const header = formatY4mHeader({
      width,
      height,
      frameRate,
      pixelAspect,
      interlace,
      colorspace,
      extensions: [],
    });
    await refuseNonRegularTarget(path); // a FIFO would block the open; a device is no file
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, create: true, truncate: true });
    } catch (error) {
      throw recordingWriteError(path, "creating it", error);
    }
    const headerBytes = new TextEncoder().encode(header);
    try {
      await writeAll(file, headerBytes);
    } catch (error) {
      file.close();
      throw recordingWriteError(path, "writing its header", error);
    }
    return new Y4mWriter(path, file, width, height, headerBytes.length);
  }

  /** Frames written so far. */
  get framesWritten(): number {
    return this.#frames;
  }

  /**
   * Appends one I420 frame.
   *
   * @param frame The Y, U and V planes, at least {@linkcode Y4mWriter.frameByteLength} bytes
   * (only that many are written).
   * @throws {WriterClosedError} When the writer is closed.
   * @throws {RangeError} When `frame` is too short.
   * @throws {RecordingWriteError} When the system refuses the write (a full disk: code
   *   `write_failed`); the file is cut back to its last whole frame.
   */
  writeFrame(frame: Uint8Array): Promise<void> {
    if (this.#closing) return Promise.reject(new WriterClosedError("Y4M", this.path));
    if (frame.length < this.frameByteLength) {
      return Promise.reject(
        new RangeError(
          `Cannot write Y4M '${this.path}': the frame has ${frame.length} bytes, expected ${this.frameByteLength} for ${this.width}x${this.height} I420`,
        ),
      );
    }
    const pixels = frame.length === this.frameByteLength
      ? frame
      : frame.subarray(0, this.frameByteLength);
    const task = this.#queue.then(async () => {
      try {
        await writeAll(this.#file, FRAME_HEADER);
        await writeAll(this.#file, pixels);
      } catch (error) {
        // Part of the frame may be in the file (a disk that filled up mid-write): cut it off, so
        // the file ends with its last whole frame and a later frame does not land inside this one.
        try {
          await this.#file.truncate(this.#bytes);
          await this.#file.seek(0, Deno.SeekMode.End);
        } catch {
          // The write's own error is the one to report.
        }
        throw recordingWriteError(this.path, `writing frame ${this.#frames}`, error);
      }
      this.#frames++;
      this.#bytes += FRAME_HEADER.length + pixels.length;
    });
    this.#queue = task.catch(() => {});
    return task;
  }

  /** Finishes pending writes and closes the file. Calling it again returns the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#queue.then(() => this.#file.close());
    return this.#closing;
  }

  /** Closes the writer, as {@linkcode Y4mWriter.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
