/**
 * The `fmt ` chunk of RIFF/WAVE files: what sample encodings exist, how to parse the chunk and
 * how to build a header for writing.
 *
 * @module
 */

import { UnsupportedWavFormatError, WavReadError } from "./wav_errors.ts";

/** `WAVE_FORMAT_PCM`: integer samples. */
export const WAVE_FORMAT_PCM = 1;
/** `WAVE_FORMAT_IEEE_FLOAT`: floating-point samples. */
export const WAVE_FORMAT_IEEE_FLOAT = 3;
/** `WAVE_FORMAT_ALAW`: 8-bit G.711 A-law. */
export const WAVE_FORMAT_ALAW = 6;
/** `WAVE_FORMAT_MULAW`: 8-bit G.711 mu-law. */
export const WAVE_FORMAT_MULAW = 7;
/** `WAVE_FORMAT_EXTENSIBLE`: the real format is the first two bytes of a sub-format GUID. */
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** The sample encodings the reader decodes. */
export const SUPPORTED_WAV_ENCODINGS: readonly string[] = [
  "PCM 8-bit",
  "PCM 16-bit",
  "PCM 24-bit",
  "PCM 32-bit",
  "float 32-bit",
  "float 64-bit",
  "A-law 8-bit",
  "mu-law 8-bit",
];

// The 14 bytes after the tag in KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT.
const GUID_TAIL = [
  0x00,
  0x00,
  0x00,
  0x00,
  0x10,
  0x00,
  0x80,
  0x00,
  0x00,
  0xaa,
  0x00,
  0x38,
  0x9b,
  0x71,
];

/** How a WAV file's samples are encoded. */
export type WavEncoding = "pcm" | "float" | "alaw" | "mulaw";

/** How samples are stored. */
export interface WavFormat {
  /**
   * `"pcm"` (signed integers; unsigned for 8-bit), `"float"` (IEEE 754), or G.711 `"alaw"` or
   * `"mulaw"` (8-bit, decoded to the 16-bit values of the G.711 tables).
   */
  readonly encoding: WavEncoding;
  /** Bits per sample: 8, 16, 24 or 32 for PCM; 32 or 64 for float; 8 for A-law and mu-law. */
  readonly bitsPerSample: number;
  /** Interleaved channels. */
  readonly channels: number;
  /** Samples per second per channel. */
  readonly sampleRate: number;
  /** The format tag in the file (1, 3, 6, 7 or 0xFFFE). */
  readonly formatTag: number;
}

/**
 * Parses the body of a `fmt ` chunk.
 *
 * @param body The chunk's bytes after its 8-byte header.
 * @param path The file, for error messages.
 * @returns The sample format.
 * @throws {UnsupportedWavFormatError} For encodings other than {@linkcode SUPPORTED_WAV_ENCODINGS}.
 * @throws {WavReadError} When the chunk is too short or its fields are inconsistent.
 *
 * @example Parse a 16-bit stereo fmt chunk
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWavFmt } from "./wav_format.ts";
 *
 * const body = new DataView(new ArrayBuffer(16));
 * body.setUint16(0, 1, true); // PCM
 * body.setUint16(2, 2, true); // stereo
 * body.setUint32(4, 48_000, true);
 * body.setUint32(8, 192_000, true);
 * body.setUint16(12, 4, true);
 * body.setUint16(14, 16, true);
 * assert.deepEqual(
 *   parseWavFmt(new Uint8Array(body.buffer), "x.wav"),
 *   { encoding: "pcm", bitsPerSample: 16, channels: 2, sampleRate: 48000, formatTag: 1 },
 * );
 * ```
 */
