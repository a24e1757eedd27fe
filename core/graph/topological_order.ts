/**
 * Ordering a graph's nodes so that every node comes before the nodes it feeds.
 *
 * @module
 */

/**
 * The node ids with every node before those it feeds (sources first, in the order of `nodes`;
 * sinks last). Edges to or from ids not in `nodes` are ignored; nodes on a cycle (which a
 * graph never has) are left out.
 *
 * @param nodes The node ids, in a stable order.
 * @param edges The connections, as `from` and `to` node ids.
 * @returns The ordered ids.
 *
 * @example Sources first
 * ```ts
 * import assert from "node:assert/strict";
 * import { topologicalOrder } from "./topological_order.ts";
 *
 * const order = topologicalOrder(["sink", "gain", "tone"], [
 *   { from: "gain", to: "sink" },
 *   { from: "tone", to: "gain" },
 * ]);
 * assert.deepEqual(order, [ "tone", "gain", "sink" ]);
 * ```
 */
export function topologicalOrder(
  nodes: Iterable<string>,
  edges: Iterable<{ readonly from: string; readonly to: string }>,
): string[] {
  const indegree = new Map<string, number>();
  for (const id of nodes) indegree.set(id, 0);
  const out = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!indegree.has(from) || !indegree.has(to)) continue;
    indegree.set(to, indegree.get(to)! + 1);
    const list = out.get(from);
    if (list) list.push(to);
    else out.set(from, [to]);
  }
  const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i];
    order.push(id);
    for (const next of out.get(id) ?? []) {
      const d = indegree.get(next)! - 1;
      indegree.set(next, d);
      if (d === 0) ready.push(next);
    }
  }
  return order;
}
