/**
 * How a {@linkcode Frame} is laid out in a frame-pool slot and described by its 32-byte frame
 * message: the format tags, the flag bits and the 64-byte slot header. The full table is in
 * `docs/cross_isolate.md`.
 *
 * @module
 */

import type { Frame, FrameKind } from "../../core/frames/frame.ts";
import { VIDEO_CODECS as CODECS, type VideoCodec } from "../../core/frames/encoded_video_frame.ts";
import { AUDIO_CODECS, MAX_AUDIO_EXTRADATA_BYTES } from "../../core/frames/encoded_audio_frame.ts";
import {
  PIXEL_FORMATS,
  type PixelFormat,
  videoFrameByteLength,
} from "../../core/frames/video_frame.ts";

/**
 * Bytes of the header at the start of every slot; the payload follows, 64-byte aligned.
 *
 * @example Read a payload after the header
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { FrameEncoder } from "./channel/encoder.ts";
 * import { FRAME_HEADER_BYTES } from "./frame_format.ts";
 *
 * using pool = FramePool.create({ slotBytes: 256, slotCount: 1 });
 * const message = new FrameMessageBatch(1);
 * new FrameEncoder(pool).encode({ kind: "data", timestampNs: 0, value: [1, 2] }, message, 0, 0);
 * const start = FRAME_HEADER_BYTES;
 * const payload = pool.bytes(message.slot(0)).subarray(start, start + message.byteLength(0));
 * assert.deepEqual(JSON.parse(new TextDecoder().decode(payload)), [1, 2]);
 * pool.release(message.slot(0));
 * ```
 */
export const FRAME_HEADER_BYTES = 64;

/**
 * The first `u32` of every slot header: `"SLFR"` in ASCII, little-endian.
 *
 * @example Check that a slot holds a frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { FrameEncoder } from "./channel/encoder.ts";
 * import { FRAME_HEADER_MAGIC, HEADER } from "./frame_format.ts";
 *
 * using pool = FramePool.create({ slotBytes: 256, slotCount: 1 });
 * const message = new FrameMessageBatch(1);
 * new FrameEncoder(pool).encode({ kind: "data", timestampNs: 0, value: 1 }, message, 0, 0);
 * const bytes = pool.bytes(message.slot(0));
 * const header = new Uint32Array(bytes.buffer, bytes.byteOffset, 16);
 * assert.ok(header[HEADER.U32_MAGIC] === FRAME_HEADER_MAGIC);
 * assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "SLFR");
 * pool.release(message.slot(0));
 * ```
 */
export const FRAME_HEADER_MAGIC = 0x5246_4c53;

/**
 * The kind byte of a format tag (bits 24..31).
 */
export const FRAME_KIND_TAGS: Readonly<Record<FrameKind, number>> = {
  video: 1,
  audio: 2,
  "encoded-video": 3,
  data: 4,
  "encoded-audio": 5,
};

/**
 * Video codecs in tag order: the low bits of an encoded-video format tag index this list.
 *
 * @example Name the codec of an encoded-video tag
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EncodedVideoFrame } from "@streamlib/streamlib";
 * import { formatTag, tagValue, VIDEO_CODECS } from "./frame_format.ts";
 *
 * const frame: EncodedVideoFrame = {
 *   kind: "encoded-video",
 *   codec: "vp9",
 *   keyframe: true,
 *   timestampNs: 0,
 *   frameNumber: 0,
 *   data: new Uint8Array(8),
 * };
 * assert.equal(VIDEO_CODECS[tagValue(formatTag(frame))], "vp9");
 * ```
 */
export const VIDEO_CODECS: readonly VideoCodec[] = CODECS;

/**
 * Flag bit of a frame message: the encoded-video frame is a keyframe.
 *
 * @example Find keyframes among messages
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { FrameEncoder } from "./channel/encoder.ts";
 * import { FLAG_KEYFRAME } from "./frame_format.ts";
 *
 * using pool = FramePool.create({ slotBytes: 256, slotCount: 1 });
 * const message = new FrameMessageBatch(1);
 * const frame = {
 *   kind: "encoded-video" as const,
 *   codec: "h264" as const,
 *   keyframe: true,
 *   timestampNs: 0,
 *   frameNumber: 0,
 *   data: new Uint8Array([0, 0, 0, 1, 0x65]),
 * };
 * new FrameEncoder(pool).encode(frame, message, 0, 0);
 * assert.ok((message.flags(0) & FLAG_KEYFRAME) !== 0);
 * pool.release(message.slot(0));
 * ```
 */
export const FLAG_KEYFRAME = 1;

/**
 * Largest channel count an audio format tag can carry.
 */
export const MAX_AUDIO_CHANNELS = 0xffff;

