/**
 * Conversion between interleaved 32-bit float samples and the byte encodings of WAV files.
 *
 * @module
 */

/** Whether typed arrays on this machine are little-endian, as WAV samples are. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` little-endian samples starting at `byteOffset` into `out[outOffset..]`.
 *
 * PCM is scaled to `[-1, 1)` by dividing by `2^(bits - 1)` (8-bit PCM is unsigned with 128 as
 * zero); float samples are copied (64-bit rounded to 32); G.711 A-law and mu-law bytes become the
 * 16-bit values of the G.711 tables (as FFmpeg and SoX decode them) divided by 32768. Allocates nothing but, for 16-bit PCM
 * and 32-bit float at an aligned offset on little-endian machines, one typed-array view the
 * samples are read through (the same values, several times faster than a `DataView` call per
 * sample).
 *
 * @param view The encoded bytes.
 * @param byteOffset Where the first sample starts in `view`.
 * @param encoding `"pcm"`, `"float"`, `"alaw"` or `"mulaw"`.
 * @param bitsPerSample 8, 16, 24 or 32 for PCM; 32 or 64 for float; 8 for A-law and mu-law.
 * @param out Receives the samples.
 * @param outOffset Where the first sample goes in `out`.
 * @param count Samples (not frames) to decode.
 *
 * @example Decode two 16-bit samples
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSamples } from "./pcm_codec.ts";
 *
 * const view = new DataView(new Int16Array([16384, -32768]).buffer);
 * const out = new Float32Array(2);
 * decodeSamples(view, 0, "pcm", 16, out, 0, 2);
 * assert.deepEqual(Array.from(out), [0.5, -1]);
 * ```
 */
export function decodeSamples(
  view: DataView,
  byteOffset: number,
  encoding: "pcm" | "float" | "alaw" | "mulaw",
  bitsPerSample: number,
  out: Float32Array,
  outOffset: number,
  count: number,
): void {
  let p = byteOffset;
  const end = outOffset + count;
  const at = view.byteOffset + byteOffset;
  if (LITTLE_ENDIAN && encoding === "float" && bitsPerSample === 32 && at % 4 === 0) {
    out.set(new Float32Array(view.buffer, at, count), outOffset);
    return;
  }
  if (LITTLE_ENDIAN && encoding === "pcm" && bitsPerSample === 16 && at % 2 === 0) {
    const pcm = new Int16Array(view.buffer, at, count);
    for (let i = 0; i < count; i++) out[outOffset + i] = pcm[i] / 32768;
    return;
  }
  if (encoding === "alaw" || encoding === "mulaw") {
    const table = encoding === "alaw" ? ALAW : MULAW;
    for (let i = outOffset; i < end; i++, p++) out[i] = table[view.getUint8(p)];
    return;
  }
  if (encoding === "float") {
    if (bitsPerSample === 32) {
      for (let i = outOffset; i < end; i++, p += 4) out[i] = view.getFloat32(p, true);
    } else {
      for (let i = outOffset; i < end; i++, p += 8) out[i] = view.getFloat64(p, true);
    }
    return;
  }
  switch (bitsPerSample) {
    case 8:
      for (let i = outOffset; i < end; i++, p++) out[i] = (view.getUint8(p) - 128) / 128;
      break;
    case 16:
      for (let i = outOffset; i < end; i++, p += 2) out[i] = view.getInt16(p, true) / 32768;
      break;
    case 24:
      for (let i = outOffset; i < end; i++, p += 3) {
        const value = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
        out[i] = value / 8388608;
      }
      break;
    default:
      for (let i = outOffset; i < end; i++, p += 4) out[i] = view.getInt32(p, true) / 2147483648;
  }
}

/** G.711 A-law byte to its 16-bit linear value (ITU-T G.711, as FFmpeg's `alaw2linear`). */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

/** G.711 mu-law byte to its 16-bit linear value (ITU-T G.711, as FFmpeg's `ulaw2linear`). */
function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** Each A-law byte decoded, scaled to `[-1, 1)`. */
const ALAW = Float32Array.from({ length: 256 }, (_, b) => alawToLinear(b) / 32768);
/** Each mu-law byte decoded, scaled to `[-1, 1)`. */
const MULAW = Float32Array.from({ length: 256 }, (_, b) => mulawToLinear(b) / 32768);

/**
 * Encodes `count` samples from `samples[offset..]` as little-endian 16-bit PCM or 32-bit float into
 * `view` from byte 0.
 *
 * PCM multiplies by 32768, rounds and clips to `[-32768, 32767]`; NaN becomes 0. Float is stored
 * as is. Does not allocate beyond a typed-array view: at an aligned offset on little-endian
 * machines the samples go through `Int16Array`/`Float32Array` views instead of `DataView` calls.
 *
 * @param samples The samples.
 * @param offset Index of the first sample to encode.
 * @param count Samples (not frames) to encode.
 * @param encoding `"pcm16"` or `"float32"`.
 * @param view Receives `count * 2` or `count * 4` bytes.
 *
 * @example Encode with clipping
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSamples } from "./pcm_codec.ts";
 *
 * const view = new DataView(new ArrayBuffer(6));
 * encodeSamples(new Float32Array([0.5, 2, -2]), 0, 3, "pcm16", view);
 * assert.deepEqual(Array.from(new Int16Array(view.buffer)), [16384, 32767, -32768]);
 * ```
 */
export function encodeSamples(
  samples: Float32Array,
  offset: number,
  count: number,
  encoding: "pcm16" | "float32",
  view: DataView,
): void {
  const end = offset + count;
  let p = 0;
  if (LITTLE_ENDIAN && encoding === "float32" && view.byteOffset % 4 === 0) {
    new Float32Array(view.buffer, view.byteOffset, count).set(samples.subarray(offset, end));
    return;
  }
  if (LITTLE_ENDIAN && view.byteOffset % 2 === 0) {
    const pcm = new Int16Array(view.buffer, view.byteOffset, count);
    const from = offset === 0 ? samples : samples.subarray(offset, end);
    for (let i = 0; i < count; i++) {
      // Math.round, five times faster: a float32 sample times 32768 plus 0.5 is exact in a
      // double, so the floor is the nearest integer with ties up, as Math.round gives. Clamped
      // before the floor (the same integers; a third less time than flooring first), and NaN,
      // which fails every comparison, stores as 0, as the DataView path's `|| 0` does.
      const value = from[i] * 32768 + 0.5;
      pcm[i] = value >= 32767
        ? 32767
        : value >= -32768
        ? Math.floor(value)
        : value < -32768
        ? -32768
        : 0;
    }
    return;
  }
  if (encoding === "float32") {
    for (let i = offset; i < end; i++, p += 4) view.setFloat32(p, samples[i], true);
    return;
  }
  for (let i = offset; i < end; i++, p += 2) {
    const value = Math.round(samples[i] * 32768);
    view.setInt16(p, value > 32767 ? 32767 : value < -32768 ? -32768 : value || 0, true);
  }
}
