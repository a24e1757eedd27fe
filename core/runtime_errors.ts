/**
 * Errors of the runtime's lifecycle and placement.
 *
 * @module
 */

import { isolateOf, type Placement } from "./placement.ts";

/**
 * Thrown by a lifecycle call the current state does not allow, such as `start()` twice.
 *
 * @example Start twice
 * ```ts
 * import { RuntimeStateError } from "@streamlib/streamlib";
 *
 * const error = new RuntimeStateError("start", "running", ["stopped"]);
 * console.log(error.message); // Cannot start the runtime: it is running, expected stopped
 * ```
 */
export class RuntimeStateError extends Error {
  /** The call that was refused (`start`, `pause`, `resume`, `stop`). */
  readonly action: string;
  /** The state the runtime is in. */
  readonly state: string;
  /** The states the call is allowed in. */
  readonly allowed: readonly string[];

  /**
   * Creates the error.
   *
   * @param action The refused call.
   * @param state The current state.
   * @param allowed The states that allow it.
   */
  constructor(action: string, state: string, allowed: readonly string[]) {
    super(
      `Cannot ${action} the runtime: it is ${state}, expected ${allowed.join(" or ")}`,
    );
    this.name = "RuntimeStateError";
    this.action = action;
    this.state = state;
    this.allowed = allowed;
  }
}

/**
 * Thrown when a node asks for an isolate the runtime cannot provide: a Worker placement when no
 * isolate host for that Worker was injected (`new Runtime({ isolates })`).
 *
 * @example A Worker placement without a host
 * ```ts
 * import { PlacementUnavailableError } from "@streamlib/streamlib";
 *
 * const error = new PlacementUnavailableError("fft_1", { worker: "analysis" }, []);
 * console.log(error.message);
 * ```
 */
export class PlacementUnavailableError extends Error {
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
   */
  constructor(node: string, placement: Placement, available: readonly string[]) {
    const where = isolateOf(placement);
    const why = available.length === 0
      ? 'no worker host or cross-isolate transport was injected, pass { isolates } to new Runtime() or place it on "main"'
      : `no host was injected for it, available isolates: main, ${available.join(", ")}`;
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
 * import { LoopPeriodMissingError } from "@streamlib/streamlib";
 *
 * console.log(new LoopPeriodMissingError("tone_1", "TestToneGenerator").message);
 * ```
 */
export class LoopPeriodMissingError extends Error {
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
 * import { NodeOptionsError } from "@streamlib/streamlib";
 *
 * const error = new NodeOptionsError("tone_1", 'onError must be one of "stop-processor", "stop-runtime", "restart", got "retry"');
 * console.log(error.message);
 * ```
 */
export class NodeOptionsError extends TypeError {
  /** The node's id. */
  readonly node: string;
  /** What is wrong. */
  readonly problem: string;

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param problem What is wrong.
   */
  constructor(node: string, problem: string) {
    super(`Cannot add node '${node}': ${problem}`);
    this.name = "NodeOptionsError";
    this.node = node;
    this.problem = problem;
  }
}
