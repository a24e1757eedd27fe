/**
 * Rows for a processor's own counters (`Processor.reportStats()`, `rt.stats().nodes[id].processor`)
 * on the dashboard: any shape of JSON, flattened to `name → text` rows, so a new processor's
 * counters show without dashboard code of its own.
 *
 * @module
 */

import type { JsonValue } from "../../core/schema/json_schema.ts";

/** One row of {@linkcode counterRows}. */
export interface CounterRow {
  /** The counter's path: `viewers`, `peers[0].rttMs`. */
  name: string;
  /** The value as text (`—` for `null`). */
  text: string;
}

/**
 * A counter's value as text: integers with thousands separators, fractions to 3 significant
 * digits, `null` as `—`.
 *
 * @param value A JSON scalar.
 * @returns The text.
 */
export function counterText(value: JsonValue): string {
  if (value === null) return "—";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return value.toLocaleString("en-US");
    return Number(value.toPrecision(3)).toLocaleString("en-US", { maximumFractionDigits: 6 });
  }
  return String(value);
}

/**
 * Flattens a processor's counters into rows, in the order the processor reports them; nested
 * objects and arrays (a sink's `peers`) become `parent.child` / `parent[i].child` rows.
 *
 * @param counters The `processor` object of a node's stats.
 * @param limit At most this many rows (a sink with many peers stays readable); default 64.
 * @returns The rows.
 *
 * @example A WHEP sink's counters
 * ```ts
 * import assert from "node:assert/strict";
 * import { counterRows } from "./counters.ts";
 *
 * const rows = counterRows({ viewers: 1, framesDropped: 0, peers: [{ rttMs: 0.41, nacks: 1200 }] });
 * assert.deepEqual(rows, [
 *   { name: "viewers", text: "1" },
 *   { name: "framesDropped", text: "0" },
 *   { name: "peers[0].rttMs", text: "0.41" },
 *   { name: "peers[0].nacks", text: "1,200" },
 * ]);
 * ```
 */
export function counterRows(counters: { [key: string]: JsonValue }, limit = 64): CounterRow[] {
  const rows: CounterRow[] = [];
  const visit = (name: string, value: JsonValue) => {
    if (rows.length >= limit) return;
    if (Array.isArray(value)) {
      if (value.length === 0) rows.push({ name, text: "none" });
      value.forEach((v, i) => visit(`${name}[${i}]`, v));
    } else if (value !== null && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) visit(name ? `${name}.${key}` : key, v);
    } else {
      rows.push({ name, text: counterText(value) });
    }
  };
  visit("", counters);
  return rows;
}
