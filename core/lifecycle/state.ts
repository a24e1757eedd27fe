/**
 * The one state machine of the runtime: the graph's states and the nodes' states, each with an
 * explicit transition table (as GStreamer has one state enum for elements and pipelines, with
 * NULL → READY → PAUSED → PLAYING and back). The runtime, every isolate host, the events
 * (`runtime-state`, `node-state`), `describe()`, `stats()`, the control API, MCP and the dashboard
 * use these values and nothing else.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { RuntimeStateError } from "./errors.ts";

/**
 * The states of the graph (the runtime, and each isolate hosting part of it), in lifecycle order.
 *
 * @example Every state
 * ```ts
 * import assert from "node:assert/strict";
 * import { RUNTIME_STATES } from "./state.ts";
 *
 * assert.deepEqual(RUNTIME_STATES, ["stopped", "starting", "running", "paused", "stopping"]);
 * ```
 */
export const RUNTIME_STATES = ["stopped", "starting", "running", "paused", "stopping"] as const;

/** A state of the graph: one of {@linkcode RUNTIME_STATES}. */
export type RuntimeState = typeof RUNTIME_STATES[number];

/**
 * The states of one node: the graph's, plus `error` (its processor failed; the error policy says
 * what comes next).
 *
 * @example Every state
 * ```ts
 * import assert from "node:assert/strict";
 * import { NODE_STATES } from "./state.ts";
 *
 * assert.deepEqual(NODE_STATES, ["stopped", "starting", "running", "paused", "stopping", "error"]);
 * ```
 */
export const NODE_STATES = [...RUNTIME_STATES, "error"] as const;

/** A state of one node: one of {@linkcode NODE_STATES}. */
export type NodeState = typeof NODE_STATES[number];

/** The lifecycle calls of the runtime, in the order a run uses them. */
export const LIFECYCLE_ACTIONS = ["start", "pause", "resume", "stop"] as const;

/** A lifecycle call: one of {@linkcode LIFECYCLE_ACTIONS}. */
export type LifecycleAction = typeof LIFECYCLE_ACTIONS[number];

/**
 * The graph's transitions: from each state, the states it may go to. `starting → running` and
 * `stopping → stopped` are the runtime's own steps (when every node is set up, or torn down);
 * the others are {@linkcode LIFECYCLE}'s calls.
 *
 * | from       | to                   |
 * | ---------- | -------------------- |
 * | `stopped`  | `starting`           |
 * | `starting` | `running`            |
 * | `running`  | `paused`, `stopping` |
 * | `paused`   | `running`, `stopping`|
 * | `stopping` | `stopped`            |
 *
 * @example Where a running graph may go
 * ```ts
 * import assert from "node:assert/strict";
 * import { RUNTIME_TRANSITIONS } from "./state.ts";
 *
 * assert.deepEqual(RUNTIME_TRANSITIONS.running, ["paused", "stopping"]);
 * ```
 */
export const RUNTIME_TRANSITIONS: { readonly [S in RuntimeState]: readonly RuntimeState[] } = {
  stopped: ["starting"],
  starting: ["running"],
  running: ["paused", "stopping"],
  paused: ["running", "stopping"],
  stopping: ["stopped"],
};

/**
 * The lifecycle calls: the states each is allowed in, and the state it enters (`start` then
 * goes on to `running`, `stop` to `stopped`).
 *
 * @example What stop needs
 * ```ts
 * import assert from "node:assert/strict";
 * import { LIFECYCLE } from "./state.ts";
 *
 * assert.deepEqual(LIFECYCLE.stop, { from: ["running", "paused"], to: "stopping" });
 * ```
 */
export const LIFECYCLE: {
  readonly [A in LifecycleAction]: {
    readonly from: readonly RuntimeState[];
    readonly to: RuntimeState;
  };
} = {
  start: { from: ["stopped"], to: "starting" },
  pause: { from: ["running"], to: "paused" },
  resume: { from: ["paused"], to: "running" },
  stop: { from: ["running", "paused"], to: "stopping" },
};

/**
 * A node's transitions: from each state, the states it may go to. A node follows its graph
 * (`stopped → starting → running ⇄ paused → stopping → stopped`); besides:
 * `starting → paused` (set up while the graph is paused), `starting → stopping` (the graph
 * stopped during its setup), `stopping → starting` (set up again with a new config while
 * paused), any set-up state `→ error` (its processor threw), and `error → starting` (a restart)
 * or `error → stopped` (torn down).
 *
 * @example Where a failed node may go
 * ```ts
 * import assert from "node:assert/strict";
 * import { NODE_TRANSITIONS } from "./state.ts";
 *
 * assert.deepEqual(NODE_TRANSITIONS.error, ["starting", "stopped"]);
 * ```
 */
export const NODE_TRANSITIONS: { readonly [S in NodeState]: readonly NodeState[] } = {
  stopped: ["starting"],
  starting: ["running", "paused", "stopping", "error"],
  running: ["paused", "stopping", "error"],
  paused: ["running", "stopping", "error"],
  stopping: ["stopped", "starting", "error"],
  error: ["starting", "stopped"],
};

