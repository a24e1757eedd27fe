/**
 * {@linkcode AacPacket}: one encoded AAC-LC frame as `AacEncoder` writes it to a `DataFrame`, and
 * the helpers that turn it into bytes. A `DataFrame`'s value is plain JSON (it crosses workers and
 * front-ends as such), so the frame travels as base64 and the AudioSpecificConfig as hex, the way
 * SDP's `config=` writes it (docs/decisions/0049-aac-encoding-with-vo-aacenc.md).
 *
 * @module
 */

/**
 * One encoded AAC-LC frame (raw, no ADTS header) and what a muxer needs to declare the stream.
 */
export interface AacPacket {
  /** The raw frame (1024 samples per channel), base64. */
  data: string;
  /** The stream's AudioSpecificConfig, hex (`1190`: AAC-LC, 48 kHz, stereo). */
  audioSpecificConfig: string;
  /** Samples per second. */
  sampleRate: number;
  /** 1 or 2. */
  channels: number;
}

/**
 * Builds a packet from the encoder's bytes.
 *
 * @param frame The raw AAC frame.
 * @param config The stream's AudioSpecificConfig.
 * @param sampleRate Samples per second.
 * @param channels Channels.
 * @returns The packet, plain JSON.
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { aacPacket, aacPacketConfig, aacPacketData } from "./aac_packet.ts";
 *
 * const packet = aacPacket(new Uint8Array([0x21, 0x10, 0x05]), new Uint8Array([0x11, 0x90]), 48_000, 2);
 * assert.equal(packet.audioSpecificConfig, "1190");
 * assert.deepEqual([...aacPacketData(packet)], [0x21, 0x10, 0x05]);
 * assert.deepEqual([...aacPacketConfig(packet)], [0x11, 0x90]);
 * ```
 */
export function aacPacket(
  frame: Uint8Array,
  config: Uint8Array,
  sampleRate: number,
  channels: number,
): AacPacket {
  let binary = "";
  for (let i = 0; i < frame.length; i++) binary += String.fromCharCode(frame[i]);
  const hex = Array.from(config, (b) => b.toString(16).padStart(2, "0")).join("");
  return { data: btoa(binary), audioSpecificConfig: hex, sampleRate, channels };
}

/**
 * The raw AAC frame of a packet.
 *
 * @param packet A packet from `AacEncoder`.
 * @returns Its bytes.
 *
 * @example The frame of a packet
 * ```ts
 * import assert from "node:assert/strict";
 * import { aacPacketData } from "./aac_packet.ts";
 *
 * const packet = { data: "IRAF", audioSpecificConfig: "1190", sampleRate: 48_000, channels: 2 };
 * assert.deepEqual([...aacPacketData(packet)], [0x21, 0x10, 0x05]);
 * ```
 */
export function aacPacketData(packet: AacPacket): Uint8Array {
  const binary = atob(packet.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The AudioSpecificConfig of a packet's stream.
 *
 * @param packet A packet from `AacEncoder`.
 * @returns Its bytes.
 *
 * @example The AudioSpecificConfig of 44.1 kHz mono
 * ```ts
 * import assert from "node:assert/strict";
 * import { aacPacketConfig } from "./aac_packet.ts";
 *
 * const packet = { data: "", audioSpecificConfig: "1208", sampleRate: 44_100, channels: 1 };
 * assert.deepEqual([...aacPacketConfig(packet)], [0x12, 0x08]);
 * ```
 */
export function aacPacketConfig(packet: AacPacket): Uint8Array {
  const hex = packet.audioSpecificConfig;
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

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