export function parseWavFmt(body: Uint8Array, path: string): WavFormat {
  if (body.length < 16) {
    throw new WavReadError(path, `fmt chunk is ${body.length} bytes, expected at least 16`);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const formatTag = view.getUint16(0, true);
  const channels = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  const blockAlign = view.getUint16(12, true);
  const bitsPerSample = view.getUint16(14, true);
  let tag = formatTag;
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (body.length < 40) {
      throw new WavReadError(
        path,
        `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${body.length} bytes, expected 40`,
      );
    }
    tag = view.getUint16(24, true);
    if (!GUID_TAIL.every((byte, i) => body[26 + i] === byte)) {
      throw new UnsupportedWavFormatError(
        path,
        "unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID, expected KSDATAFORMAT_SUBTYPE_PCM or _IEEE_FLOAT",
        tag,
        bitsPerSample,
        SUPPORTED_WAV_ENCODINGS,
      );
    }
  }
  const supported = SUPPORTED_WAV_ENCODINGS.join(", ");
  let encoding: WavEncoding;
  if (tag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) encoding = "pcm";
  else if (tag === WAVE_FORMAT_IEEE_FLOAT && [32, 64].includes(bitsPerSample)) encoding = "float";
  else if (tag === WAVE_FORMAT_ALAW && bitsPerSample === 8) encoding = "alaw";
  else if (tag === WAVE_FORMAT_MULAW && bitsPerSample === 8) encoding = "mulaw";
  else {
    const what = tag === WAVE_FORMAT_PCM
      ? `PCM bit depth ${bitsPerSample}`
      : tag === WAVE_FORMAT_IEEE_FLOAT
      ? `float bit depth ${bitsPerSample}`
      : tag === WAVE_FORMAT_ALAW || tag === WAVE_FORMAT_MULAW
      ? `${tag === WAVE_FORMAT_ALAW ? "A-law" : "mu-law"} bit depth ${bitsPerSample}`
      : `format tag ${tag} (0x${tag.toString(16).padStart(4, "0")})`;
    throw new UnsupportedWavFormatError(
      path,
      `unsupported ${what}, expected one of ${supported}`,
      tag,
      bitsPerSample,
      SUPPORTED_WAV_ENCODINGS,
    );
  }
  if (channels === 0 || sampleRate === 0) {
    throw new WavReadError(
      path,
      `fmt chunk has ${channels} channels at ${sampleRate} Hz, expected at least 1 channel at a rate above 0 Hz`,
    );
  }
  if (blockAlign !== (channels * bitsPerSample) / 8) {
    throw new WavReadError(
      path,
      `fmt chunk block align is ${blockAlign}, expected ${channels} channels x ${
        bitsPerSample / 8
      } bytes = ${(channels * bitsPerSample) / 8}`,
    );
  }
  return { encoding, bitsPerSample, channels, sampleRate, formatTag };
}

/** A WAV header built for writing, with where its size fields are. */
export interface WavHeader {
  /** The bytes from `RIFF` up to and including the `data` chunk's size field. */
  readonly bytes: Uint8Array;
  /** Offset of the `data` chunk's size field (the last 4 header bytes). */
  readonly dataSizeOffset: number;
  /** Offset of the `fact` chunk's sample-frame count, or -1 when there is none. */
  readonly factOffset: number;
}

/**
 * Builds the header of a WAV file with zero samples, for 16-bit PCM or 32-bit float.
 *
 * The RIFF size (offset 4), the `fact` frame count (float only) and the `data` size
 * ({@linkcode WavHeader.dataSizeOffset}) are patched as samples are written. Up to two channels use
 * the plain `fmt ` chunk (tag 1 or 3); more use `WAVE_FORMAT_EXTENSIBLE` with the default channel
 * mask (FL, FR, FC, LFE, BL, BR, ...). Float files carry the `fact` chunk the spec requires.
 *
 * @param encoding `"pcm16"` or `"float32"`.
 * @param channels Interleaved channels, 1 to 65535.
 * @param sampleRate Samples per second, a positive integer.
 * @returns The header and the offsets of its size fields.
 *
 * @example The classic 44-byte header
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildWavHeader } from "./wav_format.ts";
 *
 * const header = buildWavHeader("pcm16", 2, 44_100);
 * assert.equal(header.bytes.length, 44);
 * assert.equal(header.dataSizeOffset, 40);
 * assert.equal(header.factOffset, -1);
 * ```
 */
export function buildWavHeader(
  encoding: "pcm16" | "float32",
  channels: number,
  sampleRate: number,
): WavHeader {
  const bits = encoding === "pcm16" ? 16 : 32;
  const tag = encoding === "pcm16" ? WAVE_FORMAT_PCM : WAVE_FORMAT_IEEE_FLOAT;
  const extensible = channels > 2;
  const fmtSize = extensible ? 40 : encoding === "float32" ? 18 : 16;
  const factSize = encoding === "float32" ? 12 : 0;
  const length = 12 + 8 + fmtSize + factSize + 8;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < 4; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, extensible ? WAVE_FORMAT_EXTENSIBLE : tag, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, (sampleRate * channels * bits) / 8, true);
  view.setUint16(32, (channels * bits) / 8, true);
  view.setUint16(34, bits, true);
  if (fmtSize > 16) view.setUint16(36, fmtSize - 18, true); // cbSize
  if (extensible) {
    view.setUint16(38, bits, true); // valid bits per sample
    // Default speaker mask for up to the 18 defined positions; none assigned beyond that.
    view.setUint32(40, channels <= 18 ? 2 ** channels - 1 : 0, true);
    view.setUint16(44, tag, true);
    bytes.set(GUID_TAIL, 46);
  }
  let offset = 20 + fmtSize;
  let factOffset = -1;
  if (factSize > 0) {
    ascii(offset, "fact");
    view.setUint32(offset + 4, 4, true);
    factOffset = offset + 8;
    offset += 12;
  }
  ascii(offset, "data");
  return { bytes, dataSizeOffset: offset + 4, factOffset };
}
