/**
 * How the commands show what processors log (`node-log` events) to a person.
 *
 * @module
 */

import type { NodeLogEvent } from "../types.ts";
import { terminalSafe } from "./terminal_text.ts";

/**
 * One `node-log` event as a line for stderr: `[node] level: message`, made safe for a terminal.
 *
 * @param event The event.
 * @returns The line.
 *
 * @example A warning from a node
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeLogLine } from "./node_log_line.ts";
 *
 * const line = nodeLogLine({ type: "node-log", timeNs: 0, node: "mic", level: "warn", message: "busy" });
 * assert.equal(line, "[mic] warn: busy");
 * ```
 */
export function nodeLogLine(event: NodeLogEvent): string {
  const data = event.data === undefined ? "" : ` ${JSON.stringify(event.data)}`;
  const dropped = event.dropped
    ? ` (${event.dropped} earlier lines dropped: over the rate limit)`
    : "";
  return terminalSafe(`[${event.node}] ${event.level}: ${event.message}${data}${dropped}`);
}
