/**
 * Errors of Worker placement.
 *
 * @module
 */

/**
 * Why the nodes of a Worker went to `error` when the Worker died: it exited (`close()`,
 * `terminate()`, `Deno.exit()`), threw outside a processor, or stopped answering. It is the
 * error of each node's `node-error` event; a `worker-exit` event names the Worker, the nodes and
 * the connections torn down.
 *
 * @example The message
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerExitedError } from "./errors.ts";
 *
 * const error = new WorkerExitedError("dsp", ["gain"], "exited with code 1");
 * assert.equal(error.message, "Worker 'dsp' died: exited with code 1, its nodes stopped: gain");
 * ```
 */
export class WorkerExitedError extends Error {
  /** The Worker's name. */
  readonly worker: string;
  /** The nodes that ran in it. */
  readonly nodes: readonly string[];
  /** Why it died. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param worker The Worker's name.
   * @param nodes Its nodes.
   * @param reason Why it died.
   * @param stack The stack of the error that killed it, when there was one.
   */
  constructor(worker: string, nodes: readonly string[], reason: string, stack?: string) {
    super(`Worker '${worker}' died: ${reason}, its nodes stopped: ${nodes.join(", ") || "none"}`);
    this.name = "WorkerExitedError";
    this.worker = worker;
    this.nodes = nodes;
    this.reason = reason;
    if (stack) this.stack = `${this.name}: ${this.message}\nCaused by: ${stack}`;
  }
}

/**
 * Thrown by `add()` when a node placed on a Worker has a definition the Worker cannot import:
 * one with no `moduleUrl` (generated definitions have one) while no registry module was given.
 *
 * @example The message
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerDefinitionError } from "./errors.ts";
 *
 * assert.equal(
 *   new WorkerDefinitionError("fft", "Fft", "dsp").message,
 *   "Cannot place node 'fft' on worker:dsp: the definition of 'Fft' has no moduleUrl for the Worker to import, run deno task codegen or pass { registries: [<module URL>] } to the worker options",
 * );
 * ```
 */
export class WorkerDefinitionError extends TypeError {
  /** The node's id. */
  readonly node: string;
  /** The processor name. */
  readonly processor: string;
  /** The Worker's name. */
  readonly worker: string;

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param processor The processor name.
   * @param worker The Worker's name.
   */
  constructor(node: string, processor: string, worker: string) {
    super(
      `Cannot place node '${node}' on worker:${worker}: the definition of '${processor}' has no moduleUrl for the Worker to import, run deno task codegen or pass { registries: [<module URL>] } to the worker options`,
    );
    this.name = "WorkerDefinitionError";
    this.node = node;
    this.processor = processor;
    this.worker = worker;
  }
}
