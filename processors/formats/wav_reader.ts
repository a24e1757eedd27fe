/**
 * A WAV file reader that decodes blocks of interleaved float samples.
 *
 * @module
 */

import { readFull } from "./file_io.ts";
import { openRegularFile } from "./regular_file.ts";
import { decodeSamples } from "./pcm_codec.ts";
import { parseWavFmt, type WavFormat } from "./wav_format.ts";
import {
  NotWavError,
  TruncatedWavError,
  WavHeaderTooLargeError,
  WavNotFoundError,
  WavNotRegularFileError,
  WavReadError,
} from "./wav_errors.ts";

/** What a WAV file holds. */
export interface WavInfo extends WavFormat {
  /** Bytes per frame (all channels of one sample instant). */
  readonly blockAlign: number;
  /** Frames in the `data` chunk (whole frames present in the file). */
  readonly frameCount: number;
  /** `frameCount / sampleRate`, in seconds. */
  readonly duration: number;
  /** Byte offset of the first sample. */
  readonly dataOffset: number;
  /**
   * Whether the file ends before the size its `data` chunk declares (a recording cut off before
   * its header was finished); `frameCount` then counts the frames actually present.
   */
  readonly truncated: boolean;
  /**
   * The size the `data` chunk declares, in bytes: 0xFFFFFFFF (4294967295) from a writer that
   * streamed and never came back to fill it in.
   */
  readonly declaredDataBytes: number;
}

/** Bytes read from the file at a time (rounded down to whole frames): blocks are served from it. */
const READ_CHUNK_BYTES = 256 * 1024;
/** The most RIFF chunks walked looking for `fmt ` and `data` (headers are read by seeking). */
export const MAX_WAV_HEADER_CHUNKS = 256;

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** `'RIFF'` for printable ASCII, hex bytes otherwise. */
function describe(bytes: Uint8Array): string {
  if (bytes.length === 0) return "an empty file";
  return bytes.every((b) => b >= 0x20 && b < 0x7f)
    ? `'${text(bytes)}'`
    : `bytes ${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ")}`;
}

