/**
 * The smallest stride and payload a video frame of a given shape needs, shared by the encoder
 * and the decoder.
 *
 * @module
 */

import type { PixelFormat } from "../../core/frames/video_frame.ts";

/** Bytes of the first plane's row: 4 a pixel for RGBA/BGRA, 1 for the Y plane of I420/NV12. */
export function minimumVideoStride(format: PixelFormat, width: number): number {
  return format === "RGBA" || format === "BGRA" ? width * 4 : width;
}

/**
 * The fewest payload bytes: every row of a packed format at `stride` (the last row only its
 * pixels); for I420 and NV12, the first plane at `stride` then the chroma planes packed.
 */
export function minimumVideoBytes(
  format: PixelFormat,
  width: number,
  height: number,
  stride: number,
): number {
  if (format === "RGBA" || format === "BGRA") return stride * (height - 1) + width * 4;
  const chroma = Math.ceil(width / 2) * Math.ceil(height / 2);
  return stride * height + 2 * chroma;
}
