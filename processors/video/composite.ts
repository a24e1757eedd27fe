/**
 * Compositing RGBA pictures into one, on the CPU: the reference the GPU compositor
 * (`gpu/compositor.ts`) is tested against, and the compositor of the CPU chain.
 *
 * @module
 */

/** An RGBA picture in CPU memory, rows tightly packed. */
export interface RgbaPicture {
  /** `width * height * 4` bytes, R, G, B, A per pixel. */
  readonly data: Uint8Array;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/**
 * Where one input goes in the output: a rectangle in output pixels (integers; it may reach
 * outside the output), an opacity and a stacking order.
 */
export interface Placement {
  /** Left edge in output pixels. */
  readonly x: number;
  /** Top edge in output pixels. */
  readonly y: number;
  /** Width in output pixels; the input is scaled to it. */
  readonly width: number;
  /** Height in output pixels. */
  readonly height: number;
  /** Opacity, 0 to 1, multiplied with the input's own alpha. Defaults to 1. */
  readonly alpha?: number;
  /** Stacking order: higher is drawn later (on top); ties keep the inputs' order. Defaults to 0. */
  readonly z?: number;
  /**
   * Whether the input's colour is premultiplied by its alpha (see {@linkcode premultiply}), so
   * that scaling filters colour and alpha together and fully transparent pixels add no colour to
   * the edges. Defaults to false: straight alpha, as video and PNG files carry it.
   */
  readonly premultiplied?: boolean;
}

/** One input of {@linkcode compositeRgba}: a picture and its placement. */
export interface CpuLayer extends Placement {
  /** The picture. */
  readonly picture: RgbaPicture;
}

/**
 * The order layers are drawn in: by `z`, then by their index.
 *
 * @param layers The layers.
 * @returns Their indices, bottom first.
 *
 * @example Two layers, the first on top
 * ```ts
 * import assert from "node:assert/strict";
 * import { drawOrder } from "./composite.ts";
 *
 * assert.deepEqual(drawOrder([{ z: 1 }, { z: 0 }, {}]), [1, 2, 0]);
 * ```
 */
export function drawOrder(layers: readonly { readonly z?: number }[]): number[] {
  return layers.map((_, i) => i).sort((a, b) => (layers[a].z ?? 0) - (layers[b].z ?? 0) || a - b);
}

/**
 * Composites RGBA layers over a background colour into `dst`, as the GPU compositor does: each
 * layer is scaled to its rectangle with bilinear sampling (texel centres, clamped at the edges),
 * and blended with `src * a + dst * (1 - a)` where `a` is the sample's alpha times the layer's
 * `alpha` (the output's alpha: `a + dst.a * (1 - a)`), rounding to 8 bits after each layer. A
 * `premultiplied` layer's colour already carries its alpha: `src * alpha + dst * (1 - a)`.
 *
 * @param layers The inputs and their placements.
 * @param dst The output picture's bytes, `width * height * 4`.
 * @param width Output width in pixels.
 * @param height Output height in pixels.
 * @param background The colour under every layer, RGBA from 0 to 1. Defaults to opaque black.
 *
 * @example A half-transparent white square over black
 * ```ts
 * import assert from "node:assert/strict";
 * import { compositeRgba } from "./composite.ts";
 *
 * const white = { data: new Uint8Array(4).fill(255), width: 1, height: 1 };
 * const dst = new Uint8Array(4 * 4 * 4);
 * compositeRgba([{ picture: white, x: 1, y: 1, width: 2, height: 2, alpha: 0.5 }], dst, 4, 4);
 * assert.deepEqual(Array.from(dst.subarray(0, 4)), [0, 0, 0, 255]); // outside the square
 * assert.deepEqual(Array.from(dst.subarray(20, 24)), [128, 128, 128, 255]); // (1, 1)
 * ```
 */
export function compositeRgba(
  layers: readonly CpuLayer[],
  dst: Uint8Array,
  width: number,
  height: number,
  background: readonly [number, number, number, number] = [0, 0, 0, 1],
): void {
  const bg = background.map((c) => Math.round(Math.min(1, Math.max(0, c)) * 255));
  for (let i = 0; i < width * height * 4; i += 4) {
    dst[i] = bg[0];
    dst[i + 1] = bg[1];
    dst[i + 2] = bg[2];
    dst[i + 3] = bg[3];
  }
  const sample = new Float64Array(4);
  for (const index of drawOrder(layers)) {
    const layer = layers[index];
    const opacity = Math.min(1, Math.max(0, layer.alpha ?? 1));
    const x0 = Math.max(0, layer.x);
    const x1 = Math.min(width, layer.x + layer.width);
    const y0 = Math.max(0, layer.y);
    const y1 = Math.min(height, layer.y + layer.height);
    for (let py = y0; py < y1; py++) {
      const v = (py + 0.5 - layer.y) / layer.height;
      for (let px = x0; px < x1; px++) {
        const u = (px + 0.5 - layer.x) / layer.width;
        sampleBilinear(layer.picture, u, v, sample);
        const a = sample[3] * opacity;
        const weight = layer.premultiplied ? opacity : a; // what the colour is multiplied by
        const o = (py * width + px) * 4;
        for (let c = 0; c < 3; c++) {
          dst[o + c] = Math.round((sample[c] * weight + (dst[o + c] / 255) * (1 - a)) * 255);
        }
        dst[o + 3] = Math.round((a + (dst[o + 3] / 255) * (1 - a)) * 255);
      }
    }
  }
}

/**
 * A copy of a picture with each colour multiplied by its alpha (rounded to 8 bits), for a layer
 * with `premultiplied: true`.
 *
 * @param picture A picture with straight alpha.
 * @returns The premultiplied copy.
 *
 * @example Half-transparent white becomes half grey
 * ```ts
 * import assert from "node:assert/strict";
 * import { premultiply } from "./composite.ts";
 *
 * const picture = premultiply({ data: new Uint8Array([255, 255, 255, 128]), width: 1, height: 1 });
 * assert.deepEqual(Array.from(picture.data), [128, 128, 128, 128]);
 * ```
 */
export function premultiply(picture: RgbaPicture): RgbaPicture {
  const data = new Uint8Array(picture.data.length);
  for (let i = 0; i < data.length; i += 4) {
    const a = picture.data[i + 3];
    data[i] = Math.round((picture.data[i] * a) / 255);
    data[i + 1] = Math.round((picture.data[i + 1] * a) / 255);
    data[i + 2] = Math.round((picture.data[i + 2] * a) / 255);
    data[i + 3] = a;
  }
  return { data, width: picture.width, height: picture.height };
}

/**
 * Samples a picture at normalized coordinates with bilinear filtering, as a GPU sampler with
 * linear filtering and clamp-to-edge addressing does.
 *
 * @param picture The picture.
 * @param u Horizontal position, 0 (left edge) to 1 (right edge).
 * @param v Vertical position, 0 (top edge) to 1 (bottom edge).
 * @param out Receives R, G, B, A from 0 to 1.
 */
export function sampleBilinear(
  picture: RgbaPicture,
  u: number,
  v: number,
  out: Float64Array,
): void {
  const { data, width, height } = picture;
  const sx = Math.min(width - 1, Math.max(0, u * width - 0.5));
  const sy = Math.min(height - 1, Math.max(0, v * height - 0.5));
  const ix = Math.floor(sx);
  const iy = Math.floor(sy);
  const fx = sx - ix;
  const fy = sy - iy;
  const jx = Math.min(ix + 1, width - 1);
  const jy = Math.min(iy + 1, height - 1);
  const a = (iy * width + ix) * 4;
  const b = (iy * width + jx) * 4;
  const c = (jy * width + ix) * 4;
  const d = (jy * width + jx) * 4;
  for (let k = 0; k < 4; k++) {
    const top = data[a + k] * (1 - fx) + data[b + k] * fx;
    const bottom = data[c + k] * (1 - fx) + data[d + k] * fx;
    out[k] = (top * (1 - fy) + bottom * fy) / 255;
  }
}
