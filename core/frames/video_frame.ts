/**
 * Uncompressed video frames.
 *
 * @module
 */

/**
 * Pixel layout of a {@linkcode VideoFrame}.
 *
 * - `RGBA`, `BGRA`: one plane, 4 bytes a pixel.
 * - `I420`: three planes (Y, then U and V at half width and half height).
 * - `NV12`: two planes (Y, then interleaved UV at half width and half height).
 *
 * @example Size a frame buffer
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PixelFormat } from "@streamlib/streamlib";
 * import { videoFrameByteLength } from "./video_frame.ts";
 *
 * const format: PixelFormat = "I420";
 * const data = new Uint8Array(videoFrameByteLength(format, 4, 2)); // Y 4x2, then U and V 2x1
 * assert.equal(data.byteLength, 12);
 * ```
 */
export type PixelFormat = "RGBA" | "BGRA" | "I420" | "NV12";

/**
 * The pixel formats, in a stable order.
 */
export const PIXEL_FORMATS: readonly PixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];

/**
 * One uncompressed video frame.
 *
 * The payload is a `Uint8Array` that may be a zero-copy view of a native frame-pool slot; `slot`
 * then names that slot (see `FramePoolContract`) so the frame can cross isolates as a 32-byte frame
 * message instead of a copy. Frames are read-only to everyone but their producer.
 *
 * @example Describe a 2x2 RGBA frame
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VideoFrame } from "@streamlib/streamlib";
 *
 * const frame: VideoFrame = {
 *   kind: "video",
 *   width: 2,
 *   height: 2,
 *   format: "RGBA",
 *   stride: 8,
 *   timestampNs: 0,
 *   frameNumber: 0,
 *   data: new Uint8Array(16),
 * };
 * assert.equal(frame.data.byteLength, 16);
 * ```
 */
export interface VideoFrame {
  /** Discriminant of the frame union. */
  readonly kind: "video";
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Pixel layout of `data`. */
  readonly format: PixelFormat;
  /** Bytes from the start of one row of the first plane to the next. */
  readonly stride: number;
  /** Presentation time in nanoseconds on the monotonic media clock. */
  readonly timestampNs: number;
  /** Position of this frame in its stream, from 0. */
  readonly frameNumber: number;
  /** The pixels, possibly a zero-copy view of a frame-pool slot. */
  readonly data: Uint8Array;
  /** The frame-pool slot handle `data` views, when it is a pool payload. */
  readonly slot?: number;
}

/**
 * The number of bytes a frame of `format` needs with tightly packed rows.
 *
 * @param format The pixel layout.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The payload size in bytes.
 *
 * @example Size an I420 frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { videoFrameByteLength } from "./video_frame.ts";
 *
 * assert.equal(videoFrameByteLength("I420", 4, 4), 24);
 * ```
 */
export function videoFrameByteLength(format: PixelFormat, width: number, height: number): number {
  if (format === "RGBA" || format === "BGRA") return width * height * 4;
  const chroma = Math.ceil(width / 2) * Math.ceil(height / 2);
  return width * height + 2 * chroma;
}
