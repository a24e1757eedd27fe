/**
 * The goals of `bench/graph_bench.ts`, in one place, as issue 34 states them: each row's goal is
 * looked up here by the row's kind, so the table's goal column and the issue cannot drift apart.
 *
 * @module
 */

import type { Goal } from "./graph_bench_table.ts";

/** Every goal of the graph bench, by row kind. */
export const GRAPH_BENCH_GOALS = {
  /** 1, 4 and 16 pass-throughs in one isolate, 64 B, capacity 8: at least 2.5x GStreamer. */
  inIsolateCapacity8: { kind: "ratio", atLeast: 2.5 },
  /** 1 Worker hop, 64 B: at least 1.5x GStreamer's queue. */
  oneWorkerHop64B: { kind: "ratio", atLeast: 1.5 },
  /** 4 Worker hops, 64 B: at least 1.5x GStreamer's 4 queues, in every run. */
  fourWorkerHops64B: { kind: "ratio", atLeast: 1.5 },
  /** 1 and 4 hops of zero-filled 1080p RGBA: at least 1.5x (below one thread's fill ceiling). */
  zeroFilled1080p: { kind: "ratio", atLeast: 1.5 },
  /** 1 and 4 hops of untouched 1080p RGBA: at least GStreamer's rate. */
  untouched1080p: { kind: "ratio", atLeast: 1 },
  /** 720p30 live through 2 Workers (3 crossings): p99 below 0.5 ms. */
  latencyP99Ms: { kind: "below", value: 0.5 },
  /** The 2-input mixer with sine sources: at least GStreamer's audiomixer. */
  mixerSine: { kind: "ratio", atLeast: 1 },
  /** Peak RSS of the tone -> mixer -> WAV pipeline: below 60 MB, every built-in registered. */
  peakRssMb: { kind: "below", value: 60 },
  /** A 5,000-node manifest validated, loaded and started: below 10 s. */
  manifestStartSeconds: { kind: "below", value: 10 },
} as const satisfies Record<string, Goal>;
