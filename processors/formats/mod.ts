/**
 * Media file formats for the built-in sources and sinks: streaming WAV writing and reading, and
 * YUV4MPEG2 (`.y4m`) writing and reading for I420 video.
 *
 * @example Record a WAV file and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { readWavFile, WavWriter } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const writer = await WavWriter.create(`${dir}/a.wav`, { sampleRate: 48_000, channels: 1 });
 * await writer.write(new Float32Array([0, 0.5, -0.5]));
 * await writer.close();
 * const { info, samples } = await readWavFile(`${dir}/a.wav`);
 * assert.equal(info.frameCount, 3);
 * assert.deepEqual(Array.from(samples), [0, 0.5, -0.5]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

export { readFull, writeAll } from "./file_io.ts";
export { decodeSamples, encodeSamples } from "./pcm_codec.ts";
export {
  NotWavError,
  TruncatedWavError,
  UnsupportedWavFormatError,
  WavNotFoundError,
  WavReadError,
  WavSizeLimitError,
} from "./wav_errors.ts";
export {
  buildWavHeader,
  parseWavFmt,
  SUPPORTED_WAV_ENCODINGS,
  WAVE_FORMAT_EXTENSIBLE,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_PCM,
  type WavFormat,
  type WavHeader,
} from "./wav_format.ts";
export { readWavFile, type WavInfo, WavReader } from "./wav_reader.ts";
export { WavWriter, type WavWriterOptions } from "./wav_writer.ts";
export { WriterClosedError } from "./writer_closed_error.ts";
export {
  TruncatedY4mFrameError,
  UnsupportedY4mColorspaceError,
  Y4mHeaderError,
  Y4mNotFoundError,
  Y4mNotRegularFileError,
  Y4mReadError,
  type Y4mReadErrorCode,
} from "./_y4m_errors.ts";
export {
  formatY4mHeader,
  parseY4mHeader,
  type Rational,
  Y4M_COLORSPACES,
  type Y4mColorspace,
  y4mFrameByteLength,
  type Y4mHeader,
  type Y4mInterlace,
} from "./y4m_header.ts";
export { Y4mReader } from "./y4m_reader.ts";
export { Y4mWriter, type Y4mWriterOptions } from "./y4m_writer.ts";
