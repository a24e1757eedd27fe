/**
 * Admission control: before a node joins the graph, its config changes or a connection is made,
 * the runtime estimates the frame memory the graph will pin and refuses the edit when it would
 * go over the runtime's budget ({@linkcode MemoryBudgetError}) or make frames larger than one
 * frame may be ({@linkcode FrameTooLargeError}). So a valid but huge config (an 8K pattern added
 * to a running graph) is refused up front, and the graph that was running keeps running.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { FrameTooLargeError } from "../frames/memory.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../frames/heap_memory.ts";
import {
  type FootprintConnection,
  type FootprintGraph,
  type FootprintNode,
  type IndexedFootprintGraph,
  indexFootprintGraph,
  type NodeFootprint,
} from "./footprint.ts";
import { type FootprintChanges, FootprintLedger } from "./ledger.ts";

export type { FootprintGraph, NodeFootprint };

/**
 * A graph that says which nodes each edit touched (the runtime's `Graph`): admission keeps its
 * estimate and re-estimates only those nodes and what they feed, so each edit costs about what
 * it touched, not the size of the graph.
 */
export interface TrackedFootprintGraph extends FootprintGraph, IndexedFootprintGraph {
  /** A number that grows with every edit. */
  readonly revision: number;
  /** The nodes touched after `revision`, or `undefined` when no longer known. */
  touchedSince(revision: number): Set<string> | undefined;
}

function isTracked(graph: FootprintGraph): graph is TrackedFootprintGraph {
  const g = graph as Partial<TrackedFootprintGraph>;
  return typeof g.revision === "number" && typeof g.touchedSince === "function" &&
    typeof g.outgoing === "function";
}

/** The default memory budget of a runtime's graph: 512 MiB of pinned frames. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 512 * 1024 * 1024;

/**
 * Thrown when an edit would make the graph pin more frame memory than the runtime's budget.
 * Nothing changed: the node was not added, the config is the old one, the connection not made.
 *
 * @example What the refusal names
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryBudgetError } from "./check.ts";
 *
 * const error = new MemoryBudgetError(
 *   { node: "big", processor: "TestPattern", frameBytes: 100, slots: 5, bytes: 500 },
 *   300,
 *   600,
 * );
 * assert.equal(error.code, "memory_budget_exceeded");
 * assert.deepEqual([error.details.bytes, error.details.usedBytes, error.details.budgetBytes], [500, 300, 600]);
 * assert.match(error.message, /memoryBudgetBytes/);
 * ```
 */
export class MemoryBudgetError extends RangeError {
  /** Stable machine code. */
  readonly code: ErrorCode = "memory_budget_exceeded";
  /** The node the edit was about and what it would pin. */
  readonly footprint: NodeFootprint;
  /** What the rest of the graph would pin with the edit made, in bytes. */
  readonly usedBytes: number;
  /** The runtime's budget, in bytes. */
  readonly budgetBytes: number;

  /**
   * Creates the error.
   *
   * @param footprint The node's estimate (with the edit made).
   * @param usedBytes What the other nodes would pin.
   * @param budgetBytes The budget.
   */
  constructor(footprint: NodeFootprint, usedBytes: number, budgetBytes: number) {
    const { node, processor, frameBytes, slots, bytes } = footprint;
    super(
      `Cannot admit '${node}' (${processor}): it would pin ${mib(bytes)} (${slots} frames of ${
        mib(frameBytes)
      }) and the graph already pins ${mib(usedBytes)}, over the memory budget of ${
        mib(budgetBytes)
      } (raise it with the runtime's memoryBudgetBytes option or the CLI's --memory-budget <MiB>, or use smaller frames or connection capacities)`,
    );
    this.name = "MemoryBudgetError";
    this.footprint = footprint;
    this.usedBytes = usedBytes;
    this.budgetBytes = budgetBytes;
  }

  /** The node, its frame size, slots and bytes, what is used and the budget. */
  get details(): ErrorDetails {
    return { ...this.footprint, usedBytes: this.usedBytes, budgetBytes: this.budgetBytes };
  }
}

/**
 * The runtime's admission check over its graph. Each check compares the graph's estimate before
 * and after the edit. For plain arrays of nodes and connections the estimate is made afresh;
 * for a graph that says what each edit touched ({@linkcode TrackedFootprintGraph}, the
 * runtime's), admission keeps the estimate and re-estimates only the touched nodes and the
 * nodes downstream whose frame size comes from them, so removing a node frees its share with
 * no bookkeeping by the caller and a graph of n nodes is built with about n estimates. An edit
 * that does not raise the total is always admitted (a graph already over a lowered budget can
 * still shrink).
 *
 * @example Refuse an 8K pattern next to a small one
 * ```ts
 * import assert from "node:assert/strict";
 * import { Admission, MemoryBudgetError } from "./check.ts";
 * import { testPatternNode } from "../../processors/sources/test_pattern.gen.ts";
 *
 * const node = (id: string, config: object) => ({
 *   id,
 *   definition: testPatternNode,
 *   descriptor: testPatternNode.descriptor,
 *   config: { pixelFormat: "I420", width: 640, height: 480, ...config },
 * });
 * const admission = new Admission({ budgetBytes: 64 * 1024 * 1024 });
 * const graph = { nodes: [node("small", {})], connections: [] };
 * admission.admitNode(graph, node("hd", { width: 1920, height: 1080 }));
 * assert.throws(
 *   () => admission.admitNode(graph, node("big", { width: 7680, height: 4320 })),
 *   MemoryBudgetError,
 * );
 * ```
 */
export class Admission {
  /** The most bytes of frames the graph may pin. */
  readonly budgetBytes: number;
  /** The largest single frame. */
  readonly maxFrameBytes: number;

