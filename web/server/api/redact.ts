/**
 * What a reader without the token sees of errors: the node, the phase, the error's name and its
 * code, but not its message or stack, which can carry file paths and bits of files. Every read
 * that can carry an error goes through here: a node's `failure` in `GET /graph`, `GET
 * /nodes/:id` and the page's snapshot, a node's last error, and the events.
 *
 * @module
 */

import type {
  GraphView,
  LoggedEvent,
  NodeErrorInfo,
  SnapshotMessage,
} from "../../shared/protocol.ts";
import type { NodeDescription } from "../../../core/description.ts";

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

/**
 * A node's failure as its phase and code: the message (which can quote what the node read) is
 * replaced.
 *
 * @param node The node, as `describe()` gives it.
 * @returns The node, its `failure` redacted when it has one.
 *
 * @example A failure that quoted a file
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactFailure } from "./redact.ts";
 *
 * const failure = { phase: "setup", code: "wav_format", message: "/srv/a.wav starts with 'SECR'" } as const;
 * // deno-lint-ignore no-explicit-any
 * const node = redactFailure({ id: "src", failure } as any);
 * assert.deepEqual(node.failure, { phase: "setup", code: "wav_format", message: "wav_format in setup(): details need the token" });
 * ```
 */
export function redactFailure(node: NodeDescription): NodeDescription {
  const { failure } = node;
  if (!failure) return node;
  const code = failure.code ?? "error";
  return {
    ...node,
    failure: { phase: failure.phase, code, message: `${code} in ${failure.phase}(): ${REDACTED}` },
  };
}

/**
 * The graph with every node's failure redacted ({@linkcode redactFailure}).
 *
 * @param graph The graph view.
 * @returns The same graph, failures as codes.
 */
export function redactGraph(graph: GraphView): GraphView {
  if (!graph.nodes.some((n) => n.failure)) return graph;
  return { ...graph, nodes: graph.nodes.map(redactFailure) };
}

/**
 * A snapshot as a reader without the token sees it: failures as codes, errors and events
 * without messages or stacks.
 *
 * @param snapshot The hub's snapshot.
 * @returns The redacted snapshot.
 */
export function redactSnapshot(snapshot: SnapshotMessage): SnapshotMessage {
  return {
    ...snapshot,
    graph: redactGraph(snapshot.graph),
    events: redactEvents(snapshot.events),
    errors: redactErrors(snapshot.errors),
  };
}
