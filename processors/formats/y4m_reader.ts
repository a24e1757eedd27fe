/**
 * A YUV4MPEG2 (`.y4m`) reader for 8-bit 4:2:0 video.
 *
 * @module
 */

import { readFull } from "./file_io.ts";
import { openRegularFile } from "./regular_file.ts";
import {
  TruncatedY4mFrameError,
  Y4mHeaderError,
  Y4mNotFoundError,
  Y4mNotRegularFileError,
  Y4mReadError,
} from "./_y4m_errors.ts";
import { parseY4mHeader, y4mFrameByteLength, type Y4mHeader } from "./y4m_header.ts";

const MAX_HEADER_BYTES = 4096;
const FRAME = [0x46, 0x52, 0x41, 0x4d, 0x45]; // "FRAME"
const NEWLINE = 0x0a;
const SPACE = 0x20;

/**
 * Reads the frames of a YUV4MPEG2 file into caller buffers as I420 (Y, U, V planes; chroma at
 * `ceil(width / 2) x ceil(height / 2)`). Accepts `C420jpeg`, `C420`, `C420mpeg2` and `C420paldv`
 * (and no `C`, which means `420jpeg`); frame parameters after `FRAME` are skipped. Frames come out
 * in limited range (luma 16-235, chroma 16-240, what this library's conversions take): a file whose
 * header says `XCOLORRANGE=FULL` (FFmpeg's `yuvj420p`) is scaled to it as it is read
 * ({@linkcode Y4mReader.fullRange}).
 *
 * @example Read back frames written by Y4mWriter
 * ```ts
 * import assert from "node:assert/strict";
 * import { Y4mReader } from "./y4m_reader.ts";
 * import { Y4mWriter } from "./y4m_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/grey.y4m`;
 * const writer = await Y4mWriter.create(path, { width: 4, height: 2 });
 * await writer.writeFrame(new Uint8Array(12).fill(128));
 * await writer.close();
 *
 * await using reader = await Y4mReader.open(path);
 * const frame = new Uint8Array(reader.frameByteLength);
 * assert.equal(reader.header.width, 4);
 * assert.ok(await reader.readFrame(frame));
 * assert.equal(frame[0], 128);
 * assert.equal(await reader.readFrame(frame), false);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class Y4mReader {
  /** The file being read. */
  readonly path: string;
  /** The stream header. */
  readonly header: Y4mHeader;
  /** Bytes of one frame's pixels. */
  readonly frameByteLength: number;
  /** Whether the file is full range (`XCOLORRANGE=FULL`): its frames are scaled to limited range. */
  readonly fullRange: boolean;
  readonly #file: Deno.FsFile;
  readonly #frameHeader = new Uint8Array(6);
  /** Read ahead over a `FRAME` line's parameters; allocated for the first one. */
  #parameters: Uint8Array | undefined;
  readonly #size: number;
  #position: number;
  #frames = 0;
  #closed = false;

  private constructor(
    path: string,
    file: Deno.FsFile,
    header: Y4mHeader,
    at: { position: number; size: number },
  ) {
    this.path = path;
    this.#file = file;
    this.header = header;
    this.frameByteLength = y4mFrameByteLength(header.width, header.height);
    this.fullRange = header.extensions.some((x) => x.toUpperCase() === "COLORRANGE=FULL");
    this.#position = at.position;
    this.#size = at.size;
  }

  /**
   * Opens `path` and parses the stream header (at most 4096 bytes are read for it). The path must
   * name a regular file: a folder, FIFO or device is refused before it is opened, so a FIFO with
   * no writer never blocks.
   *
   * @param path The Y4M file.
   * @returns A reader positioned at the first frame.
   * @throws {Y4mNotFoundError} When the file does not exist.
   * @throws {Y4mNotRegularFileError} When the path names a folder, FIFO, device or socket.
   * @throws {Y4mHeaderError} When the stream header is missing, malformed or incomplete.
   * @throws {UnsupportedY4mColorspaceError} When the colour space is not 8-bit 4:2:0.
   */
  static async open(path: string): Promise<Y4mReader> {
    let file: Deno.FsFile;
    try {
      file = await openRegularFile(path, (kind) => new Y4mNotRegularFileError(path, kind));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new Y4mNotFoundError(path, error);
      if (error instanceof Y4mReadError) throw error;
      throw new Y4mReadError(path, `it cannot be opened (${(error as Error).message})`, {
        cause: error,
      });
    }
    try {
      const chunk = new Uint8Array(MAX_HEADER_BYTES);
      const n = await readFull(file, chunk);
      const end = chunk.subarray(0, n).indexOf(NEWLINE);
      if (end < 0) {
        const found = new TextDecoder().decode(chunk.subarray(0, Math.min(n, 16)));
        if (!found.startsWith("YUV4MPEG2")) {
          throw new Y4mHeaderError(
            path,
            `not a YUV4MPEG2 stream, found '${found}', expected 'YUV4MPEG2 '`,
            found,
          );
        }
        throw new Y4mHeaderError(
          path,
          `stream header has no newline in its first ${n} bytes`,
          found,
        );
      }
      const header = parseY4mHeader(new TextDecoder().decode(chunk.subarray(0, end)), path);
      await file.seek(end + 1, Deno.SeekMode.Start);
      const size = (await file.stat()).size;
      return new Y4mReader(path, file, header, { position: end + 1, size });
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Frames read so far. */
  get framesRead(): number {
    return this.#frames;
  }

  /**
   * Whether the reader is at the end of the file as it was when opened: the frame just read was
   * the last (so a source can say end of stream with it, not one call later).
   */
  get atEnd(): boolean {
    return this.#position >= this.#size;
  }

  /**
   * Reads the next frame's pixels into `out`.
   *
   * @param out At least {@linkcode Y4mReader.frameByteLength} bytes.
   * @returns `true` when a frame was read, `false` at the end of the file.
   * @throws {TruncatedY4mFrameError} When the file ends inside a frame.
   * @throws {Y4mHeaderError} When the next bytes are not a `FRAME` header.
   * @throws {Y4mReadError} When the reader is closed.
   * @throws {RangeError} When `out` is too short.
   */
  async readFrame(out: Uint8Array): Promise<boolean> {
    if (this.#closed) throw new Y4mReadError(this.path, "the reader is closed");
    if (out.length < this.frameByteLength) {
      throw new RangeError(
        `Cannot read Y4M '${this.path}': the frame buffer has ${out.length} bytes, expected at least ${this.frameByteLength}`,
      );
    }
    const index = this.#frames;
    const head = this.#frameHeader;
    const got = await readFull(this.#file, head);
    this.#position += got;
    if (got === 0) return false;
    if (got < head.length) {
      throw new TruncatedY4mFrameError(this.path, index, "header", head.length, got);
    }
    if (!FRAME.every((b, i) => head[i] === b) || (head[5] !== NEWLINE && head[5] !== SPACE)) {
      const found = JSON.stringify(new TextDecoder().decode(head));
      throw new Y4mHeaderError(
        this.path,
        `frame ${index} does not start with 'FRAME', found ${found}`,
        found,
      );
    }
    if (head[5] === SPACE) await this.#skipFrameParameters(index);
    const pixels = this.frameByteLength === out.length
      ? out
      : out.subarray(0, this.frameByteLength);
    const n = await readFull(this.#file, pixels);
    this.#position += n;
    if (n < this.frameByteLength) {
      throw new TruncatedY4mFrameError(this.path, index, "pixels", this.frameByteLength, n);
    }
    if (this.fullRange) toLimitedRange(pixels, this.header.width * this.header.height);
    this.#frames++;
    return true;
  }

  /** Closes the file. Calling it again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  /** Closes the reader, as {@linkcode Y4mReader.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /**
   * Moves past the parameters of a `FRAME` line (after `FRAME `) to its newline: one read of up to
   * 4096 bytes and a seek back, not a read per byte (a file with long frame parameters made that
   * 4000 reads a frame).
   */
  async #skipFrameParameters(index: number): Promise<void> {
    const buffer = this.#parameters ??= new Uint8Array(MAX_HEADER_BYTES);
    const got = await readFull(this.#file, buffer);
    const end = buffer.subarray(0, got).indexOf(NEWLINE);
    if (end < 0) {
      this.#position += got;
      if (got < buffer.length) {
        throw new TruncatedY4mFrameError(this.path, index, "header", 7 + got, 6 + got);
      }
      throw new Y4mHeaderError(
        this.path,
        `frame ${index} header has no newline in ${MAX_HEADER_BYTES} bytes`,
        "FRAME ",
      );
    }
    this.#position += end + 1;
    if (end + 1 < got) await this.#file.seek(this.#position, Deno.SeekMode.Start);
  }
}

/** Full-range luma (0-255) to limited (16-235), rounded: `16 + y * 219 / 255`. */
const LUMA_TO_LIMITED = Uint8Array.from(
  { length: 256 },
  (_, y) => Math.round(16 + (y * 219) / 255),
);
/** Full-range chroma (0-255 around 128) to limited (16-240): `128 + (c - 128) * 224 / 255`. */
const CHROMA_TO_LIMITED = Uint8Array.from(
  { length: 256 },
  (_, c) => Math.round(128 + ((c - 128) * 224) / 255),
);

/** Scales an I420 frame from full to limited range in place; `lumaBytes` is `width * height`. */
function toLimitedRange(pixels: Uint8Array, lumaBytes: number): void {
  for (let i = 0; i < lumaBytes; i++) pixels[i] = LUMA_TO_LIMITED[pixels[i]];
  for (let i = lumaBytes; i < pixels.length; i++) pixels[i] = CHROMA_TO_LIMITED[pixels[i]];
}
