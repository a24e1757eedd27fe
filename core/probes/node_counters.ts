/**
 * The counters behind a node's stats.
 *
 * @module
 */

import { LatencyHistogram } from "../time/latency_histogram.ts";
import type { PortTable } from "../ports/port_table.ts";
import type { NodeStats } from "../lifecycle/stats.ts";

/** What a loop node adds to its stats. */
export interface LoopCounters {
  /** Runs that started a full period or more after their deadline. */
  readonly lateRuns: number;
  /** Deadlines dropped by the catch-up bound. */
  readonly skippedRuns: number;
  /** The declared period. */
  readonly periodNs: number | undefined;
}

/** Every one of a node's first runs is timed: short tests and slow nodes see each run. */
export const TIMED_RUNS_IN_FULL = 256;
/** After the first {@linkcode TIMED_RUNS_IN_FULL} runs, one run in this many is timed. */
export const TIMED_RUN_SAMPLE = 64;

/**
 * Counts a node's calls, errors and restarts and times its `process()` calls in a fixed-bucket
 * histogram. Frames in, out and refused are read from the node's port bindings when a snapshot
 * is taken.
 *
 * Timing a run reads the clock twice (about 50-100 ns in Deno, a third of a pass-through run at
 * millions of frames per second), so not every run is timed: each of a node's first
 * {@linkcode TIMED_RUNS_IN_FULL} runs is, then one in {@linkcode TIMED_RUN_SAMPLE}
 * ({@linkcode NodeCounters.timesNextRun}). `processTime` summarises the runs timed
 * (`processTime.count` of them), an unbiased sample of the rest; `calls` counts every run.
 * Recording never allocates.
 *
 * @example Count two calls
 * ```ts
 * import assert from "node:assert/strict";
 * import { NodeCounters } from "./node_counters.ts";
 * import { PortTable } from "../ports/port_table.ts";
 *
 * const counters = new NodeCounters();
 * counters.called(2_000);
 * counters.called(4_000);
 * const ports = new PortTable({ name: "X", inputs: [], outputs: [] });
 * assert.equal(counters.snapshot(ports, undefined).calls, 2);
 * ```
 */
export class NodeCounters {
  readonly #histogram = new LatencyHistogram();
  #calls = 0;
  /** Errors thrown by `setup()`, `process()` or `teardown()`. */
  errors = 0;
  /** Restarts made by the `restart` policy. */
  restarts = 0;
  /** Runs not made because a `fifo` output was full. */
  blocked = 0;

  /**
   * Whether the next run is to be timed: every one of the first {@linkcode TIMED_RUNS_IN_FULL},
   * then one in {@linkcode TIMED_RUN_SAMPLE}.
   *
   * @returns `true` when the caller should pass the run's duration to `called()`.
   */
  timesNextRun(): boolean {
    const calls = this.#calls;
    return calls < TIMED_RUNS_IN_FULL || calls % TIMED_RUN_SAMPLE === 0;
  }

  /**
   * Counts one `process()` call.
   *
   * @param durationNs How long it took (until it settled, for async ones), or `undefined` for a
   *   run that was not timed (see {@linkcode NodeCounters.timesNextRun}).
   */
  called(durationNs?: number): void {
    this.#calls++;
    if (durationNs !== undefined) this.#histogram.record(durationNs);
  }

  /**
   * The stats (allocates; for control paths).
   *
   * @param ports The node's port bindings, for frames in and out.
   * @param loop The loop counters, for `loop` nodes.
   * @returns The snapshot.
   */
  snapshot(ports: PortTable, loop: LoopCounters | undefined, framesDropped = 0): NodeStats {
    let framesIn = 0;
    let framesOut = 0;
    let framesRefused = 0;
    const framesRefusedByOutput: { [output: string]: number } = {};
    for (const name of ports.inputNames) framesIn += ports.input(name).framesRead;
    for (const name of ports.outputNames) {
      const output = ports.output(name);
      framesOut += output.framesWritten;
      framesRefused += output.framesRefused;
      framesRefusedByOutput[name] = output.framesRefused;
    }
    return {
      calls: this.#calls,
      framesIn,
      framesOut,
      framesDropped,
      framesRefused,
      framesRefusedByOutput,
      errors: this.errors,
      restarts: this.restarts,
      blockedRuns: this.blocked,
      processTime: this.#histogram.summary(),
      lateRuns: loop?.lateRuns ?? 0,
      skippedRuns: loop?.skippedRuns ?? 0,
      periodNs: loop?.periodNs ?? null,
    };
  }
}
