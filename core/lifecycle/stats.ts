/**
 * The states and counters the runtime reports for nodes and the whole graph.
 *
 * @module
 */

import type { ConnectionStats } from "../transport/connection.ts";
import type { JsonValue } from "../schema/json_schema.ts";
import type { LatencySummary } from "../time/latency_histogram.ts";
import type { NodeState, RuntimeState } from "./state.ts";
import type { GpuStats } from "../gpu/gpu_context.ts";

// The states are the one state machine's (lifecycle_state.ts, with its transition tables);
// named here too because stats, describe() and events report them.
export type { NodeState, RuntimeState } from "./state.ts";

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
  /**
   * Writes a connection refused (a full `fifo`: `write()` returned `false`), so at least one
   * reader never got that frame; counted by the runtime for every processor, whatever the
   * processor does about it. The same refusals show per connection in `fullRejections`.
   */
  framesRefused: number;
  /** `framesRefused` by output port name, every output of the node listed. */
  framesRefusedByOutput: { [output: string]: number };
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
  /**
   * The main isolate's GPU: whether it has a device, the adapter, and the texture pool's
   * counters (textures and bytes in use and free). GPU nodes run in the main isolate.
   */
  gpu?: GpuStats;
}
