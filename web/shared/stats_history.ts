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

/**
 * One moment of the stats as history keeps it: per node rate, p50 and p99, per connection rate,
 * fill and drops. The server's ring (`GET /api/v1/history`) holds these; the page's
 * {@linkcode StatsHistory} is built from them.
 */
export interface HistorySample {
  /** When, ms since the epoch (the clock of whoever took it). */
  t: number;
  /** By node id: calls per second (0 unless running), p50 and p99 process time in ns. */
  nodes: Record<string, { rate: number; p50: number; p99: number }>;
  /** By connection id: frames written per second (0 unless running), fill 0..1, drops per second. */
  connections: Record<string, { rate: number; fill: number; drops: number }>;
}

/**
 * The history sample of a stats message.
 *
 * @param stats The stats.
 * @param t When, ms.
 * @param maxEach Most nodes, and most connections, kept (the first ones); the rest are left out.
 * @returns The sample.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { historySample } from "./stats_history.ts";
 *
 * const stats = {
 *   state: "paused", timeNs: 0, nodes: {}, levels: {},
 *   connections: { c1: { written: 9, read: 0, dropped: 0, queued: 2, capacity: 8, fullRejections: 0,
 *     rates: { written: 9, dropped: 1, moving: false } } },
 * } as never;
 * assert.deepEqual(historySample(stats, 5), {
 *   t: 5, nodes: {}, connections: { c1: { rate: 0, fill: 0.25, drops: 1 } },
 * });
 * ```
 */
export function historySample(stats: StatsView, t: number, maxEach = Infinity): HistorySample {
  const running = stats.state === "running";
  const sample: HistorySample = { t, nodes: {}, connections: {} };
  let n = 0;
  for (const [id, node] of Object.entries(stats.nodes)) {
    if (n++ >= maxEach) break;
    sample.nodes[id] = {
      rate: running ? node.rates.calls : 0,
      p50: node.processTime.p50Ns,
      p99: node.processTime.p99Ns,
    };
  }
  n = 0;
  for (const [id, c] of Object.entries(stats.connections)) {
    if (n++ >= maxEach) break;
    sample.connections[id] = {
      rate: running ? c.rates.written : 0,
      fill: c.queued / Math.max(1, c.capacity),
      drops: c.rates.dropped,
    };
  }
  return sample;
}

/** The body of `GET /api/v1/history`. */
export interface HistoryReply {
  /** Time between samples, ms. */
  periodMs: number;
  /** Most samples the server keeps. */
  capacity: number;
  /** The server's clock when it answered, ms since the epoch. */
  now: number;
  /** The samples, oldest first. */
  samples: HistorySample[];
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
    this.#add(historySample(stats, now));
    return true;
  }

  /**
   * Adds samples older than what is recorded (the server's history, when the page opens): for
   * each series, the samples before its first one go in front.
   *
   * @param samples Samples, oldest first.
   * @param shiftMs Added to their times (the page's clock minus the server's).
   * @returns How many samples were read.
   *
   * @example The server's past before the page's first sample
   * ```ts
   * import assert from "node:assert/strict";
   * import { StatsHistory } from "./stats_history.ts";
   *
   * const history = new StatsHistory();
   * const at = (t: number, rate: number) => ({
   *   t, nodes: { gain: { rate, p50: 0, p99: 0 } }, connections: {},
   * });
   * history.prepend([at(1000, 1), at(2000, 2), at(3000, 3)], 0);
   * assert.deepEqual(history.series("node", "gain", "rate"), { t: [1000, 2000, 3000], v: [1, 2, 3] });
   * ```
   */
  prepend(samples: readonly HistorySample[], shiftMs: number): number {
    const before = new Map<string, Series>();
    const firsts = new Map<string, number>();
    const put = (key: string, t: number, v: number) => {
      if (!firsts.has(key)) firsts.set(key, this.#series.get(key)?.t[0] ?? Infinity);
      if (t >= firsts.get(key)!) return;
      let s = before.get(key);
      if (!s) before.set(key, s = { t: [], v: [] });
      s.t.push(t);
      s.v.push(v);
    };
    let taken = 0;
    for (const sample of samples) {
      const t = sample.t + shiftMs;
      for (const [id, n] of Object.entries(sample.nodes)) {
        for (const metric of NODE_METRICS) put(`node:${id}:${metric}`, t, n[metric]);
      }
      for (const [id, c] of Object.entries(sample.connections)) {
        for (const metric of CONNECTION_METRICS) put(`connection:${id}:${metric}`, t, c[metric]);
      }
      taken++;
    }
    for (const [key, s] of before) {
      const old = this.#series.get(key) ?? { t: [], v: [] };
      this.#series.set(key, { t: [...s.t, ...old.t], v: [...s.v, ...old.v] });
    }
    return taken;
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

  #add(sample: HistorySample): void {
    const now = sample.t;
    for (const [id, n] of Object.entries(sample.nodes)) {
      for (const metric of NODE_METRICS) this.#push(`node:${id}:${metric}`, now, n[metric]);
    }
    for (const [id, c] of Object.entries(sample.connections)) {
      for (const metric of CONNECTION_METRICS) {
        this.#push(`connection:${id}:${metric}`, now, c[metric]);
      }
    }
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
