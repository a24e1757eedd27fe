/**
 * The union of every frame type a port can carry.
 *
 * @module
 */

import type { AudioFrame } from "./audio_frame.ts";
import type { DataFrame } from "./data_frame.ts";
import type { EncodedAudioFrame } from "./encoded_audio_frame.ts";
import type { EncodedVideoFrame } from "./encoded_video_frame.ts";
import type { VideoFrame } from "./video_frame.ts";

/**
 * Any frame. An input typed `InputPort<Frame>` (port type `"Frame"`) accepts every output.
 *
 * @example Branch on the kind of a frame
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Frame } from "@streamlib/streamlib";
 *
 * function describe(frame: Frame): string {
 *   switch (frame.kind) {
 *     case "audio":
 *       return `${frame.channels} channels`;
 *     case "video":
 *       return `${frame.width}x${frame.height}`;
 *     case "encoded-video":
 *     case "encoded-audio":
 *       return frame.codec;
 *     case "data":
 *       return "data";
 *   }
 * }
 * assert.equal(describe({ kind: "data", timestampNs: 0, value: 1 }), "data");
 * ```
 */
export type Frame = VideoFrame | AudioFrame | EncodedVideoFrame | EncodedAudioFrame | DataFrame;

/**
 * The `kind` discriminant of {@linkcode Frame}.
 */
export type FrameKind = Frame["kind"];
