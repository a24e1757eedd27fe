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

/**
 * The frame with its rows packed (stride the format's minimum, no padding, nothing after the last
 * plane), as the runtime's frames are: the same frame when it is already, else a copy. The wire
 * format lets a sender pad rows (`stride` above the minimum, the last row's padding left out) and
 * send bytes after the planes; an application input takes packed frames only.
 *
 * @param frame A video frame as decoded (its payload at least {@linkcode minimumVideoBytes}).
 * @returns The frame with `stride` the minimum and `data` exactly the packed size.
 */
export function packVideoRows<
  F extends {
    width: number;
    height: number;
    format: PixelFormat;
    stride: number;
    data: Uint8Array;
  },
>(frame: F): F {
  const { width, height, format, stride, data } = frame;
  const row = minimumVideoStride(format, width);
  const chroma = format === "RGBA" || format === "BGRA"
    ? 0
    : 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  const packed = row * height + chroma;
  if (stride === row && data.length === packed) return frame;
  const out = new Uint8Array(packed);
  if (stride === row) out.set(data.subarray(0, packed));
  else {
    for (let y = 0; y < height; y++) out.set(data.subarray(y * stride, y * stride + row), y * row);
    out.set(data.subarray(stride * height, stride * height + chroma), row * height);
  }
  return { ...frame, stride: row, data: out };
}
