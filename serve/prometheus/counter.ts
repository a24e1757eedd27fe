/**
 * {@linkcode Counter}: a Prometheus counter, with or without one label.
 *
 * @module
 */

import { formatLabels, formatValue, header, labelName, metricName } from "./text_format.ts";

/**
 * A monotonic count; its name ends in `_total`. With a label name, one series per label value.
 *
 * @example Count by code
 * ```ts
 * import assert from "node:assert/strict";
 * import { Counter } from "./counter.ts";
 *
 * const failed = new Counter("x_failed_total", "Failures by code", "code");
 * failed.inc("a");
 * failed.inc("a");
 * assert.equal(failed.render(), '# HELP x_failed_total Failures by code\n# TYPE x_failed_total counter\nx_failed_total{code="a"} 2\n');
 * ```
 */
export class Counter {
  readonly #name: string;
  readonly #help: string;
  readonly #label: string | undefined;
  readonly #values = new Map<string, number>();

  /**
   * A counter at 0.
   *
   * @param name Its name, ending in `_total`.
   * @param help What it counts.
   * @param label The name of its one label, if any.
   * @throws {RangeError} For a name or label name the format does not allow, or a name not ending in `_total`.
   */
  constructor(name: string, help: string, label?: string) {
    if (!name.endsWith("_total")) {
      throw new RangeError(`A counter's name ends in _total, got '${name}'`);
    }
    this.#name = metricName(name);
    this.#help = help;
    this.#label = label === undefined ? undefined : labelName(label);
    if (label === undefined) this.#values.set("", 0);
  }

  /**
   * Adds to the count.
   *
   * @param labelValue The label's value (ignored without a label).
   * @param by How much (at least 0). Default 1.
   */
  inc(labelValue = "", by = 1): void {
    if (!(by >= 0)) return;
    const key = this.#label === undefined ? "" : labelValue;
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  /**
   * The count of one series.
   *
   * @param labelValue The label's value.
   * @returns The count.
   */
  get(labelValue = ""): number {
    return this.#values.get(this.#label === undefined ? "" : labelValue) ?? 0;
  }

  /**
   * The family in the text format.
   *
   * @returns Its lines.
   */
  render(): string {
    let text = header(this.#name, this.#help, "counter");
    for (const [value, count] of this.#values) {
      const labels = this.#label === undefined ? [] : [[this.#label, value] as const];
      text += `${this.#name}${formatLabels(labels)} ${formatValue(count)}\n`;
    }
    return text;
  }
}
