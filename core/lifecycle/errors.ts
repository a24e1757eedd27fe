/**
 * Errors of the runtime's lifecycle and placement.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { ERROR_POLICIES } from "./error_policy.ts";
import type { JsonValue } from "../schema/json_schema.ts";
import { isolateOf, type Placement } from "../graph/placement.ts";

/**
 * Thrown by a lifecycle call the current state does not allow, such as `start()` twice.
 *
 * @example Start twice
 * ```ts
 * import assert from "node:assert/strict";
 * import { RuntimeStateError } from "@streamlib/streamlib";
 *
 * const error = new RuntimeStateError("start", "running", ["stopped"], ["pause", "stop"]);
 * assert.equal(
 *   error.message,
 *   "Cannot start the runtime: it is running, expected stopped; allowed now: pause, stop",
 * );
 * assert.deepEqual(error.details.available, ["pause", "stop"]);
 * ```
 */
export class RuntimeStateError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "invalid_state";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      action: this.action,
      state: this.state,
      allowed: [...this.allowed],
      available: [...this.available],
    };
  }
  /** The call that was refused (`start`, `pause`, `resume`, `stop`). */
  readonly action: string;
  /** The state the runtime is in. */
  readonly state: string;
  /** The states the call is allowed in. */
  readonly allowed: readonly string[];
  /** The lifecycle calls the current state allows (the transitions open now). */
  readonly available: readonly string[];

  /**
   * Creates the error.
   *
   * @param action The refused call.
   * @param state The current state.
   * @param allowed The states that allow it.
   * @param available The calls the current state allows (`actionsFrom()` in lifecycle_state.ts).
   */
  constructor(
    action: string,
    state: string,
    allowed: readonly string[],
    available: readonly string[] = [],
  ) {
    const now = available.length > 0 ? `; allowed now: ${available.join(", ")}` : "";
    super(
      `Cannot ${action} the runtime: it is ${state}, expected ${allowed.join(" or ")}${now}`,
    );
    this.name = "RuntimeStateError";
    this.action = action;
    this.state = state;
    this.allowed = allowed;
    this.available = available;
  }
}

/**
 * Thrown when a node asks for an isolate the runtime cannot provide: a Worker placement when no
 * isolate host for that Worker was injected (`new Runtime({ isolates })`).
 *
 * @example A Worker placement without a host
 * ```ts
 * import assert from "node:assert/strict";
 * import { PlacementUnavailableError } from "@streamlib/streamlib";
 *
 * const error = new PlacementUnavailableError("fft_1", { worker: "analysis" }, []);
 * assert.equal(
 *   error.message,
 *   "Cannot place node 'fft_1' on worker:analysis: no worker host or cross-isolate transport was injected, pass { isolates } to new Runtime() or place it on \"main\"",
 * );
 * ```
 */
export class PlacementUnavailableError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "placement_unavailable";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      node: this.node,
      placement: this.placement as JsonValue,
      available: ["main", ...this.available],
    };
  }
  /** The node's id. */
  readonly node: string;
  /** The placement asked for. */
  readonly placement: Placement;
  /** The isolates the runtime has hosts for, besides `main`. */
  readonly available: readonly string[];

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param placement The placement asked for.
   * @param available The Worker isolates that have hosts.
   * @param reason Why, when it is not that no host was injected for it.
   */
  constructor(
    node: string,
    placement: Placement,
    available: readonly string[],
    reason?: string,
  ) {
    const where = isolateOf(placement);
    const why = reason ??
      (available.length === 0
        ? 'no worker host or cross-isolate transport was injected, pass { isolates } to new Runtime() or place it on "main"'
        : `no host was injected for it, available isolates: main, ${available.join(", ")}`);
    super(`Cannot place node '${node}' on ${where}: ${why}`);
    this.name = "PlacementUnavailableError";
    this.node = node;
    this.placement = placement;
    this.available = available;
  }
}

/**
 * Reported (as the error of a `node-error` event) when a `loop`-mode processor's `setup()` did
 * not declare its period with `ctx.loop.setPeriodNs()`.
 *
 * @example The message
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoopPeriodMissingError } from "./errors.ts";
 *
 * assert.equal(
 *   new LoopPeriodMissingError("tone_1", "TestToneGenerator").message,
 *   "Cannot run loop node 'tone_1' (TestToneGenerator): setup() declared no period, call ctx.loop?.setPeriodNs(ns) in setup()",
 * );
 * ```
 */