/**
 * Offsets of the slot header fields, in `u32` units (`U32_*`) or `f64` units (`F64_*`) from the
 * slot start. Fields a kind does not use are 0.
 *
 * | byte | type  | field                                             |
 * | ---- | ----- | ------------------------------------------------- |
 * | 0    | `u32` | magic `"SLFR"`                                    |
 * | 4    | `u32` | format tag (the message's, repeated for checking) |
 * | 8    | `f64` | frame number                                      |
 * | 16   | `u32` | video width / audio frame count                   |
 * | 20   | `u32` | video height                                      |
 * | 24   | `u32` | video stride / encoded audio extradata length     |
 * | 28   | `u32` | reserved (0) / encoded audio channels             |
 * | 32   | `f64` | audio sample rate                                 |
 * | 40   | bytes | encoded audio extradata (up to 24), else 0        |
 *
 * An encoded audio frame (kind 5, the codec's index in {@linkcode AUDIO_CODECS} as its value)
 * uses frame count (its duration in samples per channel), sample rate, channels and extradata
 * (the AAC AudioSpecificConfig), so the stream's description crosses with each frame and the
 * payload stays the raw frame.
 */
export const HEADER = {
  U32_MAGIC: 0,
  U32_TAG: 1,
  F64_FRAME_NUMBER: 1,
  U32_WIDTH: 4,
  U32_FRAME_COUNT: 4,
  U32_HEIGHT: 5,
  U32_STRIDE: 6,
  U32_RESERVED: 7,
  U32_EXTRADATA_BYTES: 6,
  U32_CHANNELS: 7,
  F64_SAMPLE_RATE: 4,
  BYTE_EXTRADATA: 40,
} as const;

/**
 * The format tag of a frame: its kind in bits 24..31 and a per-kind value in bits 0..23 (the
 * pixel format index, the channel count, the codec index; 0 for JSON data).
 *
 * @param frame The frame.
 * @returns The tag, or -1 when the frame's format, channel count or codec has no tag.
 *
 * @example Tags of two frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioFrame } from "@streamlib/streamlib";
 * import { formatTag } from "./frame_format.ts";
 *
 * assert.equal(formatTag(createAudioFrame(2, 48_000, 480)).toString(16), "2000002");
 * assert.equal(formatTag({ kind: "data", timestampNs: 0, value: 1 }).toString(16), "4000000");
 * ```
 */
export function formatTag(frame: Frame): number {
  switch (frame.kind) {
    case "video": {
      const index = PIXEL_FORMATS.indexOf(frame.format);
      return index < 0 ? -1 : (FRAME_KIND_TAGS.video << 24) | index;
    }
    case "audio": {
      const c = frame.channels;
      return Number.isInteger(c) && c >= 1 && c <= MAX_AUDIO_CHANNELS
        ? (FRAME_KIND_TAGS.audio << 24) | c
        : -1;
    }
    case "encoded-video": {
      const index = VIDEO_CODECS.indexOf(frame.codec);
      return index < 0 ? -1 : (FRAME_KIND_TAGS["encoded-video"] << 24) | index;
    }
    case "encoded-audio": {
      const index = AUDIO_CODECS.indexOf(frame.codec);
      const c = frame.channels;
      return index < 0 || !(frame.extradata?.length <= MAX_AUDIO_EXTRADATA_BYTES) ||
          !(Number.isInteger(c) && c >= 1 && c <= MAX_AUDIO_CHANNELS)
        ? -1
        : (FRAME_KIND_TAGS["encoded-audio"] << 24) | index;
    }
    case "data":
      return FRAME_KIND_TAGS.data << 24;
    default:
      return -1;
  }
}

/**
 * The kind byte of a format tag.
 *
 * @param tag A format tag.
 * @returns 1 video, 2 audio, 3 encoded video, 4 data, 5 encoded audio (see {@linkcode FRAME_KIND_TAGS}).
 *
 * @example Read the kind of a tag
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagKind } from "./frame_format.ts";
 *
 * assert.equal(tagKind(0x0200_0002), 2);
 * ```
 */
export function tagKind(tag: number): number {
  return tag >>> 24;
}

/**
 * The per-kind value of a format tag (pixel format index, channel count, codec index).
 *
 * @param tag A format tag.
 * @returns Bits 0..23.
 *
 * @example Read the channel count of an audio tag
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagValue } from "./frame_format.ts";
 *
 * assert.equal(tagValue(0x0200_0002), 2);
 * ```
 */
export function tagValue(tag: number): number {
  return tag & 0xff_ffff;
}

/**
 * The slot size a pool needs for payloads of `payloadBytes`: the header plus the payload.
 *
 * @param payloadBytes The largest payload, in bytes.
 * @returns The `slotBytes` to create the pool with.
 *
 * @example Size a pool for 4 KiB payloads
 * ```ts
 * import assert from "node:assert/strict";
 * import { slotBytesFor } from "@streamlib/streamlib/ffi";
 *
 * assert.equal(slotBytesFor(4096), 4160);
 * ```
 */
export function slotBytesFor(payloadBytes: number): number {
  return FRAME_HEADER_BYTES + payloadBytes;
}

/**
 * The slot size a pool needs for tightly packed video frames of one format and size.
 *
 * @param format The pixel layout.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The `slotBytes` to create the pool with.
 *
 * @example Size a pool for 1080p RGBA
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, videoSlotBytes } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 1920, 1080), slotCount: 4 });
 * assert.equal(pool.slotBytes, 8294464);
 * ```
 */
export function videoSlotBytes(format: PixelFormat, width: number, height: number): number {
  return slotBytesFor(videoFrameByteLength(format, width, height));
}
