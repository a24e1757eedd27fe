/**
 * Moves a speech stop back to where the audio's level fell to that of the silence after it:
 * Silero VAD goes on scoring noise that follows speech as speech for up to about 250 ms (its
 * recurrent state carries the speech on), so its stop in noise is that much late.
 *
 * @module
 */

/** Samples in one level block (8 ms at 16 kHz). */
export const LEVEL_BLOCK = 128;

/** Options of {@linkcode StopRefiner}, in samples of the stream's timeline. */
export interface StopRefinerOptions {
  /** How far before the model's stop the refined stop may be. */
  readonly lookback: number;
  /** The longest silence a stop is decided after (`minSilence` plus a window). */
  readonly silence: number;
  /** How far above the closing silence's loudest block speech must be, in dB. */
  readonly marginDb: number;
}

/**
 * The level of every {@linkcode LEVEL_BLOCK} samples of a stream, kept for the last
 * `lookback + silence` samples, and the rule that moves a stop back with them: the refined stop
 * is the end of the last block before the model's stop whose mean square is `marginDb` above
 * the loudest block of the silence that closed the segment (the audio from the model's stop to
 * the decision), at most `lookback` before the model's stop and after the segment's first
 * speech. When no block in that span is that loud (speech buried in the noise, or a louder
 * transient in the closing silence), the model's stop stands. Silence quieter than -70 dBFS
 * counts as -70 dBFS, so a dithered tail does not count as speech after digital silence.
 *
 * @example Speech at -20 dBFS, then noise at -40 dBFS the model went on calling speech
 * ```ts
 * import assert from "node:assert/strict";
 * import { LEVEL_BLOCK, StopRefiner } from "./stop_refiner.ts";
 *
 * const refiner = new StopRefiner({ lookback: 4_800, silence: 5_312, marginDb: 6 });
 * const audio = new Float32Array(16_000);
 * for (let i = 0; i < audio.length; i++) audio[i] = (i % 2 ? 1 : -1) * (i < 8_000 ? 0.1 : 0.01);
 * for (let at = 0; at < audio.length; at += 512) refiner.record(audio.subarray(at, at + 512), at);
 * // The model's probability fell at 11 264 and silence lasted until the end: speech ended at 8 000.
 * assert.equal(refiner.refine(0, 11_264, 16_000), 8_064); // rounded up to a block's end
 * assert.equal(8_064 % LEVEL_BLOCK, 0);
 * ```
 */
export class StopRefiner {
  readonly #lookback: number;
  readonly #gain: number;
  /** Mean square of each block, a ring indexed by block number modulo its length. */
  readonly #levels: Float64Array;
  /** Timeline position of block 0 (the first window's start); NaN before the first. */
  #origin = Number.NaN;
  /** Blocks recorded. */
  #count = 0;

  /**
   * Creates a refiner for one stream.
   *
   * @param options Lookback, the longest closing silence and the margin.
   */
  constructor(options: StopRefinerOptions) {
    this.#lookback = options.lookback;
    this.#gain = 10 ** (options.marginDb / 10);
    this.#levels = new Float64Array(
      Math.ceil((options.lookback + options.silence) / LEVEL_BLOCK) + 2,
    );
  }

  /** How far before the model's stop the refined stop may be, in samples. */
  get lookback(): number {
    return this.#lookback;
  }

  /**
   * Takes the next window of the stream (contiguous with the previous one).
   *
   * @param window The samples, a multiple of {@linkcode LEVEL_BLOCK} long.
   * @param start The window's first sample on the timeline.
   */
  record(window: Float32Array, start: number): void {
    if (Number.isNaN(this.#origin)) this.#origin = start;
    const levels = this.#levels;
    for (let at = 0; at + LEVEL_BLOCK <= window.length; at += LEVEL_BLOCK) {
      let sum = 0;
      for (let i = at; i < at + LEVEL_BLOCK; i++) sum += window[i] * window[i];
      levels[this.#count++ % levels.length] = sum / LEVEL_BLOCK;
    }
  }

  /**
   * Where the speech that the model stopped at `stop` ended, by the level of the audio.
   *
   * @param earliest The segment's first speech: the result is after it.
   * @param stop Where the model's probability fell (the start of the closing silence).
   * @param now The end of the audio recorded so far (the end of the closing silence).
   * @returns The refined stop, from `stop - lookback` (and after `earliest`) to `stop`.
   */
  refine(earliest: number, stop: number, now: number): number {
    const levels = this.#levels;
    const origin = this.#origin;
    if (Number.isNaN(origin) || this.#lookback <= 0) return stop;
    const oldest = Math.max(0, this.#count - levels.length);
    const index = (position: number) => Math.floor((position - origin) / LEVEL_BLOCK);
    // The loudest block wholly inside the closing silence.
    let floor = 1e-7; // -70 dBFS
    const last = Math.min(index(now), this.#count);
    for (let b = Math.max(Math.ceil((stop - origin) / LEVEL_BLOCK), oldest); b < last; b++) {
      floor = Math.max(floor, levels[b % levels.length]);
    }
    const loud = floor * this.#gain;
    // The last block before the stop that is that much louder, within the lookback.
    const from = Math.max(index(Math.max(stop - this.#lookback, earliest)), oldest);
    for (let b = Math.min(index(stop), this.#count) - 1; b >= from; b--) {
      if (levels[b % levels.length] > loud) {
        return Math.min(stop, Math.max(origin + (b + 1) * LEVEL_BLOCK, earliest));
      }
    }
    return stop;
  }
}
