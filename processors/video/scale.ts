/**
 * Bilinear resizing of frames, plane by plane.
 *
 * @module
 */

import { BufferSizeError } from "./buffer_size_error.ts";
import { frameByteLength, type PixelFormat } from "./pixel_format.ts";
import { type Axis, axis } from "./_bilinear_axis.ts";

interface Plane {
  readonly srcOffset: number;
  readonly srcStride: number;
  readonly dstOffset: number;
  readonly dstStride: number;
  /** Interleaved components per sample: 4 for RGBA, 2 for NV12's UV, 1 otherwise. */
  readonly components: number;
  readonly x: Axis;
  readonly y: Axis;
}

/**
 * Resizes frames of one format from one size to another with bilinear interpolation.
 *
 * Each plane is scaled on its own (I420: Y, U and V; NV12: Y and the interleaved UV pairs; RGBA and
 * BGRA: all four bytes of a pixel), mapping sample centres onto sample centres and clamping at the
 * edges, so a same-size scale is an exact copy. Weights are 8-bit fixed point. Shrinking by more
 * than 2x skips source pixels (no area averaging), so fine detail can alias. Tables are computed
 * in the constructor; {@linkcode BilinearScaler.scale} does not allocate.
 *
 * @example Double a 2x2 RGBA frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { BilinearScaler } from "./scale.ts";
 *
 * const scaler = new BilinearScaler("RGBA", 2, 2, 4, 4);
 * const src = new Uint8Array(16);
 * src.set([0, 0, 0, 255, 255, 255, 255, 255], 0); // black, white
 * src.set([0, 0, 0, 255, 255, 255, 255, 255], 8);
 * const dst = new Uint8Array(scaler.dstByteLength);
 * scaler.scale(src, dst);
 * assert.deepEqual(Array.from({ length: 4 }, (_, x) => dst[4 * x]), [0, 64, 191, 255]);
 * ```
 */
export class BilinearScaler {
  /** The pixel format of both frames. */
  readonly format: PixelFormat;
  /** Source width in pixels. */
  readonly srcWidth: number;
  /** Source height in pixels. */
  readonly srcHeight: number;
  /** Destination width in pixels. */
  readonly dstWidth: number;
  /** Destination height in pixels. */
  readonly dstHeight: number;
  /** Bytes of a source frame. */
  readonly srcByteLength: number;
  /** Bytes of a destination frame. */
  readonly dstByteLength: number;
  readonly #planes: readonly Plane[];

  /**
   * Creates a {@linkcode BilinearScaler}.
   *
   * @param format The pixel format of source and destination.
   * @param srcWidth Source width in pixels.
   * @param srcHeight Source height in pixels.
   * @param dstWidth Destination width in pixels.
   * @param dstHeight Destination height in pixels.
   * @throws {FrameSizeError} When a size is invalid for the format (odd for I420/NV12).
   */
  constructor(
    format: PixelFormat,
    srcWidth: number,
    srcHeight: number,
    dstWidth: number,
    dstHeight: number,
  ) {
    this.srcByteLength = frameByteLength(format, srcWidth, srcHeight);
    this.dstByteLength = frameByteLength(format, dstWidth, dstHeight);
    this.format = format;
    this.srcWidth = srcWidth;
    this.srcHeight = srcHeight;
    this.dstWidth = dstWidth;
    this.dstHeight = dstHeight;
    const plane = (
      srcOffset: number,
      dstOffset: number,
      sw: number,
      sh: number,
      dw: number,
      dh: number,
      components: number,
    ): Plane => ({
      srcOffset,
      srcStride: sw * components,
      dstOffset,
      dstStride: dw * components,
      components,
      x: axis(sw, dw),
      y: axis(sh, dh),
    });
    const [sw, sh, dw, dh] = [srcWidth, srcHeight, dstWidth, dstHeight];
    const srcLuma = sw * sh;
    const dstLuma = dw * dh;
    const srcChroma = (sw / 2) * (sh / 2);
    const dstChroma = (dw / 2) * (dh / 2);
    if (format === "RGBA" || format === "BGRA") {
      this.#planes = [plane(0, 0, sw, sh, dw, dh, 4)];
    } else if (format === "I420") {
      this.#planes = [
        plane(0, 0, sw, sh, dw, dh, 1),
        plane(srcLuma, dstLuma, sw / 2, sh / 2, dw / 2, dh / 2, 1),
        plane(srcLuma + srcChroma, dstLuma + dstChroma, sw / 2, sh / 2, dw / 2, dh / 2, 1),
      ];
    } else {
      this.#planes = [
        plane(0, 0, sw, sh, dw, dh, 1),
        plane(srcLuma, dstLuma, sw / 2, sh / 2, dw / 2, dh / 2, 2),
      ];
    }
  }

  /**
   * Scales one frame.
   *
   * @param src The source frame, at least {@linkcode BilinearScaler.srcByteLength} bytes.
   * @param dst The destination, at least {@linkcode BilinearScaler.dstByteLength} bytes; must not
   * overlap `src`.
   * @throws {BufferSizeError} When a buffer is too short.
   */
  scale(src: Uint8Array, dst: Uint8Array): void {
    if (src.length < this.srcByteLength || dst.length < this.dstByteLength) {
      const operation =
        `scale a ${this.srcWidth}x${this.srcHeight} ${this.format} frame to ${this.dstWidth}x${this.dstHeight}`;
      throw src.length < this.srcByteLength
        ? new BufferSizeError(operation, "source", this.srcByteLength, src.length)
        : new BufferSizeError(operation, "destination", this.dstByteLength, dst.length);
    }
    for (const plane of this.#planes) scalePlane(src, dst, plane);
  }
}

function scalePlane(src: Uint8Array, dst: Uint8Array, plane: Plane): void {
  const { components, srcOffset, srcStride, dstOffset, dstStride } = plane;
  const { first: x0, second: x1, weight: wx } = plane.x;
  const { first: y0, second: y1, weight: wy } = plane.y;
  const width = x0.length;
  for (let dy = 0; dy < y0.length; dy++) {
    const top = srcOffset + y0[dy] * srcStride;
    const bottom = srcOffset + y1[dy] * srcStride;
    const fy = wy[dy];
    let o = dstOffset + dy * dstStride;
    for (let dx = 0; dx < width; dx++) {
      const a = x0[dx] * components;
      const b = x1[dx] * components;
      const fx = wx[dx];
      for (let c = 0; c < components; c++, o++) {
        const upper = src[top + a + c] * (256 - fx) + src[top + b + c] * fx;
        const lower = src[bottom + a + c] * (256 - fx) + src[bottom + b + c] * fx;
        dst[o] = (upper * (256 - fy) + lower * fy + 32768) >> 16;
      }
    }
  }
}