/**
 * Reads RIFF/WAVE files, and RF64/BW64 (WAV past 4 GiB): PCM 8, 16, 24 and 32-bit and IEEE float
 * 32 and 64-bit, plain or `WAVE_FORMAT_EXTENSIBLE`, with any chunks besides `fmt ` and `data`
 * skipped.
 *
 * {@linkcode WavReader.read} decodes the next frames as interleaved `Float32Array` samples into
 * the caller's buffer; the file is read ahead 256 KiB at a time into one internal byte buffer (a
 * read of a few thousand frames is usually no file call at all).
 *
 * @example Read a file written by WavWriter
 * ```ts
 * import assert from "node:assert/strict";
 * import { WavReader } from "./wav_reader.ts";
 * import { WavWriter } from "./wav_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/ramp.wav`;
 * const writer = await WavWriter.create(path, { sampleRate: 8_000, channels: 1, sampleFormat: "float32" });
 * await writer.write(new Float32Array([0, 0.25, 0.5, 0.75]));
 * await writer.close();
 *
 * await using reader = await WavReader.open(path);
 * const { encoding, bitsPerSample, frameCount } = reader.info;
 * assert.deepEqual([encoding, bitsPerSample, frameCount], ["float", 32, 4]);
 * const block = new Float32Array(3);
 * assert.equal(await reader.read(block), 3);
 * assert.deepEqual(Array.from(block), [0, 0.25, 0.5]);
 * assert.equal(await reader.read(block), 1);
 * assert.equal(block[0], 0.75);
 * assert.equal(await reader.read(block), 0); // the end
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class WavReader {
  /** The file being read. */
  readonly path: string;
  /** The format and extent of the samples. */
  readonly info: WavInfo;
  readonly #file: Deno.FsFile;
  readonly #buffer: Uint8Array;
  readonly #view: DataView;
  /** Frames read ahead into `#buffer` and not yet decoded, starting at byte `#bufferStart`. */
  #buffered = 0;
  #bufferStart = 0;
  #position = 0;
  #closed = false;

  private constructor(path: string, file: Deno.FsFile, info: WavInfo) {
    this.path = path;
    this.#file = file;
    this.info = info;
    const frames = Math.max(1, Math.floor(READ_CHUNK_BYTES / info.blockAlign));
    this.#buffer = new Uint8Array(frames * info.blockAlign);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /**
   * Opens `path` and parses its headers. The path must be a regular file (after symlinks): a FIFO,
   * device or directory is refused before it is opened, so opening never blocks. Headers are
   * walked by seeking, one 8-byte chunk header at a time, through at most
   * {@linkcode MAX_WAV_HEADER_CHUNKS} chunks; only the `fmt ` chunk (at most 1024 bytes) is read.
   * The first `fmt ` and the first `data` chunk count, as FFmpeg and SoX read them: a later one is
   * skipped like any unknown chunk (a file with two `data` chunks plays the first). A `data` chunk
   * declaring more bytes than the file holds (0xFFFFFFFF from a streaming writer, or a recording
   * cut off) gives the whole frames present, with {@linkcode WavInfo.truncated} set; a partial
   * last frame is left out. RF64 and BW64 files (WAV past 4 GiB) are read with the `data` size of
   * their `ds64` chunk.
   *
   * @param path The WAV file.
   * @returns A reader positioned at the first frame.
   * @throws {WavNotFoundError} When the file does not exist.
   * @throws {WavNotRegularFileError} When the path is not a regular file (code `not_regular_file`).
   * @throws {WavHeaderTooLargeError} When `fmt ` and `data` are not within the first chunks.
   * @throws {NotWavError} When it does not start with `RIFF` .... `WAVE`.
   * @throws {TruncatedWavError} When it ends inside a header or has no `fmt ` or `data` chunk.
   * @throws {UnsupportedWavFormatError} When the encoding is not supported.
   * @throws {WavReadError} When the `fmt ` chunk is inconsistent.
   */
  static async open(path: string): Promise<WavReader> {
    let file: Deno.FsFile;
    try {
      file = await openRegularFile(path, (found) => new WavNotRegularFileError(path, found));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new WavNotFoundError(path, error);
      throw error;
    }
    try {
      const info = await parseHeaders(path, file);
      await file.seek(info.dataOffset, Deno.SeekMode.Start);
      return new WavReader(path, file, info);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Index of the next frame {@linkcode WavReader.read} returns. */
  get position(): number {
    return this.#position;
  }

  /**
   * Decodes the next frames into `out` (interleaved, `info.channels` per frame).
   *
   * @param out Receives samples scaled to `[-1, 1]`.
   * @param frames Most frames to read. Defaults to `floor(out.length / channels)`.
   * @returns Frames read: fewer than asked only at the end of the data, 0 after it.
   * @throws {WavReadError} When the reader is closed.
   * @throws {RangeError} When `frames` does not fit in `out`.
   */
  async read(out: Float32Array, frames?: number): Promise<number> {
    if (this.#closed) throw new WavReadError(this.path, "the reader is closed");
    const { channels, blockAlign, encoding, bitsPerSample, frameCount } = this.info;
    const wanted = frames ?? Math.floor(out.length / channels);
    if (!Number.isInteger(wanted) || wanted < 0 || wanted * channels > out.length) {
      throw new RangeError(
        `Cannot read WAV '${this.path}': ${wanted} frames of ${channels} channels do not fit in ${out.length} samples`,
      );
    }
    const total = Math.min(wanted, frameCount - this.#position);
    const bufferFrames = this.#buffer.length / blockAlign;
    let done = 0;
    while (done < total) {
      if (this.#buffered === 0) {
        // Read ahead up to a buffer's worth, never past the data chunk.
        const ahead = Math.min(bufferFrames, frameCount - this.#position);
        const bytes = ahead === bufferFrames
          ? this.#buffer
          : this.#buffer.subarray(0, ahead * blockAlign);
        this.#buffered = Math.floor((await readFull(this.#file, bytes)) / blockAlign);
        this.#bufferStart = 0;
        if (this.#buffered === 0) break; // the file shrank under us
      }
      const n = Math.min(this.#buffered, total - done);
      decodeSamples(
        this.#view,
        this.#bufferStart,
        encoding,
        bitsPerSample,
        out,
        done * channels,
        n * channels,
      );
      this.#bufferStart += n * blockAlign;
      this.#buffered -= n;
      done += n;
      this.#position += n;
    }
    return done;
  }

  /**
   * Moves to frame `frame` (clamped to `[0, frameCount]`).
   *
   * @param frame The frame index the next read starts at.
   * @throws {WavReadError} When the reader is closed.
   */
  async seek(frame: number): Promise<void> {
    if (this.#closed) throw new WavReadError(this.path, "the reader is closed");
    const target = Math.max(0, Math.min(this.info.frameCount, Math.floor(frame)));
    await this.#file.seek(
      this.info.dataOffset + target * this.info.blockAlign,
      Deno.SeekMode.Start,
    );
    this.#buffered = 0;
    this.#position = target;
  }

  /** Closes the file. Calling it again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  /** Closes the reader, as {@linkcode WavReader.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/**
 * Reads a whole WAV file into memory.
 *
 * @param path The WAV file.
 * @returns The format and every sample, interleaved.
 * @throws {WavReadError} As {@linkcode WavReader.open}.
 *
 * @example Load a file in one call
 * ```ts
 * import assert from "node:assert/strict";
 * import { readWavFile } from "./wav_reader.ts";
 * import { WavWriter } from "./wav_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/two.wav`;
 * const writer = await WavWriter.create(path, { sampleRate: 16_000, channels: 2 });
 * await writer.write(new Float32Array([0.5, -0.5]));
 * await writer.close();
 * const { info, samples } = await readWavFile(path);
 * assert.equal(info.channels, 2);
 * assert.deepEqual(Array.from(samples), [0.5, -0.5]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readWavFile(
  path: string,
): Promise<{ info: WavInfo; samples: Float32Array }> {
  await using reader = await WavReader.open(path);
  const samples = new Float32Array(reader.info.frameCount * reader.info.channels);
  const frames = await reader.read(samples);
  return { info: reader.info, samples: samples.subarray(0, frames * reader.info.channels) };
}

async function parseHeaders(path: string, file: Deno.FsFile): Promise<WavInfo> {
  const fileSize = (await file.stat()).size;
  const riff = new Uint8Array(12);
  const got = await readFull(file, riff);
  const magic = text(riff.subarray(0, Math.min(got, 4)));
  // RF64 (EBU Tech 3306) and BW64 (ITU-R BS.2088): WAV past 4 GiB, sizes in a `ds64` chunk.
  const wide = magic === "RF64" || magic === "BW64";
  if (got < 4 || (magic !== "RIFF" && !wide)) {
    throw new NotWavError(path, describe(riff.subarray(0, Math.min(got, 4))));
  }
  if (got < 12) throw new TruncatedWavError(path, "RIFF header", 12, got);
  if (text(riff.subarray(8, 12)) !== "WAVE") {
    throw new NotWavError(path, `RIFF form type ${describe(riff.subarray(8, 12))}`);
  }
  let format: WavFormat | undefined;
  let data: { offset: number; size: number } | undefined;
  /** The 64-bit `data` size of an RF64/BW64 file's `ds64` chunk. */
  let wideDataSize: number | undefined;
  /** The chunk walked last, to name it when it runs past the end of the file. */
  let last: { id: string; offset: number; size: number; end: number } | undefined;
  let offset = 12;
  const chunk = new Uint8Array(8);
  const chunkView = new DataView(chunk.buffer);
  for (let chunks = 0; format === undefined || data === undefined; chunks++) {
    if (chunks === MAX_WAV_HEADER_CHUNKS) throw new WavHeaderTooLargeError(path, chunks);
    if (offset >= fileSize) {
      const missing = format === undefined ? "fmt " : "data";
      if (last !== undefined && last.end > fileSize) {
        // The last chunk declared more than the file holds: say so, not only what is missing.
        throw new TruncatedWavError(
          path,
          `'${last.id}' chunk at byte ${last.offset} (no '${missing}' chunk found before it)`,
          last.size,
          Math.max(0, fileSize - last.offset - 8),
        );
      }
      throw new TruncatedWavError(path, `file: no '${missing}' chunk`, 8, 0);
    }
    await file.seek(offset, Deno.SeekMode.Start);
    const n = await readFull(file, chunk);
    if (n < 8) {
      const missing = format === undefined ? "fmt " : "data";
      if (n === 0) throw new TruncatedWavError(path, `file: no '${missing}' chunk`, 8, 0);
      throw new TruncatedWavError(path, "chunk header", 8, n);
    }
    const idBytes = chunk.subarray(0, 4);
    if (!idBytes.every((b) => b >= 0x20 && b < 0x7f)) {
      // Chunk ids are printable four-character codes: this is inside a chunk, not at a header.
      const before = offset === 12
        ? ""
        : "; the chunk before it may lack the pad byte of an odd size";
      throw new WavReadError(
        path,
        `the ${describe(idBytes)} at byte ${offset} are not a chunk id${before}`,
      );
    }
    const id = text(idBytes);
    let size = chunkView.getUint32(4, true);
    const body = offset + 8;
    if (wide && chunks === 0) {
      if (id !== "ds64" || size < 24) {
        throw new WavReadError(
          path,
          `${magic} file's first chunk is '${id}' of ${size} bytes, expected 'ds64' of at least 24`,
        );
      }
      const ds64 = new Uint8Array(24);
      const read = await readFull(file, ds64);
      if (read < 24) throw new TruncatedWavError(path, "ds64 chunk", 24, read);
      const view = new DataView(ds64.buffer);
      const dataSize = view.getBigUint64(8, true);
      // Past 2^53 bytes (8 PiB) no file is real; as a number it would lose its low bits.
      if (dataSize > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new WavReadError(path, `ds64 chunk declares ${dataSize} data bytes, past 2^53`);
      }
      wideDataSize = Number(dataSize);
    }
    if (id === "data" && size === 0xffff_ffff && wideDataSize !== undefined) size = wideDataSize;
    if (id === "fmt " && format === undefined) {
      // Only the first counts, as FFmpeg and SoX read it: a later one (a second, conflicting
      // `fmt `) is skipped like any other chunk rather than changing how the data decodes.
      if (size > 1024) {
        throw new WavReadError(path, `fmt chunk is ${size} bytes, expected at most 1024`);
      }
      const bytes = new Uint8Array(size);
      const read = await readFull(file, bytes);
      if (read < size) throw new TruncatedWavError(path, "fmt chunk", size, read);
      format = parseWavFmt(bytes, path);
    } else if (id === "data" && data === undefined) {
      data = { offset: body, size };
    }
    last = { id, offset, size, end: body + size };
    offset = body + size + (size & 1); // chunks are padded to even sizes
  }
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  const available = Math.max(0, fileSize - data.offset);
  const truncated = data.size > available;
  const frameCount = Math.floor(Math.min(data.size, available) / blockAlign);
  return {
    ...format,
    blockAlign,
    frameCount,
    duration: frameCount / format.sampleRate,
    dataOffset: data.offset,
    truncated,
    declaredDataBytes: data.size,
  };
}
