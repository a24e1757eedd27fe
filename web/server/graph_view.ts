/**
 * The graph and stats as the dashboard shows them: the runtime's, with per-second rates.
 *
 * @module
 */

import type { GraphDescription, RuntimeStats } from "../../mod.ts";
import type { AudioLevel, GraphView, StatsView } from "../shared/protocol.ts";

/**
 * The graph as the dashboard shows it (previews are probes, never nodes: nothing is hidden).
 *
 * @param graph `rt.describe()`.
 * @returns The graph view.
 */
export function visibleGraph(graph: GraphDescription): GraphView {
  const { state, nodes, connections, isolates } = graph;
  return { state, nodes, connections, isolates };
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
    if (stats.gpu) view.gpu = stats.gpu;
    history.push(stats);
    if (history.length > 64) history.shift();
    return view;
  }
}
