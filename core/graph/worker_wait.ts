/**
 * The rule of Workers that block their thread (`placement: { worker, wait: "block" }`): only
 * processors that need no event loop run there, and every node of one Worker waits the same way.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";
import { type Placement, waitOf, type WorkerWait } from "./placement.ts";

/** Why a node cannot have the wait it asked for. */
export type WorkerWaitProblem =
  | "processor-needs-event-loop"
  | "loop-mode"
  | "mixed-waits";

/**
 * Thrown by `rt.add()` (and a manifest's load) when a node placed with `wait: "block"` runs a
 * processor that needs its event loop (it did not declare `needsEventLoop: false`, or it is a
 * `loop`-mode source, whose deadlines are timers), or when the node's Worker already runs nodes
 * that wait the other way.
 *
 * @example Catch it by code
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerWaitError } from "./worker_wait.ts";
 *
 * const error = new WorkerWaitError("tone", "Tone", "dsp", "loop-mode", ["event-loop"]);
 * assert.equal(error.code, "worker_wait_refused");
 * assert.deepEqual(error.details.available, ["event-loop"]);
 * ```
 */
export class WorkerWaitError extends TypeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "worker_wait_refused";
  /** The node's id. */
  readonly node: string;
  /** Its processor. */
  readonly processor: string;
  /** The Worker's name. */
  readonly worker: string;
  /** What is wrong. */
  readonly problem: WorkerWaitProblem;
  /** The waits this node may have in this Worker. */
  readonly available: readonly WorkerWait[];

  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      node: this.node,
      processor: this.processor,
      worker: this.worker,
      problem: this.problem,
      available: [...this.available],
    };
  }

  /**
   * Names the node, its Worker and what is wrong.
   *
   * @param node The node's id.
   * @param processor Its processor.
   * @param worker The Worker's name.
   * @param problem What is wrong.
   * @param available The waits it may have there.
   */
  constructor(
    node: string,
    processor: string,
    worker: string,
    problem: WorkerWaitProblem,
    available: readonly WorkerWait[],
  ) {
    const why = {
      "processor-needs-event-loop":
        `${processor} needs its event loop (it does not declare @processor({ needsEventLoop: false }))`,
      "loop-mode": `${processor} is a loop-mode processor (its deadlines are event-loop timers)`,
      "mixed-waits": `Worker '${worker}' already runs nodes that wait otherwise`,
    }[problem];
    const valid = available.length > 0
      ? `valid: ${available.map((w) => `wait: "${w}"`).join(" or ")}`
      : "place it on another Worker";
    super(`Cannot place node '${node}' on Worker '${worker}' with this wait: ${why}; ${valid}`);
    this.name = "WorkerWaitError";
    this.node = node;
    this.processor = processor;
    this.worker = worker;
    this.problem = problem;
    this.available = available;
  }
}

/** A node already in the graph, as {@linkcode checkWorkerWait} looks at it. */
export interface PlacedNode {
  /** Its id. */
  readonly id: string;
  /** Its placement. */
  readonly placement: Placement;
}

/**
 * Refuses a placement whose wait the processor or its Worker's other nodes do not allow.
 *
 * @param node The node's id.
 * @param placement Where it was asked to run.
 * @param descriptor Its processor's descriptor.
 * @param others The graph's nodes (those on the same Worker are compared).
 * @throws {WorkerWaitError} When it asks to block but needs its event loop, or when its wait
 * differs from that of the nodes already on its Worker.
 *
 * @example A filter that declared it needs no event loop may block; a file writer may not
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWorkerWait, WorkerWaitError } from "./worker_wait.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 * import { wavWriterNode } from "../../processors/sinks/wav_writer.gen.ts";
 *
 * const placement = { worker: "dsp", wait: "block" } as const;
 * checkWorkerWait("gain", placement, gainNode.descriptor, []); // needsEventLoop: false
 * assert.throws(
 *   () => checkWorkerWait("wav", placement, wavWriterNode.descriptor, []),
 *   (e) => e instanceof WorkerWaitError && e.problem === "processor-needs-event-loop",
 * );
 * ```
 */
export function checkWorkerWait(
  node: string,
  placement: Placement,
  descriptor: ProcessorDescriptor,
  others: Iterable<PlacedNode>,
): void {
  if (placement === "main") return;
  const wait = waitOf(placement);
  const { worker } = placement;
  const refuse = (problem: WorkerWaitProblem, available: readonly WorkerWait[]) =>
    new WorkerWaitError(node, descriptor.name, worker, problem, available);
  const mayBlock = descriptor.mode !== "loop" && descriptor.needsEventLoop === false;
  if (wait === "block" && !mayBlock) {
    const problem = descriptor.mode === "loop" ? "loop-mode" : "processor-needs-event-loop";
    throw refuse(problem, ["event-loop"]);
  }
  for (const other of others) {
    if (other.id === node || other.placement === "main") continue;
    if (other.placement.worker !== worker) continue;
    const theirs = waitOf(other.placement);
    if (theirs === wait) continue;
    throw refuse("mixed-waits", theirs === "event-loop" || mayBlock ? [theirs] : []);
  }
}
