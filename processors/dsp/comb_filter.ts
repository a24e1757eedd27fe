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
    if (Math.abs(store) < FLUSH) store = 0; // one predictable branch, whatever the sign
    this.#store = store;
    let next = input + store * this.feedback;
    if (Math.abs(next) < FLUSH) next = 0; // one predictable branch, whatever the sign
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
      if (Math.abs(store) < FLUSH) store = 0; // one predictable branch, whatever the sign
      let next = input[i] + store * feedback;
      if (Math.abs(next) < FLUSH) next = 0; // one predictable branch, whatever the sign
      buffer[index] = next;
      if (++index === length) index = 0;
      sum[i] += output;
    }
    this.#index = index;
    this.#store = store;
  }

  /**
   * {@linkcode CombFilter.processAdd} for two combs over the same input at once, `left` adding to
   * `sumLeft` and `right` to `sumRight`: the same results, but the two lowpass recurrences overlap
   * in the processor's pipeline (one comb alone waits on its own multiply-add every sample).
   * Freeverb runs each left comb with its right twin this way.
   *
   * @param left The first comb.
   * @param right The second comb.
   * @param input The input samples of both, `frames` or more.
   * @param sumLeft Receives `left`'s output added.
   * @param sumRight Receives `right`'s output added.
   * @param frames Samples to filter.
   *
   * @example The same as one at a time
   * ```ts
   * import assert from "node:assert/strict";
   * import { CombFilter } from "./comb_filter.ts";
   *
   * const combs = [2, 3, 2, 3].map((delay) => new CombFilter(delay));
   * for (const comb of combs) [comb.feedback, comb.damping] = [0.5, 0.3];
   * const input = new Float64Array([1, 0, 0, 0, 0, 0, 0]);
   * const sums = [0, 1, 2, 3].map(() => new Float64Array(7));
   * CombFilter.processAddPair(combs[0], combs[1], input, sums[0], sums[1], 7);
   * combs[2].processAdd(input, sums[2], 7);
   * combs[3].processAdd(input, sums[3], 7);
   * assert.deepEqual([sums[0], sums[1]], [sums[2], sums[3]]);
   * ```
   */
  static processAddPair(
    left: CombFilter,
    right: CombFilter,
    input: Float64Array,
    sumLeft: Float64Array,
    sumRight: Float64Array,
    frames: number,
  ): void {
    const bufferL = left.#buffer;
    const bufferR = right.#buffer;
    const lengthL = bufferL.length;
    const lengthR = bufferR.length;
    const dampingL = left.damping;
    const dampingR = right.damping;
    const undampedL = 1 - dampingL;
    const undampedR = 1 - dampingR;
    const feedbackL = left.feedback;
    const feedbackR = right.feedback;
    let indexL = left.#index;
    let indexR = right.#index;
    let storeL = left.#store;
    let storeR = right.#store;
    for (let i = 0; i < frames; i++) {
      const x = input[i];
      const outputL = bufferL[indexL];
      const outputR = bufferR[indexR];
      storeL = outputL * undampedL + storeL * dampingL;
      storeR = outputR * undampedR + storeR * dampingR;
      if (Math.abs(storeL) < FLUSH) storeL = 0;
      if (Math.abs(storeR) < FLUSH) storeR = 0;
      let nextL = x + storeL * feedbackL;
      let nextR = x + storeR * feedbackR;
      if (Math.abs(nextL) < FLUSH) nextL = 0;
      if (Math.abs(nextR) < FLUSH) nextR = 0;
      bufferL[indexL] = nextL;
      bufferR[indexR] = nextR;
      if (++indexL === lengthL) indexL = 0;
      if (++indexR === lengthR) indexR = 0;
      sumLeft[i] += outputL;
      sumRight[i] += outputR;
    }
    left.#index = indexL;
    right.#index = indexR;
    left.#store = storeL;
    right.#store = storeR;
  }

  /** Clears the delay line and the lowpass state. */
  reset(): void {
    this.#buffer.fill(0);
    this.#store = 0;
    this.#index = 0;
  }
}
