/**
 * The Schroeder allpass filter of Freeverb.
 *
 * @module
 */

/** Magnitudes below this are flushed to zero so decaying tails never reach subnormal numbers. */
const FLUSH = 1e-30;

/**
 * Freeverb's allpass diffuser: each sample returns `y - x` (with `y` the delay line's oldest value)
 * and stores `x + y * feedback`. This is Jezar's form, which is only approximately allpass (a true
 * Schroeder allpass would output `y - feedback * x`); it is kept for Freeverb's exact sound.
 * Freeverb runs four in series per channel with feedback 0.5. The
 * delay buffer is allocated in the constructor; {@linkcode AllpassFilter.process} does not
 * allocate.
 *
 * @example Diffuse an impulse
 * ```ts
 * import assert from "node:assert/strict";
 * import { AllpassFilter } from "./allpass_filter.ts";
 *
 * const allpass = new AllpassFilter(2);
 * const out = [1, 0, 0, 0, 0].map((x) => allpass.process(x));
 * assert.deepEqual(out, [-1, 0, 1, 0, 0.5]);
 * ```
 */
export class AllpassFilter {
  /** Gain of the recirculated signal. Freeverb uses 0.5. */
  feedback = 0.5;
  readonly #buffer: Float64Array;
  #index = 0;

  /**
   * Creates a {@linkcode AllpassFilter}.
   *
   * @param delay Delay in samples, a positive integer.
   * @throws {RangeError} When `delay` is not a positive integer.
   */
  constructor(delay: number) {
    if (!Number.isInteger(delay) || delay <= 0) {
      throw new RangeError(
        `Cannot create an allpass filter: delay must be a positive integer, got ${delay}`,
      );
    }
    this.#buffer = new Float64Array(delay);
  }

  /** Delay in samples. */
  get delay(): number {
    return this.#buffer.length;
  }

  /**
   * Filters one sample.
   *
   * @param input The input sample.
   * @returns The output sample.
   */
  process(input: number): number {
    const buffer = this.#buffer;
    const index = this.#index;
    const delayed = buffer[index];
    let next = input + delayed * this.feedback;
    if (Math.abs(next) < FLUSH) next = 0; // one predictable branch, whatever the sign
    buffer[index] = next;
    this.#index = index + 1 === buffer.length ? 0 : index + 1;
    return delayed - input;
  }

  /**
   * Filters the first `frames` samples of `samples` in place, in one tight loop: the same
   * arithmetic as `frames` calls of {@linkcode AllpassFilter.process}, bit for bit. Does not
   * allocate.
   *
   * @param samples The samples, replaced by the filter's output.
   * @param frames Samples to filter.
   *
   * @example An impulse through a delay of 2
   * ```ts
   * import assert from "node:assert/strict";
   * import { AllpassFilter } from "./allpass_filter.ts";
   *
   * const allpass = new AllpassFilter(2);
   * const block = new Float64Array([1, 0, 0, 0, 0]);
   * allpass.processBlock(block, 5);
   * assert.deepEqual(Array.from(block), [-1, 0, 1, 0, 0.5]);
   * ```
   */
  processBlock(samples: Float64Array, frames: number): void {
    const buffer = this.#buffer;
    const length = buffer.length;
    const feedback = this.feedback;
    let index = this.#index;
    for (let i = 0; i < frames; i++) {
      const input = samples[i];
      const delayed = buffer[index];
      let next = input + delayed * feedback;
      if (Math.abs(next) < FLUSH) next = 0; // one predictable branch, whatever the sign
      buffer[index] = next;
      if (++index === length) index = 0;
      samples[i] = delayed - input;
    }
    this.#index = index;
  }

  /** Clears the delay line. */
  reset(): void {
    this.#buffer.fill(0);
    this.#index = 0;
  }
}
