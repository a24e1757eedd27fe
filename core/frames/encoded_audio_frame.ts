/**
 * Compressed audio frames.
 *
 * @module
 */

/**
 * Audio codecs an {@linkcode EncodedAudioFrame} can carry.
 *
 * @example Accept only AAC
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AudioCodec } from "./encoded_audio_frame.ts";
 *
 * const carried: readonly AudioCodec[] = ["aac"];
 * assert.equal(carried.includes("opus"), false);
 * ```
 */
export type AudioCodec = "aac" | "opus";

/**
 * Every {@linkcode AudioCodec}, in the order of their format tags on native rings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AUDIO_CODECS } from "./encoded_audio_frame.ts";
 *
 * assert.deepEqual(AUDIO_CODECS, ["aac", "opus"]);
 * ```
 */
export const AUDIO_CODECS: readonly AudioCodec[] = ["aac", "opus"];

/**
 * Longest {@linkcode EncodedAudioFrame.extradata}, in bytes: it travels in the 64-byte header of
 * a frame-pool slot when the frame crosses to a Worker. An AAC-LC AudioSpecificConfig is 2 to 5
 * bytes; an `OpusHead` for one or two channels 19.
 */
export const MAX_AUDIO_EXTRADATA_BYTES = 24;

/**
 * One compressed audio frame (an access unit: 1024 samples per channel for AAC-LC, 2.5 to 120 ms
 * for Opus), with what a muxer needs to declare the stream.
 *
 * @example Describe an AAC-LC frame of a 48 kHz stereo stream
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EncodedAudioFrame } from "@streamlib/streamlib";
 *
 * const frame: EncodedAudioFrame = {
 *   kind: "encoded-audio",
 *   codec: "aac",
 *   timestampNs: 0,
 *   frameNumber: 0,
 *   sampleRate: 48_000,
 *   channels: 2,
 *   frameCount: 1024,
 *   extradata: new Uint8Array([0x11, 0x90]), // AudioSpecificConfig: AAC-LC, 48 kHz, stereo
 *   data: new Uint8Array([0x21, 0x10, 0x05]),
 * };
 * assert.equal(frame.frameCount / frame.sampleRate * 1e9, 21_333_333.333333332); // its duration
 * ```
 */
export interface EncodedAudioFrame {
  /** Discriminant of the frame union. */
  readonly kind: "encoded-audio";
  /** The codec of `data`. */
  readonly codec: AudioCodec;
  /** Presentation time of the first sample it decodes to, in nanoseconds on the media clock. */
  readonly timestampNs: number;
  /** Position of this frame in its stream, from 0. */
  readonly frameNumber: number;
  /** Samples per second per channel of the decoded audio. */
  readonly sampleRate: number;
  /** Channels of the decoded audio. */
  readonly channels: number;
  /** Its duration: samples per channel it decodes to (1024 for AAC-LC, 960 for 20 ms of Opus). */
  readonly frameCount: number;
  /**
   * The stream's decoder configuration: the AudioSpecificConfig for AAC (what MP4's `esds`,
   * FLV's sequence header and SDP's `config=` carry), empty or an `OpusHead` for Opus. At most
   * {@linkcode MAX_AUDIO_EXTRADATA_BYTES}.
   */
  readonly extradata: Uint8Array;
  /** The compressed bytes (raw: no ADTS header), possibly a view of a frame-pool slot. */
  readonly data: Uint8Array;
  /** The frame-pool slot handle `data` views, when it is a pool payload. */
  readonly slot?: number;
}
