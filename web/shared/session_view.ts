/**
 * A session's graph as the dashboard draws it: the admin API's `describe()` of the session's
 * runtime turned into the stats and errors the graph view reads, with per-second rates from the
 * previous poll.
 *
 * @module
 */

import type { GraphDescription } from "../../core/description.ts";
import type { NodeErrorInfo, StatsView } from "./protocol.ts";

/**
 * The stats view of a session's graph: each node's and connection's counters, with rates over
 * the time since `previous` (0 without one).
 *
 * @param graph The session's graph (`GET /v1/admin/sessions/:id/graph`'s `graph`).
 * @param atMs When it was fetched (`Date.now()`).
 * @param previous The view of the previous poll, and when it was fetched.
 * @returns The view.
 *
 * @example Rates from two polls a second apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "../../processors/mod.ts";
 * import { sessionStats } from "./session_view.ts";
 *
 * const rt = createRuntime();
 * rt.add("Gain", {}, { id: "fx" });
 * const graph = rt.describe();
 * const first = sessionStats(graph, 1_000);
 * assert.equal(first.nodes.fx.rates.framesIn, 0);
 * graph.nodes[0].stats.framesIn = 50;
 * const second = sessionStats(graph, 2_000, { stats: first, atMs: 1_000 });
 * assert.equal(second.nodes.fx.rates.framesIn, 50);
 * ```
 */
export function sessionStats(
  graph: GraphDescription,
  atMs: number,
  previous?: { readonly stats: StatsView; readonly atMs: number },
): StatsView {
  const seconds = previous ? (atMs - previous.atMs) / 1000 : 0;
  const rate = (now: number, then: number | undefined) =>
    seconds > 0 && then !== undefined && now >= then
      ? Math.round(((now - then) / seconds) * 10) / 10
      : 0;
  const view: StatsView = {
    state: graph.state,
    timeNs: atMs * 1e6,
    nodes: {},
    connections: {},
    levels: {},
  };
  for (const node of graph.nodes) {
    const then = previous?.stats.nodes[node.id];
    view.nodes[node.id] = {
      ...node.stats,
      state: node.state,
      rates: {
        calls: rate(node.stats.calls, then?.calls),
        framesIn: rate(node.stats.framesIn, then?.framesIn),
        framesOut: rate(node.stats.framesOut, then?.framesOut),
      },
    };
  }
  for (const c of graph.connections) {
    const then = previous?.stats.connections[c.id];
    view.connections[c.id] = {
      ...c.stats,
      rates: {
        written: rate(c.stats.written, then?.written),
        dropped: rate(c.stats.dropped, then?.dropped),
        moving: then !== undefined && c.stats.written > then.written,
      },
    };
  }
  return view;
}

/**
 * The last error of each failed node of a session's graph, as the graph view marks them.
 *
 * @param graph The session's graph.
 * @param atMs When it was fetched.
 * @returns The errors by node id.
 */
export function sessionErrors(
  graph: GraphDescription,
  atMs: number,
): Record<string, NodeErrorInfo> {
  const errors: Record<string, NodeErrorInfo> = {};
  for (const node of graph.nodes) {
    if (!node.failure) continue;
    const { phase, message, code } = node.failure;
    errors[node.id] = { phase, name: code ?? "Error", message, stack: null, timeNs: atMs * 1e6 };
  }
  return errors;
}
