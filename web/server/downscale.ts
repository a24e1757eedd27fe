/**
 * Thumbnails of video frames for the dashboard's previews.
 *
 * @module
 */

import type { VideoFrame } from "../../mod.ts";

/** A small RGBA picture. */
export interface Thumbnail {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 4` bytes of RGBA. */
  rgba: Uint8Array<ArrayBuffer>;
}

/**
 * The size of a frame fitted inside `maxWidth` x `maxHeight`, keeping its aspect ratio (never
 * larger than the frame).
 *
 * @param width The frame's width.
 * @param height The frame's height.
 * @param maxWidth The box's width.
 * @param maxHeight The box's height.
 * @returns The thumbnail's size, at least 1x1.
 */
export function fitSize(
  width: number,
  height: number,
  maxWidth: number,
  maxHeight: number,
): { width: number; height: number } {
  const scale = Math.min(maxWidth / width, maxHeight / height, 1);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Downscales a frame in any pixel format to an RGBA thumbnail by point sampling (one source pixel
 * per thumbnail pixel: about 15,000 reads for 160x90, whatever the frame's size). YUV frames are
 * converted with BT.601 limited range. The hot path of a preview probe: it writes into `into` when
 * that has the right size, so a tap allocates its buffer once.
 *
 * @param frame The frame (tightly packed rows for I420 and NV12; `stride` for RGBA and BGRA).
 * @param maxWidth The thumbnail's largest width.
 * @param maxHeight The thumbnail's largest height.
 * @param into A buffer to reuse.
 * @returns The thumbnail.
 *
 * @example A 4x2 red frame to a 2x1 thumbnail
 * ```ts
 * import assert from "node:assert/strict";
 * import { downscaleToRgba } from "./downscale.ts";
 *
 * const data = new Uint8Array(4 * 2 * 4);
 * for (let i = 0; i < data.length; i += 4) data.set([255, 0, 0, 255], i);
 * const frame = { kind: "video", width: 4, height: 2, format: "RGBA", stride: 16, timestampNs: 0, frameNumber: 0, data } as const;
 * const thumb = downscaleToRgba(frame, 2, 2);
 * assert.equal(thumb.width, 2);
 * assert.equal(thumb.height, 1);
 * assert.deepEqual([...thumb.rgba.subarray(0, 4)], [255, 0, 0, 255]);
 * ```
 */
export function downscaleToRgba(
  frame: VideoFrame,
  maxWidth: number,
  maxHeight: number,
  into?: Uint8Array<ArrayBuffer>,
): Thumbnail {
  const { width, height } = fitSize(frame.width, frame.height, maxWidth, maxHeight);
  const rgba = into && into.byteLength === width * height * 4
    ? into
    : new Uint8Array(width * height * 4);
  const { data, format } = frame;
  const fw = frame.width;
  const fh = frame.height;
  const lumaSize = fw * fh;
  const chromaWidth = Math.ceil(fw / 2);
  const chromaSize = chromaWidth * Math.ceil(fh / 2);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(fh - 1, Math.floor(((y + 0.5) * fh) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(fw - 1, Math.floor(((x + 0.5) * fw) / width));
      if (format === "RGBA" || format === "BGRA") {
        const i = sy * frame.stride + sx * 4;
        const red = format === "RGBA" ? data[i] : data[i + 2];
        const blue = format === "RGBA" ? data[i + 2] : data[i];
        rgba[o] = red;
        rgba[o + 1] = data[i + 1];
        rgba[o + 2] = blue;
      } else {
        const luma = data[sy * fw + sx];
        const c = (sy >> 1) * chromaWidth + (sx >> 1);
        const u = format === "I420" ? data[lumaSize + c] : data[lumaSize + 2 * c];
        const v = format === "I420" ? data[lumaSize + chromaSize + c] : data[lumaSize + 2 * c + 1];
        const yy = 1.164 * (luma - 16);
        rgba[o] = clamp(yy + 1.596 * (v - 128));
        rgba[o + 1] = clamp(yy - 0.392 * (u - 128) - 0.813 * (v - 128));
        rgba[o + 2] = clamp(yy + 2.017 * (u - 128));
      }
      rgba[o + 3] = 255;
      o += 4;
    }
  }
  return { width, height, rgba };
}

function clamp(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}
