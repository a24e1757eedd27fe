/**
 * {@linkcode Gauge}: a Prometheus gauge read when scraped.
 *
 * @module
 */

import { formatValue, header, metricName } from "./text_format.ts";

/**
 * A value that goes up and down, read from a function at each scrape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Gauge } from "./gauge.ts";
 *
 * let active = 3;
 * const gauge = new Gauge("x_active", "Active things", () => active);
 * assert.match(gauge.render(), /^x_active 3$/m);
 * ```
 */
export class Gauge {
  readonly #name: string;
  readonly #help: string;
  readonly #read: () => number;

  /**
   * A gauge.
   *
   * @param name Its name.
   * @param help What it measures.
   * @param read Gives its value.
   * @throws {RangeError} For a name the format does not allow.
   */
  constructor(name: string, help: string, read: () => number) {
    this.#name = metricName(name);
    this.#help = help;
    this.#read = read;
  }

  /**
   * The family in the text format.
   *
   * @returns Its lines.
   */
  render(): string {
    return `${header(this.#name, this.#help, "gauge")}${this.#name} ${formatValue(this.#read())}\n`;
  }
}
