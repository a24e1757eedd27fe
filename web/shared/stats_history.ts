/**
 * The last minutes of the stats stream, per node and per connection, for the side panel's plots
 * and the trace export: rate, queue fill, drops and p50/p99 process time.
 *
 * @module
 */

import type { StatsView } from "./protocol.ts";

/** What is recorded of a node. */
export const NODE_METRICS = ["rate", "p50", "p99"] as const;
/** What is recorded of a connection. */
export const CONNECTION_METRICS = ["rate", "fill", "drops"] as const;
/** A recorded quantity. */
export type Metric = typeof NODE_METRICS[number] | typeof CONNECTION_METRICS[number];

/** A series: times (ms since the epoch, the page's clock) and values. */
export interface Series {
  /** Sample times. */
  t: number[];
  /** Values: per second for rates, 0..1 for fill, nanoseconds for p50/p99. */
  v: number[];
}

/** Keeps a sample of every stat at most every `periodMs`, for `spanMs`. */
export class StatsHistory {
  readonly #series = new Map<string, Series>();
  readonly #periodMs: number;
  readonly #spanMs: number;
  #last = -Infinity;

  /**
   * Creates an empty history.
   *
   * @param spanMs How far back it keeps. Default 5 minutes.
   * @param periodMs Shortest time between samples. Default 500 ms.
   */
  constructor(spanMs = 5 * 60_000, periodMs = 500) {
    this.#spanMs = spanMs;
    this.#periodMs = periodMs;
  }

  /**
   * Records a stats message (skipped when the last sample is younger than the period).
   *
   * @param stats The stats.
   * @param now The time, ms. Default `Date.now()`.
   * @returns Whether it was recorded.
   *
   * @example Record two samples and read a rate
   * ```ts
   * import assert from "node:assert/strict";
   * import { StatsHistory } from "./stats_history.ts";
   *
   * const history = new StatsHistory();
   * const stats = (written: number) => ({
   *   state: "running", timeNs: 0, nodes: {}, levels: {},
   *   connections: { c1: { written, read: 0, dropped: 0, queued: 2, capacity: 8, fullRejections: 0,
   *     rates: { written, dropped: 0, moving: true } } },
   * }) as never;
   * history.record(stats(10), 1000);
   * history.record(stats(20), 2000);
   * assert.deepEqual(history.series("connection", "c1", "rate"), { t: [1000, 2000], v: [10, 20] });
   * assert.deepEqual(history.series("connection", "c1", "fill").v, [0.25, 0.25]);
   * ```
   */
  record(stats: StatsView, now = Date.now()): boolean {
    if (now - this.#last < this.#periodMs) return false;
    this.#last = now;
    const running = stats.state === "running";
    for (const [id, n] of Object.entries(stats.nodes)) {
      this.#push(`node:${id}:rate`, now, running ? n.rates.calls : 0);
      this.#push(`node:${id}:p50`, now, n.processTime.p50Ns);
      this.#push(`node:${id}:p99`, now, n.processTime.p99Ns);
    }
    for (const [id, c] of Object.entries(stats.connections)) {
      this.#push(`connection:${id}:rate`, now, running ? c.rates.written : 0);
      this.#push(`connection:${id}:fill`, now, c.queued / Math.max(1, c.capacity));
      this.#push(`connection:${id}:drops`, now, c.rates.dropped);
    }
    return true;
  }

  /**
   * One recorded series (empty when there is none).
   *
   * @param kind Node or connection.
   * @param id Its id.
   * @param metric The quantity.
   * @returns The samples, oldest first.
   */
  series(kind: "node" | "connection", id: string, metric: Metric): Series {
    return this.#series.get(`${kind}:${id}:${metric}`) ?? { t: [], v: [] };
  }

  /**
   * Every series as Chrome trace counter events (the JSON that Perfetto and `chrome://tracing`
   * open): one counter track per node and connection metric.
   *
   * @returns `{ traceEvents, displayTimeUnit }`.
   */
  toTrace(): { traceEvents: Record<string, unknown>[]; displayTimeUnit: "ms" } {
    const traceEvents: Record<string, unknown>[] = [
      { name: "process_name", ph: "M", pid: 1, tid: 0, args: { name: "streamlib dashboard" } },
    ];
    for (const [key, s] of this.#series) {
      const [kind, id, metric] = key.split(":");
      const unit = metric === "fill" ? "" : metric === "rate" || metric === "drops" ? "/s" : " ns";
      for (let i = 0; i < s.t.length; i++) {
        traceEvents.push({
          name: `${kind} ${id} ${metric}${unit}`,
          cat: kind,
          ph: "C",
          ts: s.t[i] * 1000,
          pid: 1,
          tid: 0,
          args: { [metric]: s.v[i] },
        });
      }
    }
    return { traceEvents, displayTimeUnit: "ms" };
  }

  #push(key: string, t: number, v: number): void {
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, s = { t: [], v: [] });
    s.t.push(t);
    s.v.push(v);
    let drop = 0;
    while (drop < s.t.length && t - s.t[drop] > this.#spanMs) drop++;
    if (drop > 0) {
      s.t.splice(0, drop);
      s.v.splice(0, drop);
    }
  }
}
