/**
 * The estimate of a whole graph kept up to date edit by edit: an edit re-estimates the nodes it
 * touched and those downstream whose frame size comes from what they read, never the whole
 * graph, so building a graph of n nodes costs about n estimates, not n².
 *
 * @module
 */

import { topologicalOrder } from "../graph/topological_order.ts";
import {
  declaresOwnFrames,
  type FootprintNode,
  type IndexedFootprintGraph,
  type NodeFootprint,
  nodeFootprint,
} from "./footprint.ts";

/** New estimates by node id; `undefined` for a node no longer in the graph. */
export type FootprintChanges = Map<string, NodeFootprint | undefined>;

/**
 * Each node's estimate and their sum.
 *
 * @example Re-estimate only what an edit touched
 * ```ts
 * import assert from "node:assert/strict";
 * import { FootprintLedger } from "./ledger.ts";
 * import { indexFootprintGraph } from "./footprint.ts";
 * import { testPatternNode } from "../../processors/sources/test_pattern.gen.ts";
 * import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
 *
 * const pattern = { id: "p", definition: testPatternNode, descriptor: testPatternNode.descriptor, config: { width: 16, height: 16, pixelFormat: "RGBA" } };
 * const sink = { id: "s", definition: nullSinkNode, descriptor: nullSinkNode.descriptor, config: {} };
 * const ledger = FootprintLedger.of(indexFootprintGraph({ nodes: [pattern, sink], connections: [] }), ["p", "s"]);
 * assert.equal(ledger.total, 1024 * 5); // 1 + default video capacity 3 + 1
 * const connected = indexFootprintGraph({
 *   nodes: [pattern, sink],
 *   connections: [{ from: { node: "p", port: "video" }, to: { node: "s", port: "in" }, capacity: 8 }],
 * });
 * const changes = ledger.changes(connected, ["p", "s"]);
 * assert.equal(ledger.totalWith(changes), 1024 * 10); // 1 + 8 + 1
 * ledger.apply(changes);
 * assert.equal(ledger.total, 1024 * 10);
 * ```
 */
export class FootprintLedger {
  readonly #footprints = new Map<string, NodeFootprint>();
  #total = 0;
  #estimates = 0;

  /**
   * Estimates every node of a graph.
   *
   * @param graph The graph.
   * @param ids Its node ids.
   * @returns The ledger.
   */
  static of(graph: IndexedFootprintGraph, ids: Iterable<string>): FootprintLedger {
    const ledger = new FootprintLedger();
    ledger.apply(ledger.changes(graph, ids));
    return ledger;
  }

  /** The sum of every node's bytes. */
  get total(): number {
    return this.#total;
  }

  /** How many node estimates this ledger has made: the work its edits cost. */
  get estimates(): number {
    return this.#estimates;
  }

  /**
   * A node's estimate.
   *
   * @param id The node's id.
   * @returns The estimate, or `undefined` when the node is not counted.
   */
  get(id: string): NodeFootprint | undefined {
    return this.#footprints.get(id);
  }

  /**
   * The estimates of `seeds` and of every node downstream of them whose frame size comes from
   * what it reads, as they are in `graph` (the ledger holds the rest). Nothing is kept.
   *
   * @param graph The graph as the edit leaves it.
   * @param seeds The nodes the edit touched.
   * @param override A node record to use instead of the graph's (a config being checked).
   * @returns The new estimates.
   */
  changes(
    graph: IndexedFootprintGraph,
    seeds: Iterable<string>,
    override?: FootprintNode,
  ): FootprintChanges {
    const record = (id: string) => override?.id === id ? override : graph.node(id);
    const affected = new Set<string>();
    const stack = [...seeds];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (affected.has(id)) continue;
      affected.add(id);
      if (!graph.hasNode(id)) continue;
      for (const c of graph.outgoing(id)) {
        const next = c.to.node;
        if (!affected.has(next) && graph.hasNode(next) && !declaresOwnFrames(record(next))) {
          stack.push(next);
        }
      }
    }
    const edges: { from: string; to: string }[] = [];
    for (const id of affected) {
      if (!graph.hasNode(id)) continue;
      for (const c of graph.outgoing(id)) {
        if (affected.has(c.to.node)) edges.push({ from: id, to: c.to.node });
      }
    }
    const changes: FootprintChanges = new Map();
    const frameBytesOf = (id: string) =>
      (changes.has(id) ? changes.get(id) : this.#footprints.get(id))?.frameBytes ?? 0;
    for (const id of topologicalOrder(affected, edges)) {
      if (!graph.hasNode(id)) {
        changes.set(id, undefined);
        continue;
      }
      this.#estimates++;
      changes.set(id, nodeFootprint(graph, record(id), frameBytesOf));
    }
    return changes;
  }

  /**
   * The total with `changes` made.
   *
   * @param changes New estimates.
   * @returns The total in bytes.
   */
  totalWith(changes: FootprintChanges): number {
    let total = this.#total;
    for (const [id, footprint] of changes) {
      total += (footprint?.bytes ?? 0) - (this.#footprints.get(id)?.bytes ?? 0);
    }
    return total;
  }

  /**
   * Keeps `changes`.
   *
   * @param changes New estimates.
   */
  apply(changes: FootprintChanges): void {
    this.#total = this.totalWith(changes);
    for (const [id, footprint] of changes) {
      if (footprint) this.#footprints.set(id, footprint);
      else this.#footprints.delete(id);
    }
  }
}
