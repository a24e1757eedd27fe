/**
 * Compressed video frames.
 *
 * @module
 */

/**
 * Video codecs an {@linkcode EncodedVideoFrame} can carry.
 *
 * @example Accept only the codecs a decoder knows
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EncodedVideoFrame } from "@streamlib/streamlib";
 * import type { VideoCodec } from "./encoded_video_frame.ts";
 *
 * const decodable: readonly VideoCodec[] = ["h264"];
 * function canDecode(frame: EncodedVideoFrame): boolean {
 *   return decodable.includes(frame.codec);
 * }
 * const data = new Uint8Array([0, 0, 0, 1]);
 * const frame: EncodedVideoFrame = {
 *   kind: "encoded-video",
 *   codec: "vp9",
 *   keyframe: true,
 *   timestampNs: 0,
 *   frameNumber: 0,
 *   data,
 * };
 * assert.equal(canDecode(frame), false);
 * ```
 */
export type VideoCodec = "h264" | "h265" | "vp8" | "vp9" | "av1";

/**
 * Every {@linkcode VideoCodec}, in the order of their format tags on native rings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VIDEO_CODECS } from "./encoded_video_frame.ts";
 *
 * assert.ok(VIDEO_CODECS.includes("h264"));
 * ```
 */
export const VIDEO_CODECS: readonly VideoCodec[] = ["h264", "h265", "vp8", "vp9", "av1"];

/**
 * One compressed video frame (an access unit).
 *
 * @example Describe an H.264 keyframe
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EncodedVideoFrame } from "@streamlib/streamlib";
 *
 * const frame: EncodedVideoFrame = {
 *   kind: "encoded-video",
 *   codec: "h264",
 *   keyframe: true,
 *   timestampNs: 0,
 *   frameNumber: 0,
 *   data: new Uint8Array([0, 0, 0, 1, 0x65]),
 * };
 * assert.ok(frame.keyframe);
 * ```
 */
export interface EncodedVideoFrame {
  /** Discriminant of the frame union. */
  readonly kind: "encoded-video";
  /** The codec of `data`. */
  readonly codec: VideoCodec;
  /** Whether the frame decodes without earlier frames. */
  readonly keyframe: boolean;
  /** Presentation time in nanoseconds on the monotonic media clock. */
  readonly timestampNs: number;
  /** Position of this frame in its stream, from 0. */
  readonly frameNumber: number;
  /** The compressed bytes, possibly a zero-copy view of a frame-pool slot. */
  readonly data: Uint8Array;
  /** The frame-pool slot handle `data` views, when it is a pool payload. */
  readonly slot?: number;
}
