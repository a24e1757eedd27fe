/**
 * The graph and stats as the dashboard shows them: the runtime's, without the preview taps, with
 * per-second rates.
 *
 * @module
 */

import type { GraphDescription, RuntimeEvent, RuntimeStats } from "../mod.ts";
import { nodeOf } from "./port_end.ts";
import { PreviewTaps } from "./previews.ts";
import type { AudioLevel, DashboardEvent, GraphView, StatsView } from "./shared/protocol.ts";

/**
 * The graph without the dashboard's taps (nodes, their connections, and the connection ids in
 * the outputs' lists).
 *
 * @param graph `rt.describe()`.
 * @returns The visible graph.
 */
export function visibleGraph(graph: GraphDescription): GraphView {
  const hidden = new Set(
    graph.connections.filter((c) => PreviewTaps.isTap(nodeOf(c.to))).map((c) => c.id),
  );
  const isolates: Record<string, string[]> = {};
  for (const [name, ids] of Object.entries(graph.isolates)) {
    const visible = ids.filter((id) => !PreviewTaps.isTap(id));
    if (visible.length > 0) isolates[name] = visible;
  }
  return {
    state: graph.state,
    nodes: graph.nodes.filter((n) => !PreviewTaps.isTap(n.id)).map((n) => ({
      ...n,
      outputs: n.outputs.map((p) => ({
        ...p,
        connections: p.connections.filter((id) => !hidden.has(id)),
      })),
    })),
    connections: graph.connections.filter((c) => !hidden.has(c.id)),
    isolates,
  };
}

/**
 * Whether an event concerns only the dashboard's taps (and so is not shown).
 *
 * @param event A runtime or dashboard event.
 * @returns Whether it is a tap's.
 */
export function isTapEvent(event: DashboardEvent): boolean {
  const e = event as RuntimeEvent;
  if ("node" in e && typeof e.node === "string") return PreviewTaps.isTap(e.node);
  if (e.type === "connection-added" || e.type === "connection-removed") {
    return PreviewTaps.isTap(nodeOf(e.to));
  }
  return false;
}

/** Turns successive `rt.stats()` snapshots into {@linkcode StatsView}s with rates over ~1 s. */
export class RateTracker {
  readonly #history: RuntimeStats[] = [];
  readonly #windowNs: number;

  /**
   * Creates the tracker.
   *
   * @param windowNs The span rates are averaged over. Default 1 s.
   */
  constructor(windowNs = 1e9) {
    this.#windowNs = windowNs;
  }

  /**
   * Adds a snapshot without making a view, so a later view has a baseline to take rates from.
   *
   * @param stats `rt.stats()`.
   */
  observe(stats: RuntimeStats): void {
    this.#trim(stats.timeNs);
    this.#history.push(stats);
    if (this.#history.length > 64) this.#history.shift();
  }

  /**
   * How far back the rates of a view taken at `timeNs` would reach, in nanoseconds (0 with no
   * snapshot yet).
   *
   * @param timeNs The time of the next snapshot.
   * @returns The span.
   */
  spanNs(timeNs: number): number {
    this.#trim(timeNs);
    const base = this.#history[0];
    return base ? Math.max(0, timeNs - base.timeNs) : 0;
  }

  #trim(timeNs: number): void {
    const history = this.#history;
    while (history.length > 1 && timeNs - history[1].timeNs >= this.#windowNs) history.shift();
  }

  /**
   * Adds a snapshot and returns the view of it.
   *
   * @param stats `rt.stats()`.
   * @param visible The connection and node ids to keep.
   * @param levels The audio levels of watched outputs.
   * @returns The view, with rates against the oldest snapshot inside the window.
   */
  view(
    stats: RuntimeStats,
    visible: { nodes: ReadonlySet<string>; connections: ReadonlySet<string> },
    levels: Record<string, AudioLevel>,
  ): StatsView {
    const history = this.#history;
    this.#trim(stats.timeNs);
    const base = history[0];
    const previous = history.at(-1);
    const seconds = base ? (stats.timeNs - base.timeNs) / 1e9 : 0;
    const rate = (now: number, then: number | undefined) =>
      seconds > 0 && then !== undefined && now >= then
        ? Math.round(((now - then) / seconds) * 10) / 10
        : 0;
    const view: StatsView = {
      state: stats.state,
      timeNs: stats.timeNs,
      nodes: {},
      connections: {},
      levels,
    };
    for (const [id, node] of Object.entries(stats.nodes)) {
      if (!visible.nodes.has(id)) continue;
      const then = base?.nodes[id];
      view.nodes[id] = {
        ...node,
        rates: {
          calls: rate(node.calls, then?.calls),
          framesIn: rate(node.framesIn, then?.framesIn),
          framesOut: rate(node.framesOut, then?.framesOut),
        },
      };
    }
    for (const [id, c] of Object.entries(stats.connections)) {
      if (!visible.connections.has(id)) continue;
      const then = base?.connections[id];
      view.connections[id] = {
        ...c,
        rates: {
          written: rate(c.written, then?.written),
          dropped: rate(c.dropped, then?.dropped),
          moving: c.written > (previous?.connections[id]?.written ?? c.written),
        },
      };
    }
    history.push(stats);
    if (history.length > 64) history.shift();
    return view;
  }
}
