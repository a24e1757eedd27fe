/**
 * What a node needs from the isolate that runs it.
 *
 * @module
 */

import type { FrameMemorySource } from "../../frames/memory.ts";
import type { FrameLedger } from "../../frames/owned_frame.ts";
import type { MediaClock } from "../../time/media_clock.ts";
import type { NodeInstance } from "./node_instance.ts";
import type { RuntimeEvent } from "../../lifecycle/events.ts";
import type { RuntimeTimers } from "../../time/timers.ts";
import type { GpuResources } from "../../gpu/gpu_context.ts";

/** What a {@linkcode NodeInstance} needs from the isolate that runs it. */
export interface NodeEnvironment {
  /** The media clock. */
  readonly clock: MediaClock;
  /** The timer for loop deadlines. */
  readonly timers: RuntimeTimers;
  /** Most runs a loop makes per timer tick. */
  readonly maxCatchUp: number;
  /** Where this isolate's frame payloads come from (`ctx.frames`). */
  readonly memory: FrameMemorySource;
  /** The isolate's GPU device and texture pool (`ctx.gpu`, `ctx.frames.gpuVideo()`). */
  readonly gpu?: GpuResources;
  /** The frames alive in this isolate, for the leak report. */
  readonly ledger?: FrameLedger;
  /** Reports an event. */
  emit(event: RuntimeEvent): void;
  /** An allocation of frame memory failed (the isolate watches for a lasting stall). */
  memoryFailed?(): void;
  /** Who holds the most frame memory of the isolate now, in words (for a stall's warning). */
  memoryHolder?(): string | undefined;
  /** Asks for a run of `node` in the next scheduling turn (coalesced). */
  schedule(node: NodeInstance): void;
  /**
   * What a node that finished setting up does: start running, stay paused, wait for the
   * isolate's `run()`, or nothing because the isolate is stopping.
   */
  shouldRun(): "run" | "pause" | "wait" | "stop";
}
