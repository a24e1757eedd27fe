/**
 * Scaling audio in place: constant gain, click-free gain ramps and decibel conversions.
 *
 * @module
 */

/**
 * Multiplies `samples[0..length)` by `gain` in place, optionally clipping to `[-1, 1]`.
 * Does not allocate.
 *
 * @param samples The block to scale.
 * @param gain Linear gain.
 * @param clip Whether to clamp results to `[-1, 1]`. Defaults to `false`.
 * @param length Samples to scale. Defaults to `samples.length`.
 *
 * @example Halve a block, then double it with clipping
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyGain } from "./gain.ts";
 *
 * const block = new Float32Array([0.5, -1, 0.8]);
 * applyGain(block, 0.5);
 * assert.deepEqual(Array.from(block), [0.25, -0.5, 0.4000000059604645]);
 * applyGain(block, 4, true);
 * assert.deepEqual(Array.from(block), [1, -1, 1]);
 * ```
 */
export function applyGain(
  samples: Float32Array,
  gain: number,
  clip = false,
  length: number = samples.length,
): void {
  const end = Math.min(length, samples.length);
  if (clip) {
    for (let i = 0; i < end; i++) {
      const value = samples[i] * gain;
      samples[i] = value > 1 ? 1 : value < -1 ? -1 : value;
    }
  } else {
    for (let i = 0; i < end; i++) samples[i] *= gain;
  }
}

/**
 * Multiplies interleaved frames by a gain that moves linearly from `from` to `to` across the block
 * (the last frame gets exactly `to`), so gain changes do not click. Optionally clips to `[-1, 1]`.
 * Does not allocate.
 *
 * @param samples Interleaved samples to scale in place.
 * @param channels Interleaved channels; every channel of a frame gets the same gain.
 * @param from The gain before the block.
 * @param to The gain at the last frame of the block.
 * @param clip Whether to clamp results to `[-1, 1]`. Defaults to `false`.
 * @throws {RangeError} When `channels` is not a positive integer.
 *
 * @example Fade a mono block in
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyGainRamp } from "./gain.ts";
 *
 * const block = new Float32Array([1, 1, 1, 1]);
 * applyGainRamp(block, 1, 0, 1);
 * assert.deepEqual(Array.from(block), [0.25, 0.5, 0.75, 1]);
 * ```
 */
export function applyGainRamp(
  samples: Float32Array,
  channels: number,
  from: number,
  to: number,
  clip = false,
): void {
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new RangeError(
      `Cannot apply a gain ramp: channels must be a positive integer, got ${channels}`,
    );
  }
  const frames = Math.floor(samples.length / channels);
  const step = frames > 0 ? (to - from) / frames : 0;
  let i = 0;
  for (let n = 0; n < frames; n++) {
    const gain = n === frames - 1 ? to : from + step * (n + 1);
    for (let c = 0; c < channels; c++, i++) {
      const value = samples[i] * gain;
      samples[i] = clip ? (value > 1 ? 1 : value < -1 ? -1 : value) : value;
    }
  }
}

/**
 * Converts decibels to a linear gain: `10^(db / 20)`.
 *
 * @param db Level in decibels; `-Infinity` gives 0.
 * @returns The linear gain.
 *
 * @example Convert -6 dB
 * ```ts
 * import assert from "node:assert/strict";
 * import { decibelsToGain } from "./gain.ts";
 *
 * assert.equal(decibelsToGain(-6).toFixed(3), "0.501");
 * ```
 */
export function decibelsToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/**
 * Converts a linear gain to decibels: `20 * log10(|gain|)`.
 *
 * @param gain Linear gain; 0 gives `-Infinity`.
 * @returns The level in decibels.
 *
 * @example Convert half amplitude
 * ```ts
 * import assert from "node:assert/strict";
 * import { gainToDecibels } from "./gain.ts";
 *
 * assert.equal(gainToDecibels(0.5).toFixed(2), "-6.02");
 * ```
 */
export function gainToDecibels(gain: number): number {
  return 20 * Math.log10(Math.abs(gain));
}
