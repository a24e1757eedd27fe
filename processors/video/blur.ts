/**
 * Gaussian blur of RGBA pictures on the CPU: the reference of the GPU blur (`gpu/blur.ts`).
 *
 * @module
 */

/**
 * The normalized weights of a Gaussian of standard deviation `sigma`, from `-radius` to
 * `radius` with `radius = ceil(3 * sigma)` (at least 1).
 *
 * @param sigma The standard deviation in pixels, above 0.
 * @returns `2 * radius + 1` weights that sum to 1.
 * @throws {RangeError} When `sigma` is not a finite number above 0.
 *
 * @example Three weights for a small sigma
 * ```ts
 * import assert from "node:assert/strict";
 * import { gaussianWeights } from "./blur.ts";
 *
 * const w = gaussianWeights(0.3);
 * assert.equal(w.length, 3);
 * assert.ok(Math.abs(w.reduce((a, b) => a + b) - 1) < 1e-6);
 * ```
 */
export function gaussianWeights(sigma: number): Float32Array {
  if (!Number.isFinite(sigma) || sigma <= 0) {
    throw new RangeError(`Cannot blur with sigma ${sigma}: expected a finite number above 0`);
  }
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = -radius; i <= radius; i++) {
    weights[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma)) / sum;
  }
  return weights;
}

/**
 * Blurs an RGBA picture with a separable Gaussian (a horizontal pass, then a vertical one, in
 * floating point, edges clamped), blurring alpha like the colours. Allocates one float picture.
 *
 * @param src `width * height * 4` bytes of RGBA.
 * @param dst Where to write, the same size; not `src`.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param weights From {@linkcode gaussianWeights}.
 *
 * @example A single white pixel spreads
 * ```ts
 * import assert from "node:assert/strict";
 * import { gaussianBlur, gaussianWeights } from "./blur.ts";
 *
 * const src = new Uint8Array(3 * 3 * 4);
 * src.set([255, 255, 255, 255], 16); // the centre
 * const dst = new Uint8Array(src.length);
 * gaussianBlur(src, dst, 3, 3, gaussianWeights(1));
 * assert.ok(dst[16] < 255 && dst[0] > 0);
 * ```
 */
export function gaussianBlur(
  src: Uint8Array,
  dst: Uint8Array,
  width: number,
  height: number,
  weights: Float32Array,
): void {
  const radius = (weights.length - 1) / 2;
  const tmp = new Float32Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) {
          const sx = Math.min(width - 1, Math.max(0, x + k));
          sum += weights[k + radius] * src[(y * width + sx) * 4 + c];
        }
        tmp[(y * width + x) * 4 + c] = sum / 255;
      }
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) {
          const sy = Math.min(height - 1, Math.max(0, y + k));
          sum += weights[k + radius] * tmp[(sy * width + x) * 4 + c];
        }
        dst[(y * width + x) * 4 + c] = Math.round(Math.min(1, Math.max(0, sum)) * 255);
      }
    }
  }
}
