/**
 * The lowpass-feedback comb filter of Freeverb.
 *
 * @module
 */

/** Magnitudes below this are flushed to zero so decaying tails never reach subnormal numbers. */
const FLUSH = 1e-30;

/**
 * A feedback comb filter with a one-pole lowpass in its feedback path (Schroeder-Moorer), as used
 * eight times per channel in Freeverb.
 *
 * Each sample returns the delay line's oldest value `y`, updates the lowpass state
 * `s = y * (1 - damping) + s * damping` and stores `x + s * feedback`. The delay buffer is
 * allocated in the constructor; {@linkcode CombFilter.process} does not allocate.
 *
 * @example Hear an impulse come back after the delay
 * ```ts
 * import assert from "node:assert/strict";
 * import { CombFilter } from "./comb_filter.ts";
 *
 * const comb = new CombFilter(3);
 * comb.feedback = 0.5;
 * comb.damping = 0;
 * const out = [1, 0, 0, 0, 0, 0, 0].map((x) => comb.process(x));
 * assert.deepEqual(out, [0, 0, 0, 1, 0, 0, 0.5]);
 * ```
 */
export class CombFilter {
  /** Gain of the recirculated signal, `[0, 1)` for a decaying response. */
  feedback = 0;
  /** Lowpass coefficient of the feedback path, `[0, 1]`: 0 is no damping. */
  damping = 0;
  readonly #buffer: Float64Array;
  #index = 0;
  #store = 0;

  /**
   * Creates a {@linkcode CombFilter}.
   *
   * @param delay Delay in samples, a positive integer.
   * @throws {RangeError} When `delay` is not a positive integer.
   */
  constructor(delay: number) {
    if (!Number.isInteger(delay) || delay <= 0) {
      throw new RangeError(
        `Cannot create a comb filter: delay must be a positive integer, got ${delay}`,
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
    const output = buffer[index];
    let store = output * (1 - this.damping) + this.#store * this.damping;
    if (store < FLUSH && store > -FLUSH) store = 0;
    this.#store = store;
    let next = input + store * this.feedback;
    if (next < FLUSH && next > -FLUSH) next = 0;
    buffer[index] = next;
    this.#index = index + 1 === buffer.length ? 0 : index + 1;
    return output;
  }

  /**
   * Filters `frames` samples of `input` and adds each output sample to `sum`, in one tight loop:
   * the same arithmetic as `frames` calls of {@linkcode CombFilter.process}, bit for bit. Freeverb
   * sums its eight combs this way, a block at a time. Does not allocate.
   *
   * @param input The input samples, `frames` or more.
   * @param sum Receives `sum[i] += output[i]` for `i < frames`.
   * @param frames Samples to filter.
   *
   * @example Two combs summed over a block
   * ```ts
   * import assert from "node:assert/strict";
   * import { CombFilter } from "./comb_filter.ts";
   *
   * const [a, b] = [new CombFilter(1), new CombFilter(2)];
   * for (const comb of [a, b]) comb.feedback = 0.5;
   * const sum = new Float64Array(4);
   * for (const comb of [a, b]) comb.processAdd(new Float64Array([1, 0, 0, 0]), sum, 4);
   * assert.deepEqual(Array.from(sum), [0, 1, 1.5, 0.25]);
   * ```
   */
  processAdd(input: Float64Array, sum: Float64Array, frames: number): void {
    const buffer = this.#buffer;
    const length = buffer.length;
    const damping = this.damping;
    const undamped = 1 - damping;
    const feedback = this.feedback;
    let index = this.#index;
    let store = this.#store;
    for (let i = 0; i < frames; i++) {
      const output = buffer[index];
      store = output * undamped + store * damping;
      if (store < FLUSH && store > -FLUSH) store = 0;
      let next = input[i] + store * feedback;
      if (next < FLUSH && next > -FLUSH) next = 0;
      buffer[index] = next;
      if (++index === length) index = 0;
      sum[i] += output;
    }
    this.#index = index;
    this.#store = store;
  }

  /** Clears the delay line and the lowpass state. */
  reset(): void {
    this.#buffer.fill(0);
    this.#store = 0;
    this.#index = 0;
  }
}
