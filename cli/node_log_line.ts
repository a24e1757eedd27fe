/**
 * How the commands show what processors log (`node-log` events) and how they fail (`node-error`
 * events) to a person.
 *
 * @module
 */

import type { NodeErrorEvent, NodeLogEvent } from "../types.ts";
import { PermissionScopeError } from "./_permission_error.ts";
import { errorLine } from "./_error_line.ts";
import { logLineText } from "../core/processor/log.ts";

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
  return logLineText(event.node, event);
}

/**
 * One `node-error` event as a line for stderr: `error: <code>: node '<id>' failed in <phase>():
 * <message> (<action>)`, the code the error's own (`processor_failed` when it has none), or
 * `permission_denied` with the flag that grants what Deno refused.
 *
 * @param event The event.
 * @returns The line.
 *
 * @example A processor that threw in setup()
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeErrorLine } from "./node_log_line.ts";
 *
 * const line = nodeErrorLine({
 *   type: "node-error",
 *   timeNs: 0,
 *   node: "src",
 *   phase: "setup",
 *   name: "Error",
 *   message: "no such file",
 *   stack: null,
 *   policy: "stop-processor",
 *   action: "stop-processor",
 *   restarts: 0,
 * });
 * assert.equal(
 *   line,
 *   "error: processor_failed: node 'src' failed in setup(): no such file (stop-processor)",
 * );
 * ```
 */
export function nodeErrorLine(event: NodeErrorEvent): string {
  const denied = PermissionScopeError.fromNodeError(event);
  return denied ? errorLine(denied.code, `${denied.message} (${event.action})`) : errorLine(
    event.code ?? "processor_failed",
    `node '${event.node}' failed in ${event.phase}(): ${event.message} (${event.action})`,
  );
}
