/**
 * The Opus identification header (`OpusHead`, RFC 7845 section 5.1) that MP4 and Ogg carry as
 * the decoder configuration: channel count, pre-skip and input rate.
 *
 * @module
 */

/** What an `OpusHead` says. */
export interface OpusHead {
  /** Output channels. */
  channels: number;
  /** Samples (at 48 kHz) to drop at the start: the encoder's lookahead. */
  preSkip: number;
  /** The rate the audio was recorded at (informational). */
  inputSampleRate: number;
}

const MAGIC = "OpusHead";

/**
 * Builds a 19-byte `OpusHead` for channel mapping family 0 (mono or stereo).
 *
 * @param head Channels, pre-skip and input rate.
 * @returns The header bytes.
 *
 * @example Build and read back a header
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildOpusHead, parseOpusHead } from "./opus_head.ts";
 *
 * const bytes = buildOpusHead({ channels: 2, preSkip: 312, inputSampleRate: 48_000 });
 * assert.equal(bytes.length, 19);
 * assert.equal(parseOpusHead(bytes).preSkip, 312);
 * ```
 */
export function buildOpusHead(head: OpusHead): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(19);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint8(8, 1); // version
  view.setUint8(9, head.channels);
  view.setUint16(10, head.preSkip, true);
  view.setUint32(12, head.inputSampleRate, true);
  view.setInt16(16, 0, true); // output gain
  view.setUint8(18, 0); // channel mapping family 0
  return bytes;
}

/**
 * Reads an `OpusHead`.
 *
 * @param bytes At least 19 bytes starting with `OpusHead`.
 * @returns Channels, pre-skip and input rate.
 * @throws {RangeError} When the bytes are not an `OpusHead`.
 */
export function parseOpusHead(bytes: Uint8Array): OpusHead {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < 19 || magic !== MAGIC) {
    throw new RangeError(`Invalid OpusHead: ${bytes.length} bytes starting '${magic}'`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    channels: view.getUint8(9),
    preSkip: view.getUint16(10, true),
    inputSampleRate: view.getUint32(12, true),
  };
}
