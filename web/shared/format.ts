/**
 * Text for numbers and events on the page.
 *
 * @module
 */

import type { DashboardEvent } from "./protocol.ts";

/**
 * A duration for people: `850 ns`, `12 µs`, `1.4 ms`, `2.1 s`.
 *
 * @param ns Nanoseconds.
 * @returns The text.
 *
 * @example Durations
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./format.ts";
 *
 * assert.equal(formatDuration(850), "850 ns");
 * assert.equal(formatDuration(12_400), "12 µs");
 * assert.equal(formatDuration(1_400_000), "1.4 ms");
 * ```
 */
export function formatDuration(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${Math.round(ns / 1e3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 1 : 0)} ms`;
  return `${(ns / 1e9).toFixed(1)} s`;
}

/**
 * A rate per second: `0/s`, `29.9/s`, `1.2k/s`.
 *
 * @param perSecond The rate.
 * @returns The text.
 */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(0)}k/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  return `${perSecond >= 100 ? Math.round(perSecond) : Math.round(perSecond * 10) / 10}/s`;
}

/**
 * A count with thousands separators.
 *
 * @param n The count.
 * @returns The text.
 */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Text from a JSDoc description for display: inline-code backticks and `{@linkcode X}` tags become
 * plain words.
 *
 * @param text The description.
 * @returns The plain text.
 *
 * @example Plain text
 * ```ts
 * import assert from "node:assert/strict";
 * import { plainText } from "./format.ts";
 *
 * assert.equal(plainText("Calls `process()`, see {@linkcode Gain}"), "Calls process(), see Gain");
 * ```
 */
export function plainText(text: string): string {
  return text.replace(/\{@link(?:code|plain)?\s+([^}|\s]+)[^}]*\}/g, "$1").replaceAll("`", "");
}

/**
 * One line for the event log.
 *
 * @param event The event.
 * @returns The text.
 *
 * @example A state change
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeEvent } from "./format.ts";
 *
 * assert.equal(describeEvent({ type: "runtime-state", timeNs: 0, from: "stopped", to: "starting" }), "runtime stopped \u2192 starting");
 * ```
 */
export function describeEvent(event: DashboardEvent): string {
  switch (event.type) {
    case "runtime-state":
      return `runtime ${event.from} → ${event.to}`;
    case "node-state":
      return `${event.node} ${event.from} → ${event.to}`;
    case "node-added":
      return `added ${event.node} (${event.processor})`;
    case "node-removed":
      return `removed ${event.node} (${event.processor})`;
    case "connection-added":
      return `connected ${event.from} → ${event.to} (${event.policy}, ${event.capacity})`;
    case "connection-removed":
      return `disconnected ${event.from} → ${event.to}`;
    case "node-error":
      return `${event.node} failed in ${event.phase}: ${event.name}: ${event.message} (${event.action})`;
    case "node-config":
      return `${event.node} config: ${event.changed.join(", ")} (${event.applied})`;
    case "node-log":
      return `${event.node} ${event.level}: ${event.message}${
        event.data === undefined ? "" : ` ${JSON.stringify(event.data)}`
      }${event.dropped ? ` (${event.dropped} earlier lines dropped)` : ""}`;
    case "worker-exit":
      return `worker ${event.worker} exited: ${event.message} (nodes ${event.nodes.join(", ")})`;
    default:
      return JSON.stringify(event);
  }
}
