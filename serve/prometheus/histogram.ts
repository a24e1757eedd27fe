/**
 * {@linkcode Histogram}: a Prometheus histogram with fixed buckets.
 *
 * @module
 */

import { formatLabels, formatValue, header, metricName } from "./text_format.ts";

/**
 * Observations counted in cumulative buckets: `_bucket{le="..."}` for each upper bound and
 * `+Inf`, `_sum` and `_count`.
 *
 * @example Two observations
 * ```ts
 * import assert from "node:assert/strict";
 * import { Histogram } from "./histogram.ts";
 *
 * const h = new Histogram("x_seconds", "Time", [0.1, 1]);
 * h.observe(0.05);
 * h.observe(0.5);
 * const text = h.render();
 * assert.match(text, /^x_seconds_bucket\{le="0.1"\} 1$/m);
 * assert.match(text, /^x_seconds_bucket\{le="1"\} 2$/m);
 * assert.match(text, /^x_seconds_bucket\{le="\+Inf"\} 2$/m);
 * assert.match(text, /^x_seconds_count 2$/m);
 * ```
 */
export class Histogram {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  /**
   * An empty histogram.
   *
   * @param name Its name (its series add `_bucket`, `_sum`, `_count`).
   * @param help What it measures.
   * @param bounds The buckets' upper bounds, increasing and finite (`+Inf` is added).
   * @throws {RangeError} For a bad name or bounds that are not finite and increasing.
   */
  constructor(name: string, help: string, bounds: readonly number[]) {
    this.#name = metricName(name);
    this.#help = help;
    for (let i = 0; i < bounds.length; i++) {
      if (!Number.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
        throw new RangeError(
          `Histogram bounds must be finite and increasing, got ${bounds.join(", ")}`,
        );
      }
    }
    this.#bounds = [...bounds];
    this.#counts = bounds.map(() => 0);
  }

  /**
   * Counts one observation.
   *
   * @param value The value (a NaN is ignored).
   */
  observe(value: number): void {
    if (Number.isNaN(value)) return;
    for (let i = 0; i < this.#bounds.length; i++) if (value <= this.#bounds[i]) this.#counts[i]++;
    this.#sum += value;
    this.#count++;
  }

  /** Observations so far. */
  get count(): number {
    return this.#count;
  }

  /**
   * The family in the text format.
   *
   * @returns Its lines.
   */
  render(): string {
    let text = header(this.#name, this.#help, "histogram");
    this.#bounds.forEach((bound, i) => {
      text += `${this.#name}_bucket${formatLabels([["le", formatValue(bound)]])} ${
        this.#counts[i]
      }\n`;
    });
    text += `${this.#name}_bucket${formatLabels([["le", "+Inf"]])} ${this.#count}\n`;
    text += `${this.#name}_sum ${formatValue(this.#sum)}\n`;
    text += `${this.#name}_count ${this.#count}\n`;
    return text;
  }
}
