/**
 * {@linkcode adtsFrame}: a raw AAC-LC frame (as an `EncodedAudioFrame` of codec `aac` carries it)
 * with the ADTS header MPEG-TS and `.aac` files need.
 *
 * @module
 */

/**
 * One raw AAC-LC frame with a 7-byte ADTS header (no CRC), as MPEG-TS's `stream_type` 0x0F and
 * `.aac` files carry it; rate and channels come from the stream's AudioSpecificConfig.
 *
 * @param frame The raw frame.
 * @param config The AudioSpecificConfig (AAC-LC).
 * @returns The ADTS frame.
 *
 * @example 48 kHz stereo
 * ```ts
 * import assert from "node:assert/strict";
 * import { adtsFrame } from "./aac_packet.ts";
 *
 * const adts = adtsFrame(new Uint8Array(100), new Uint8Array([0x11, 0x90]));
 * assert.equal(adts.length, 107);
 * assert.deepEqual([...adts.subarray(0, 4)], [0xff, 0xf1, 0x4c, 0x80]); // LC, 48 kHz, 2 channels
 * ```
 */
export function adtsFrame(frame: Uint8Array, config: Uint8Array): Uint8Array {
  const index = ((config[0] & 7) << 1) | (config[1] >> 7);
  const channels = (config[1] >> 3) & 15;
  const length = frame.length + 7;
  const out = new Uint8Array(length);
  out.set([
    0xff,
    0xf1, // MPEG-4, layer 0, no CRC
    (1 << 6) | (index << 2) | (channels >> 2), // profile 1 (AAC LC)
    ((channels & 3) << 6) | (length >> 11),
    (length >> 3) & 0xff,
    ((length & 7) << 5) | 0x1f, // buffer fullness 0x7FF (variable rate)
    0xfc, // one raw data block
  ]);
  out.set(frame, 7);
  return out;
}
