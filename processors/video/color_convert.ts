/**
 * Conversion between the pixel formats: RGBA/BGRA to and from I420 and NV12 (BT.601 limited
 * range, see `ycbcr.ts`), RGBA to BGRA, and I420 to NV12.
 *
 * @module
 */

import { BufferSizeError } from "./buffer_size_error.ts";
import { frameByteLength, type PixelFormat } from "./pixel_format.ts";
import {
  C_BIAS,
  K_BU,
  K_GU,
  K_GV,
  K_RV,
  K_Y,
  U_B,
  U_G,
  U_R,
  V_B,
  V_G,
  V_R,
  Y_B,
  Y_BIAS,
  Y_G,
  Y_R,
} from "./_bt601_fixed.ts";

const clamp = (x: number) => (x < 0 ? 0 : x > 255 ? 255 : x);

/**
 * Converts one frame between any two {@linkcode PixelFormat}s, writing into `dst`. Does not
 * allocate.
 *
 * - RGB to 4:2:0: Y per pixel; Cb and Cr from the average colour of each 2x2 block (chroma sited
 *   at the block centre, as in JPEG and MPEG-1).
 * - 4:2:0 to RGB: each chroma sample is used for its whole 2x2 block (nearest neighbour); alpha is
 *   255.
 * - RGBA to BGRA swaps R and B; I420 to NV12 interleaves the chroma planes; the same format copies.
 *
 * @param src The source frame, tightly packed.
 * @param srcFormat The source's pixel format.
 * @param dst The destination, at least {@linkcode frameByteLength}`(dstFormat, width, height)`.
 * @param dstFormat The destination's pixel format.
 * @param width Width in pixels (even when either format is 4:2:0).
 * @param height Height in pixels (even when either format is 4:2:0).
 * @throws {FrameSizeError} When the size is invalid for either format.
 * @throws {BufferSizeError} When `src` or `dst` is too short.
 *
 * @example Convert a 2x2 red RGBA frame to I420 and back
 * ```ts
 * import assert from "node:assert/strict";
 * import { convertFrame } from "./color_convert.ts";
 *
 * const red = new Uint8Array([255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255]);
 * const i420 = new Uint8Array(6);
 * convertFrame(red, "RGBA", i420, "I420", 2, 2);
 * assert.deepEqual(Array.from(i420), [81, 81, 81, 81, 90, 240]);
 * const back = new Uint8Array(16);
 * convertFrame(i420, "I420", back, "RGBA", 2, 2);
 * assert.deepEqual(Array.from(back.subarray(0, 4)), [254, 0, 0, 255]); // 8-bit rounding
 * ```
 */
export function convertFrame(
  src: Uint8Array,
  srcFormat: PixelFormat,
  dst: Uint8Array,
  dstFormat: PixelFormat,
  width: number,
  height: number,
): void {
  const srcBytes = frameByteLength(srcFormat, width, height);
  const dstBytes = frameByteLength(dstFormat, width, height);
  if (src.length < srcBytes || dst.length < dstBytes) {
    const operation = `convert a ${width}x${height} ${srcFormat} frame to ${dstFormat}`;
    throw src.length < srcBytes
      ? new BufferSizeError(operation, "source", srcBytes, src.length)
      : new BufferSizeError(operation, "destination", dstBytes, dst.length);
  }
  const luma = width * height;
  const cw = width >> 1;
  if (srcFormat === dstFormat) {
    copyBytes(src, dst, srcBytes);
  } else if (isRgb(srcFormat) && isRgb(dstFormat)) {
    for (let i = 0; i < srcBytes; i += 4) {
      const r = src[i];
      dst[i] = src[i + 2];
      dst[i + 1] = src[i + 1];
      dst[i + 2] = r;
      dst[i + 3] = src[i + 3];
    }
  } else if (isRgb(srcFormat)) {
    const red = srcFormat === "RGBA" ? 0 : 2;
    if (dstFormat === "I420") {
      rgbToYuv420(src, red, dst, width, height, luma, luma + cw * (height >> 1), cw, 1);
    } else {
      rgbToYuv420(src, red, dst, width, height, luma, luma + 1, width, 2);
    }
  } else if (isRgb(dstFormat)) {
    const red = dstFormat === "RGBA" ? 0 : 2;
    if (srcFormat === "I420") {
      yuv420ToRgb(src, width, height, luma, luma + cw * (height >> 1), cw, 1, dst, red);
    } else {
      yuv420ToRgb(src, width, height, luma, luma + 1, width, 2, dst, red);
    }
  } else {
    // I420 <-> NV12: same luma, chroma planes (de)interleaved.
    copyBytes(src, dst, luma);
    const chroma = cw * (height >> 1);
    const u = luma;
    const v = luma + chroma;
    if (srcFormat === "I420") {
      for (let i = 0; i < chroma; i++) {
        dst[luma + 2 * i] = src[u + i];
        dst[luma + 2 * i + 1] = src[v + i];
      }
    } else {
      for (let i = 0; i < chroma; i++) {
        dst[u + i] = src[luma + 2 * i];
        dst[v + i] = src[luma + 2 * i + 1];
      }
    }
  }
}