/**
 * The lifecycle calls a graph in `state` allows.
 *
 * @param state The graph's state.
 * @returns The calls, in {@linkcode LIFECYCLE_ACTIONS} order.
 *
 * @example A paused graph
 * ```ts
 * import assert from "node:assert/strict";
 * import { actionsFrom } from "./state.ts";
 *
 * assert.deepEqual(actionsFrom("paused"), ["resume", "stop"]);
 * assert.deepEqual(actionsFrom("starting"), []);
 * ```
 */
export function actionsFrom(state: RuntimeState): LifecycleAction[] {
  return LIFECYCLE_ACTIONS.filter((action) => LIFECYCLE[action].from.includes(state));
}

/**
 * Checks a lifecycle call against the graph's state.
 *
 * @param action The call.
 * @param state The graph's state.
 * @returns The state the call enters.
 * @throws {RuntimeStateError} `invalid_state` when `state` does not allow it, naming the state,
 * the states that would, and the calls allowed now (`details.available`).
 *
 * @example Pause a stopped graph
 * ```ts
 * import assert from "node:assert/strict";
 * import { RuntimeStateError } from "@streamlib/streamlib";
 * import { checkAction } from "./state.ts";
 *
 * assert.equal(checkAction("start", "stopped"), "starting");
 * assert.throws(() => checkAction("pause", "stopped"), (error) => {
 *   assert.ok(error instanceof RuntimeStateError);
 *   assert.deepEqual(error.details.available, ["start"]);
 *   return true;
 * });
 * ```
 */
export function checkAction(action: LifecycleAction, state: RuntimeState): RuntimeState {
  const { from, to } = LIFECYCLE[action];
  if (!from.includes(state)) throw new RuntimeStateError(action, state, from, actionsFrom(state));
  return to;
}

/**
 * Thrown when something would move the graph or a node between two states the transition table
 * does not connect ({@linkcode RUNTIME_TRANSITIONS}, {@linkcode NODE_TRANSITIONS}): a bug in
 * the runtime or an isolate host, never a user's call (those are {@linkcode RuntimeStateError}).
 *
 * @example A stopped node cannot run before it is set up
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNodeTransition, StateTransitionError } from "./state.ts";
 *
 * assert.throws(() => checkNodeTransition("tone", "stopped", "running"), (error) => {
 *   assert.ok(error instanceof StateTransitionError);
 *   assert.equal(error.code, "invalid_state");
 *   assert.deepEqual(error.details.available, ["starting"]);
 *   return true;
 * });
 * ```
 */
export class StateTransitionError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "invalid_state";
  /** `"runtime"` or the node's id. */
  readonly subject: string;
  /** The state it is in. */
  readonly state: string;
  /** The state it was to enter. */
  readonly to: string;
  /** The states it may enter from `state`. */
  readonly available: readonly string[];

  /** The subject, the current state, the refused state and the allowed ones (`available`). */
  get details(): ErrorDetails {
    return {
      subject: this.subject,
      state: this.state,
      to: this.to,
      available: [...this.available],
    };
  }

  /**
   * Creates the error.
   *
   * @param subject `"runtime"` or the node's id.
   * @param state The current state.
   * @param to The refused state.
   * @param available The states allowed from `state`.
   */
  constructor(subject: string, state: string, to: string, available: readonly string[]) {
    const who = subject === "runtime" ? "the runtime" : `node '${subject}'`;
    super(
      `Cannot move ${who} from ${state} to ${to}: from ${state} it may go to ${
        available.join(" or ") || "nothing"
      }`,
    );
    this.name = "StateTransitionError";
    this.subject = subject;
    this.state = state;
    this.to = to;
    this.available = available;
  }
}

/**
 * Checks a move of the graph against {@linkcode RUNTIME_TRANSITIONS}.
 *
 * @param from The current state.
 * @param to The next state.
 * @throws {StateTransitionError} When the table has no such move.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRuntimeTransition } from "./state.ts";
 *
 * checkRuntimeTransition("running", "paused");
 * assert.throws(() => checkRuntimeTransition("stopped", "running"), /may go to starting$/);
 * ```
 */
export function checkRuntimeTransition(from: RuntimeState, to: RuntimeState): void {
  const next = RUNTIME_TRANSITIONS[from];
  if (!next.includes(to)) throw new StateTransitionError("runtime", from, to, next);
}

/**
 * Checks a move of a node against {@linkcode NODE_TRANSITIONS}.
 *
 * @param node The node's id, for the error.
 * @param from The current state.
 * @param to The next state.
 * @throws {StateTransitionError} When the table has no such move.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNodeTransition } from "./state.ts";
 *
 * checkNodeTransition("tone", "running", "error");
 * assert.throws(() => checkNodeTransition("tone", "error", "running"), /node 'tone'/);
 * ```
 */
export function checkNodeTransition(node: string, from: NodeState, to: NodeState): void {
  const next = NODE_TRANSITIONS[from];
  if (!next.includes(to)) throw new StateTransitionError(node, from, to, next);
}