export class LoopPeriodMissingError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "loop_period_missing";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { node: this.node, processor: this.processor };
  }
  /** The node's id. */
  readonly node: string;
  /** The processor name. */
  readonly processor: string;

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param processor The processor name.
   */
  constructor(node: string, processor: string) {
    super(
      `Cannot run loop node '${node}' (${processor}): setup() declared no period, call ctx.loop?.setPeriodNs(ns) in setup()`,
    );
    this.name = "LoopPeriodMissingError";
    this.node = node;
    this.processor = processor;
  }
}

/**
 * Thrown when the options of `add()` (or a manifest node) are invalid: placement, error policy
 * or restart limit.
 *
 * @example A bad error policy
 * ```ts
 * import assert from "node:assert/strict";
 * import { NodeOptionsError } from "./errors.ts";
 *
 * const error = new NodeOptionsError("tone_1", 'onError must be one of "stop-processor", "stop-runtime", "restart", got "retry"', "onError");
 * assert.equal(
 *   error.message,
 *   "Cannot add node 'tone_1': onError must be one of \"stop-processor\", \"stop-runtime\", \"restart\", got \"retry\"",
 * );
 * ```
 */
export class NodeOptionsError extends TypeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "invalid_node_options";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      node: this.node,
      field: this.field,
      problem: this.problem,
      ...(this.field === "onError" ? { available: [...ERROR_POLICIES] } : {}),
    };
  }
  /** The node's id. */
  readonly node: string;
  /** What is wrong. */
  readonly problem: string;
  /** The option that is wrong: `placement`, `onError` or `maxRestarts`. */
  readonly field: "placement" | "onError" | "maxRestarts";

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param problem What is wrong.
   * @param field The option that is wrong.
   */
  constructor(node: string, problem: string, field: "placement" | "onError" | "maxRestarts") {
    super(`Cannot add node '${node}': ${problem}`);
    this.name = "NodeOptionsError";
    this.node = node;
    this.problem = problem;
    this.field = field;
  }
}

/**
 * Thrown where a public method of the runtime is called with an argument of the wrong kind (a
 * listener that is not a function, options that are not an object, a number out of range): at
 * the call, naming the method, the argument and what it takes, rather than later, somewhere
 * else, as a raw `TypeError`.
 *
 * @example A type name given where a listener goes
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime, RuntimeArgumentError } from "@streamlib/streamlib";
 *
 * const rt = new Runtime();
 * assert.throws(
 *   // deno-lint-ignore no-explicit-any
 *   () => rt.on("node-error" as any),
 *   (e) => e instanceof RuntimeArgumentError && e.code === "invalid_argument" && e.argument === "listener",
 * );
 * ```
 */
export class RuntimeArgumentError extends TypeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "invalid_argument";
  /** The offending names. */
  get details(): ErrorDetails {
    return { method: this.method, argument: this.argument, expected: this.expected };
  }
  /** The method called (`on`, `use`, `new Runtime`). */
  readonly method: string;
  /** The argument that is wrong (`listener`, `options.maxCatchUp`). */
  readonly argument: string;
  /** What it takes. */
  readonly expected: string;

  /**
   * Creates the error.
   *
   * @param method The method called.
   * @param argument The argument that is wrong.
   * @param value What was given.
   * @param expected What it takes, and how to pass it.
   */
  constructor(method: string, argument: string, value: unknown, expected: string) {
    super(`Cannot call ${method}(): ${argument} is ${describeValue(value)}, expected ${expected}`);
    this.name = "RuntimeArgumentError";
    this.method = method;
    this.argument = argument;
    this.expected = expected;
  }
}

/** A short description of an argument's value: its type, and a bounded excerpt of it. */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string": {
      const text = value.length > 40 ? `${value.slice(0, 40)}...` : value;
      return `the string ${JSON.stringify(text)}`;
    }
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof value} ${String(value)}`;
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    default:
      return Array.isArray(value) ? "an array" : "an object";
  }
}
