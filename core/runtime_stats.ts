/**
 * The states and counters the runtime reports for nodes and the whole graph.
 *
 * @module
 */

import type { ConnectionStats } from "./connection.ts";
import type { JsonValue } from "./json_schema.ts";
import type { LatencySummary } from "./latency_histogram.ts";

/**
 * The lifecycle states of the runtime: `stopped → running ⇄ paused → stopped`.
 *
 * @example Start only a stopped runtime
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { type RuntimeState } from "./runtime_stats.ts";
 *
 * const rt = new Runtime();
 * const startable: RuntimeState[] = ["stopped"];
 * if (startable.includes(rt.state)) await rt.start();
 * assert.equal(rt.state, "running");
 * await rt.stop();
 * ```
 */
export type RuntimeState = "stopped" | "starting" | "running" | "paused" | "stopping";

/**
 * The lifecycle states of one node. Nodes follow the runtime (`starting`, `running`, `paused`,
 * `stopping`, `stopped`) except when their processor failed (`error`).
 *
 * @example Find the nodes that failed
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeState } from "./runtime_stats.ts";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * rt.add("Gain", {}, { id: "gain" });
 * rt.add("Y4mFileSource", { path: "/no/such/clip.y4m" }, { id: "clip" });
 * await rt.start();
 * const failed = (state: NodeState) => state === "error";
 * const nodes = Object.entries(rt.stats().nodes);
 * assert.deepEqual(nodes.filter(([, n]) => failed(n.state)).map(([id]) => id), [ "clip" ]);
 * await rt.stop();
 * ```
 */
export type NodeState = "stopped" | "starting" | "running" | "paused" | "stopping" | "error";

/**
 * Counters of one node, cumulative since it was added. Updated on the hot path without
 * allocating; a snapshot allocates.
 */
export interface NodeStats {
  /** `process()` calls. */
  calls: number;
  /** Frames the processor read from its inputs. */
  framesIn: number;
  /** Frames the processor wrote to its outputs (a write fanning out to two connections is 1). */
  framesOut: number;
  /** Frames the processor read and dropped on purpose (`ctx.frames.drop()`), counted as lost. */
  framesDropped: number;
  /** Errors thrown by `setup()`, `process()` or `teardown()`. */
  errors: number;
  /** Restarts made by the `restart` error policy. */
  restarts: number;
  /**
   * Runs not made because a `fifo` output was full (back-pressure: the node waited for its
   * reader; a `loop` node skipped that deadline).
   */
  blockedRuns: number;
  /** Duration of `process()` calls (until the promise settles for async ones). */
  processTime: LatencySummary;
  /** `loop` nodes: runs that started a full period or more after their deadline. */
  lateRuns: number;
  /** `loop` nodes: deadlines dropped because the node fell more than the catch-up bound behind. */
  skippedRuns: number;
  /** `loop` nodes: the declared period in nanoseconds; `null` otherwise or before setup. */
  periodNs: number | null;
  /** The processor's own counters, when it reports any (`Processor.reportStats()`, e.g. `WhepSink`). */
  processor?: { [key: string]: JsonValue };
}

/**
 * A snapshot of the whole graph's counters: `rt.stats()`.
 */
export interface RuntimeStats {
  /** The runtime's state. */
  state: RuntimeState;
  /** When the snapshot was taken, on the media clock. */
  timeNs: number;
  /** Per node id: its state and counters. */
  nodes: Record<string, NodeStats & { state: NodeState }>;
  /** Per connection id: its counters. */
  connections: Record<string, ConnectionStats>;
}
