/**
 * The BT.601 limited-range ("studio swing", "TV range") mapping between 8-bit R'G'B' and Y'CbCr
 * used by every YUV conversion in this folder.
 *
 * With `R, G, B` in `[0, 255]` (full range, gamma-encoded) and `Kr = 0.299`, `Kb = 0.114`:
 *
 * ```text
 * Y  = 16  + 219 * (0.299 R + 0.587 G + 0.114 B) / 255                 in [16, 235]
 * Cb = 128 + 224 * (-0.168736 R - 0.331264 G + 0.5 B) / 255            in [16, 240]
 * Cr = 128 + 224 * (0.5 R - 0.418688 G - 0.081312 B) / 255             in [16, 240]
 * ```
 *
 * and the inverse, clamped to `[0, 255]`:
 *
 * ```text
 * R = 255/219 (Y - 16)                                + 1.402 * 255/224 (Cr - 128)
 * G = 255/219 (Y - 16) - 0.344136 * 255/224 (Cb - 128) - 0.714136 * 255/224 (Cr - 128)
 * B = 255/219 (Y - 16) + 1.772 * 255/224 (Cb - 128)
 * ```
 *
 * @module
 */

/** Luma weights of BT.601: `Y' = KR R' + KG G' + KB B'` (before range scaling). */
export const BT601 = { kr: 0.299, kg: 0.587, kb: 0.114 } as const;

const clamp255 = (value: number) => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));

/**
 * Converts one full-range R'G'B' pixel to BT.601 limited-range Y'CbCr, rounding to integers.
 *
 * @param r Red, `[0, 255]`.
 * @param g Green, `[0, 255]`.
 * @param b Blue, `[0, 255]`.
 * @param out Receives `Y, Cb, Cr` at `out[offset..offset+2]`.
 * @param offset Where to write in `out`. Defaults to 0.
 *
 * @example Convert pure red
 * ```ts
 * import assert from "node:assert/strict";
 * import { rgbToYcbcr } from "./ycbcr.ts";
 *
 * const ycc = new Uint8Array(3);
 * rgbToYcbcr(255, 0, 0, ycc);
 * assert.deepEqual(Array.from(ycc), [81, 90, 240]);
 * ```
 */
export function rgbToYcbcr(
  r: number,
  g: number,
  b: number,
  out: Uint8Array | number[],
  offset = 0,
): void {
  out[offset] = clamp255(16 + (219 * (0.299 * r + 0.587 * g + 0.114 * b)) / 255);
  out[offset + 1] = clamp255(128 + (224 * (-0.168736 * r - 0.331264 * g + 0.5 * b)) / 255);
  out[offset + 2] = clamp255(128 + (224 * (0.5 * r - 0.418688 * g - 0.081312 * b)) / 255);
}

/**
 * Converts one BT.601 limited-range Y'CbCr pixel to full-range R'G'B', rounding and clamping to
 * `[0, 255]`.
 *
 * @param y Luma, nominally `[16, 235]` (values outside are allowed and clamp in RGB).
 * @param cb Blue-difference chroma, nominally `[16, 240]`.
 * @param cr Red-difference chroma, nominally `[16, 240]`.
 * @param out Receives `R, G, B` at `out[offset..offset+2]`.
 * @param offset Where to write in `out`. Defaults to 0.
 *
 * @example Convert limited-range white and black
 * ```ts
 * import assert from "node:assert/strict";
 * import { ycbcrToRgb } from "./ycbcr.ts";
 *
 * const rgb = new Uint8Array(6);
 * ycbcrToRgb(235, 128, 128, rgb, 0);
 * ycbcrToRgb(16, 128, 128, rgb, 3);
 * assert.deepEqual(Array.from(rgb), [255, 255, 255, 0, 0, 0]);
 * ```
 */
export function ycbcrToRgb(
  y: number,
  cb: number,
  cr: number,
  out: Uint8Array | number[],
  offset = 0,
): void {
  const luma = (255 / 219) * (y - 16);
  const u = (255 / 224) * (cb - 128);
  const v = (255 / 224) * (cr - 128);
  out[offset] = clamp255(luma + 1.402 * v);
  out[offset + 1] = clamp255(luma - 0.344136 * u - 0.714136 * v);
  out[offset + 2] = clamp255(luma + 1.772 * u);
}
