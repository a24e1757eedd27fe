/**
 * Peak signal-to-noise ratio between two 8-bit pictures: how the GPU kernels are checked against
 * their CPU references.
 *
 * @module
 */

/**
 * PSNR of `b` against `a`, in dB, over every byte: `10 log10(255² / MSE)`; `Infinity` when they
 * are equal.
 *
 * @param a The reference bytes.
 * @param b The bytes to compare, the same length.
 * @returns The PSNR in dB.
 * @throws {RangeError} When the lengths differ.
 *
 * @example One byte off by one in 100
 * ```ts
 * import assert from "node:assert/strict";
 * import { psnr } from "./psnr.ts";
 *
 * const a = new Uint8Array(100);
 * const b = a.slice();
 * b[0] = 1;
 * assert.equal(psnr(a, a), Infinity);
 * assert.equal(Math.round(psnr(a, b)), 68);
 * ```
 */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`Cannot compare ${a.length} bytes with ${b.length}: lengths differ`);
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  if (sum === 0) return Infinity;
  return 10 * Math.log10((255 * 255) / (sum / a.length));
}
