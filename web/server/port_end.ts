/**
 * The two halves of a `node.port` connection end, as `describe()` writes them.
 *
 * @module
 */

/**
 * The node id of a `node.port` end.
 *
 * @param end `node.port`.
 * @returns `node`.
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
  return end.slice(0, end.lastIndexOf("."));
}

/**
 * The port name of a `node.port` end.
 *
 * @param end `node.port`.
 * @returns `port`.
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
  return end.slice(end.lastIndexOf(".") + 1);
}
