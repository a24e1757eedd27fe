/**
 * What a reader without the token sees of errors: the node, the phase and the error's name, but
 * not its message or stack, which can carry file paths and bits of files.
 *
 * @module
 */

import type { LoggedEvent, NodeErrorInfo } from "../../shared/protocol.ts";

/** The message shown in place of an error's own to a reader without the token. */
export const REDACTED = "details need the token";

/**
 * A node's last error without its message and stack.
 *
 * @param info The error.
 * @returns The error with `message` replaced and `stack` null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactError } from "./redact.ts";
 *
 * const info = { phase: "setup", name: "Y4mFormatError", message: "/etc/shadow starts with 'root:$6$'", stack: "at ...", timeNs: 0 } as const;
 * assert.deepEqual(redactError(info), { ...info, message: "Y4mFormatError in setup(): details need the token", stack: null });
 * ```
 */
export function redactError(info: NodeErrorInfo): NodeErrorInfo {
  return { ...info, message: `${info.name} in ${info.phase}(): ${REDACTED}`, stack: null };
}

/**
 * Every node's last error, redacted.
 *
 * @param errors The errors by node.
 * @returns The same, each through {@linkcode redactError}.
 */
export function redactErrors(errors: Record<string, NodeErrorInfo>): Record<string, NodeErrorInfo> {
  return Object.fromEntries(Object.entries(errors).map(([node, e]) => [node, redactError(e)]));
}

/**
 * Events with any `message` and `stack` they carry redacted.
 *
 * @param events The events.
 * @returns The events, those with a message or stack copied without them.
 */
export function redactEvents(events: readonly LoggedEvent[]): LoggedEvent[] {
  return events.map((logged) => {
    const event = logged.event as unknown as Record<string, unknown>;
    if (!("message" in event) && !("stack" in event)) return logged;
    const copy: Record<string, unknown> = { ...event };
    if ("message" in copy) copy.message = REDACTED;
    if ("stack" in copy) copy.stack = null;
    return { ...logged, event: copy as unknown as LoggedEvent["event"] };
  });
}
