/**
 * The escaping and number rules of the Prometheus text exposition format (version 0.0.4).
 *
 * @module
 */

/** The Content-Type of a scrape's answer. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Checks a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
 *
 * @param name The name.
 * @returns The name.
 * @throws {RangeError} When it is not a valid metric name.
 */
export function metricName(name: string): string {
  if (!NAME.test(name)) {
    throw new RangeError(`Invalid metric name '${name}': [a-zA-Z_:][a-zA-Z0-9_:]*`);
  }
  return name;
}

/**
 * Checks a label name (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`).
 *
 * @param name The name.
 * @returns The name.
 * @throws {RangeError} When it is not a valid label name.
 */
export function labelName(name: string): string {
  if (!LABEL.test(name) || name.startsWith("__")) {
    throw new RangeError(
      `Invalid label name '${name}': [a-zA-Z_][a-zA-Z0-9_]*, not starting with __`,
    );
  }
  return name;
}

/**
 * A label value as the format writes it between quotes: `\` as `\\`, `"` as `\"`, a newline as
 * `\n`.
 *
 * @param value The value.
 * @returns The escaped value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeLabelValue } from "./text_format.ts";
 *
 * assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
 * ```
 */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/**
 * A HELP text as the format writes it: `\` as `\\`, a newline as `\n`.
 *
 * @param text The text.
 * @returns The escaped text.
 */
export function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/**
 * A sample value: `+Inf`, `-Inf`, `NaN`, or the number.
 *
 * @param value The value.
 * @returns Its text.
 */
export function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}

/**
 * A label set as the format writes it: `{a="x",b="y"}`, or nothing when empty.
 *
 * @param labels The labels, in order.
 * @returns Its text.
 */
export function formatLabels(labels: readonly (readonly [string, string])[]): string {
  if (labels.length === 0) return "";
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

/**
 * The `# HELP` and `# TYPE` lines of one metric family.
 *
 * @param name The family's name.
 * @param help What it measures.
 * @param type `counter`, `gauge` or `histogram`.
 * @returns The two lines.
 */
export function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}