  /**
   * @param options `budgetBytes` (default {@linkcode DEFAULT_MEMORY_BUDGET_BYTES}) and
   *   `maxFrameBytes` (default `DEFAULT_MAX_FRAME_BYTES`, the frame memory's own limit).
   * @throws {RangeError} When either is not a positive safe integer.
   */
  constructor(options: { budgetBytes?: number; maxFrameBytes?: number } = {}) {
    const budget = options.budgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
    const maxFrame = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    for (const [name, value] of [["memoryBudgetBytes", budget], ["maxFrameBytes", maxFrame]]) {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(
          `Cannot create the runtime: ${name} must be a positive integer, got ${value}`,
        );
      }
    }
    this.budgetBytes = budget as number;
    this.maxFrameBytes = maxFrame as number;
  }

  /**
   * Checks adding `node` to `graph`.
   *
   * @param graph The graph as it is.
   * @param node The new node.
   * @throws {MemoryBudgetError} When the graph would pin more than the budget.
   * @throws {FrameTooLargeError} When the node's frames would be over `maxFrameBytes`.
   */
  admitNode(graph: FootprintGraph, node: FootprintNode): void {
    const view = this.#view(graph);
    const ledger = this.#ledger(graph, view);
    const alone: IndexedFootprintGraph = {
      hasNode: (id) => id === node.id || view.hasNode(id),
      node: (id) => id === node.id ? node : view.node(id),
      outgoing: (id) => id === node.id ? [] : view.outgoing(id),
      incoming: (id) => id === node.id ? [] : view.incoming(id),
    };
    this.#check(node.id, ledger, ledger.changes(alone, [node.id]));
  }

  /**
   * Checks changing the config of node `id` to `config`.
   *
   * @param graph The graph as it is.
   * @param id The node.
   * @param config Its new config (validated, defaults filled in).
   * @throws {MemoryBudgetError} When the graph would pin more than the budget.
   * @throws {FrameTooLargeError} When the node's frames would be over `maxFrameBytes`.
   */
  admitConfig(graph: FootprintGraph, id: string, config: unknown): void {
    const view = this.#view(graph);
    if (!view.hasNode(id)) return;
    const ledger = this.#ledger(graph, view);
    this.#check(id, ledger, ledger.changes(view, [id], { ...view.node(id), config }));
  }

  /**
   * Checks a connection just made in `graph` (it is among `graph.connections`).
   *
   * @param graph The graph with the connection.
   * @param connection The new connection.
   * @throws {MemoryBudgetError} When the graph would pin more than the budget.
   */
  admitConnection(graph: FootprintGraph, connection: FootprintConnection): void {
    const view = this.#view(graph);
    const without: IndexedFootprintGraph = {
      hasNode: (id) => view.hasNode(id),
      node: (id) => view.node(id),
      outgoing: (id) => view.outgoing(id).filter((c) => !sameConnection(c, connection)),
      incoming: (id) => view.incoming(id).filter((c) => !sameConnection(c, connection)),
    };
    const ledger = this.#ledger(graph, without);
    const ends = [connection.from.node, connection.to.node];
    const changes = ledger.changes(view, ends);
    try {
      this.#check(connection.from.node, ledger, changes);
    } finally {
      // The kept estimate follows the graph, which has the connection until the caller
      // removes it (that removal is an edit the next check re-estimates).
      if (isTracked(graph)) ledger.apply(changes);
    }
  }

  /**
   * How many node estimates admission has made for `graph` since it first checked it: the
   * work its checks cost (a test counts it; it grows by about the nodes each edit touched).
   *
   * @param graph A graph checked before.
   * @returns The count (0 for a graph never checked or given as plain arrays).
   */
  estimatesFor(graph: FootprintGraph): number {
    return this.#ledgers.get(graph)?.ledger.estimates ?? 0;
  }

  readonly #ledgers = new WeakMap<object, { ledger: FootprintLedger; revision: number }>();

  #view(graph: FootprintGraph): IndexedFootprintGraph {
    return isTracked(graph) ? graph : indexFootprintGraph(graph);
  }

  /** The estimate of the graph as `view` shows it, kept up to date for a tracked graph. */
  #ledger(graph: FootprintGraph, view: IndexedFootprintGraph): FootprintLedger {
    if (!isTracked(graph)) return FootprintLedger.of(view, graph.nodes.map((n) => n.id));
    const kept = this.#ledgers.get(graph);
    const touched = kept && graph.touchedSince(kept.revision);
    if (kept && touched) {
      kept.ledger.apply(kept.ledger.changes(view, touched));
      kept.revision = graph.revision;
      return kept.ledger;
    }
    const ledger = FootprintLedger.of(view, graph.nodes.map((n) => n.id));
    this.#ledgers.set(graph, { ledger, revision: graph.revision });
    return ledger;
  }

  #check(id: string, ledger: FootprintLedger, changes: FootprintChanges): void {
    const footprint = changes.get(id);
    if (footprint === undefined) return;
    const total = ledger.totalWith(changes);
    if (total > this.budgetBytes && total > ledger.total) {
      throw new MemoryBudgetError(footprint, total - footprint.bytes, this.budgetBytes);
    }
    const { frameBytes, node, processor } = footprint;
    if (frameBytes > this.maxFrameBytes && frameBytes > (ledger.get(id)?.frameBytes ?? 0)) {
      throw new FrameTooLargeError(frameBytes, this.maxFrameBytes, { node, processor });
    }
  }
}

function sameConnection(a: FootprintConnection, b: FootprintConnection): boolean {
  return a === b ||
    (a.from.node === b.from.node && a.from.port === b.from.port && a.to.node === b.to.node &&
      a.to.port === b.to.port);
}

/** Bytes as MiB with one decimal, for messages. */
function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