function isRgb(format: PixelFormat): boolean {
  return format === "RGBA" || format === "BGRA";
}

function copyBytes(src: Uint8Array, dst: Uint8Array, length: number): void {
  if (src.length === length) dst.set(src);
  else for (let i = 0; i < length; i++) dst[i] = src[i];
}

function rgbToYuv420(
  src: Uint8Array,
  red: number,
  dst: Uint8Array,
  width: number,
  height: number,
  uBase: number,
  vBase: number,
  chromaStride: number,
  chromaStep: number,
): void {
  const blue = 2 - red;
  const pixels = width * height;
  for (let p = 0, i = 0; p < pixels; p++, i += 4) {
    dst[p] = (Y_R * src[i + red] + Y_G * src[i + 1] + Y_B * src[i + blue] + Y_BIAS) >> 16;
  }
  const rowBytes = width * 4;
  for (let cy = 0; cy < height >> 1; cy++) {
    let top = 2 * cy * rowBytes;
    let out = cy * chromaStride;
    for (let cx = 0; cx < width >> 1; cx++, top += 8, out += chromaStep) {
      const bottom = top + rowBytes;
      const r = src[top + red] + src[top + 4 + red] + src[bottom + red] + src[bottom + 4 + red];
      const g = src[top + 1] + src[top + 5] + src[bottom + 1] + src[bottom + 5];
      const b = src[top + blue] + src[top + 4 + blue] + src[bottom + blue] +
        src[bottom + 4 + blue];
      dst[uBase + out] = (U_R * r + U_G * g + U_B * b + C_BIAS) >> 18;
      dst[vBase + out] = (V_R * r + V_G * g + V_B * b + C_BIAS) >> 18;
    }
  }
}

function yuv420ToRgb(
  src: Uint8Array,
  width: number,
  height: number,
  uBase: number,
  vBase: number,
  chromaStride: number,
  chromaStep: number,
  dst: Uint8Array,
  red: number,
): void {
  const blue = 2 - red;
  for (let y = 0; y < height; y++) {
    let yi = y * width;
    let o = yi * 4;
    let c = (y >> 1) * chromaStride;
    for (let cx = 0; cx < width >> 1; cx++, c += chromaStep) {
      const u = src[uBase + c] - 128;
      const v = src[vBase + c] - 128;
      const rv = K_RV * v + (1 << 15);
      const guv = -K_GU * u - K_GV * v + (1 << 15);
      const bu = K_BU * u + (1 << 15);
      for (let k = 0; k < 2; k++, yi++, o += 4) {
        const l = K_Y * (src[yi] - 16);
        dst[o + red] = clamp((l + rv) >> 16);
        dst[o + 1] = clamp((l + guv) >> 16);
        dst[o + blue] = clamp((l + bu) >> 16);
        dst[o + 3] = 255;
      }
    }
  }
}
