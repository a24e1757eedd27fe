/**
 * A connection end written `node.port`, as manifests, `describe()`, the control API and MCP write
 * it: the one place that splits it. Node ids and port names have no dots
 * (`NODE_ID_PATTERN` in `core/graph/node_id.ts`, and the port-name rule), so the last dot separates them.
 *
 * @module
 */

/**
 * Splits a `node.port` end at its last dot.
 *
 * @param end `node.port`, already checked where it came from (a schema, a typed ref).
 * @returns The node id and the port name; `port` is the whole text and `node` empty when there is
 * no dot.
 *
 * @example Split a mixer input
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitPortEnd } from "./port_end.ts";
 *
 * assert.deepEqual(splitPortEnd("mixer.in_0"), { node: "mixer", port: "in_0" });
 * assert.deepEqual(splitPortEnd("in_0"), { node: "", port: "in_0" });
 * ```
 */
export function splitPortEnd(end: string): { node: string; port: string } {
  const dot = end.lastIndexOf(".");
  return { node: dot < 0 ? "" : end.slice(0, dot), port: end.slice(dot + 1) };
}

/**
 * The node id of a `node.port` end.
 *
 * @param end `node.port`.
 * @returns `node` (empty when there is no dot).
 *
 * @example The node of a connection's input
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeOf } from "./port_end.ts";
 *
 * assert.equal(nodeOf("mixer.in_0"), "mixer");
 * ```
 */
export function nodeOf(end: string): string {
  return splitPortEnd(end).node;
}

/**
 * The port name of a `node.port` end.
 *
 * @param end `node.port`.
 * @returns `port` (the whole text when there is no dot).
 *
 * @example The port of a connection's input
 * ```ts
 * import assert from "node:assert/strict";
 * import { portOf } from "./port_end.ts";
 *
 * assert.equal(portOf("mixer.in_0"), "in_0");
 * ```
 */
export function portOf(end: string): string {
  return splitPortEnd(end).port;
}
