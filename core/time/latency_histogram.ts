/**
 * A fixed-bucket histogram of durations, cheap enough to record every `process()` call.
 *
 * @module
 */

/** Lower edge of the first bucket, in nanoseconds. */
const FLOOR_NS = 100;
/** Buckets per doubling: each bucket is about 19% wider than the one before. */
const STEPS_PER_OCTAVE = 4;
/** Buckets: 100 ns up to 100 ns * 2^(100 / 4), about 3.4 s; longer durations go in the last. */
const BUCKETS = 100;

/**
 * Percentiles and extremes of a {@linkcode LatencyHistogram}, in nanoseconds.
 *
 * @example Print a summary in microseconds
 * ```ts
 * import assert from "node:assert/strict";
 * import { LatencyHistogram, type LatencySummary } from "./latency_histogram.ts";
 *
 * const histogram = new LatencyHistogram();
 * histogram.record(1_000);
 * histogram.record(3_000);
 * const summary: LatencySummary = histogram.summary();
 * assert.equal(`${summary.count} calls, mean ${summary.meanNs / 1e3} µs`, "2 calls, mean 2 \u00b5s");
 * ```
 */
export interface LatencySummary {
  /** Durations recorded. */
  count: number;
  /** Median, as the upper edge of its bucket (0 when empty). */
  p50Ns: number;
  /** 99th percentile, as the upper edge of its bucket (0 when empty). */
  p99Ns: number;
  /** Longest duration recorded (0 when empty). */
  maxNs: number;
  /** Mean duration (0 when empty). */
  meanNs: number;
}

/**
 * Counts durations in logarithmic buckets (4 per doubling, from 100 ns to about 3.4 s), so
 * percentiles come out within about 19%. `record()` does a `Math.log2` and two increments: it
 * never allocates, so it can stay on in production.
 *
 * @example Record process times and read the percentiles
 * ```ts
 * import assert from "node:assert/strict";
 * import { LatencyHistogram } from "./latency_histogram.ts";
 *
 * const histogram = new LatencyHistogram();
 * for (let i = 0; i < 99; i++) histogram.record(10_000); // 10 µs
 * histogram.record(2_000_000); // one 2 ms outlier
 * const { p50Ns, p99Ns, maxNs } = histogram.summary();
 * assert.ok(p50Ns >= 10_000 && p50Ns < 12_000);
 * assert.ok(p99Ns < 12_000);
 * assert.equal(maxNs, 2000000);
 * ```
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #sumNs = 0;
  #maxNs = 0;

  /**
   * Counts one duration.
   *
   * @param durationNs The duration in nanoseconds; negative values count as 0.
   */
  record(durationNs: number): void {
    const ns = durationNs > 0 ? durationNs : 0;
    let bucket = ns <= FLOOR_NS ? 0 : Math.ceil(Math.log2(ns / FLOOR_NS) * STEPS_PER_OCTAVE);
    if (bucket >= BUCKETS) bucket = BUCKETS - 1;
    this.#counts[bucket]++;
    this.#count++;
    this.#sumNs += ns;
    if (ns > this.#maxNs) this.#maxNs = ns;
  }

  /** Durations recorded. */
  get count(): number {
    return this.#count;
  }

  /**
   * The duration below which a fraction `q` of the recorded ones fall, as the upper edge of its
   * bucket (capped at the maximum recorded).
   *
   * @param q The fraction, from 0 to 1.
   * @returns The duration in nanoseconds, 0 when nothing was recorded.
   */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket];
      if (seen >= rank) {
        if (bucket === BUCKETS - 1) return this.#maxNs;
        const edge = Math.round(FLOOR_NS * 2 ** (bucket / STEPS_PER_OCTAVE));
        return Math.min(edge, this.#maxNs);
      }
    }
    return this.#maxNs;
  }

  /**
   * The percentiles and extremes (allocates; for control paths).
   *
   * @returns The summary.
   */
  summary(): LatencySummary {
    return {
      count: this.#count,
      p50Ns: this.quantile(0.5),
      p99Ns: this.quantile(0.99),
      maxNs: this.#maxNs,
      meanNs: this.#count === 0 ? 0 : Math.round(this.#sumNs / this.#count),
    };
  }

  /** Forgets everything recorded. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sumNs = 0;
    this.#maxNs = 0;
  }
}
