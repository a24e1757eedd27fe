/**
 * {@linkcode createProcessContext}: a process context for driving a processor by hand (tests,
 * benchmarks, tools), with the same `ctx.frames` a runtime gives.
 *
 * @module
 */

import type { FrameMemorySource } from "../frames/memory.ts";
import { HeapMemorySource } from "../frames/heap_memory.ts";
import { type MediaClock, monotonicClock } from "../time/media_clock.ts";
import { type BindablePorts, NodeFrames } from "../frames/node_frames.ts";
import type { ProcessContext } from "./context.ts";
import { stderrNodeLog } from "./log.ts";
import type { NodeWarningCode } from "../errors/warning_codes.ts";
import { GpuResources, type NodeGpu } from "../gpu/gpu_context.ts";

/** A hand-made {@linkcode ProcessContext}; call `frames.flush()` after each `process()`. */
export interface HandProcessContext extends ProcessContext {
  /** The frames of this context, with the runtime's `flush()`. */
  readonly frames: NodeFrames;
  /** The node's GPU context (the isolate's device; a texture pool of this context's own). */
  readonly gpu: NodeGpu;
  /** Whether the processor called `endOfStream()`. */
  readonly ended: boolean;
  /** Whether the processor called `endOfStream({ graph: true })`: it asked for the graph to end. */
  readonly graphEndRequested: boolean;
  /** What the processor raised with `warn()`, oldest first (each also printed to stderr). */
  readonly warnings: readonly HandWarning[];
}

/** One `ctx.warn()` of a {@linkcode HandProcessContext}. */
export interface HandWarning {
  /** The warning's code. */
  readonly code: NodeWarningCode;
  /** The port concerned. */
  readonly port: string;
  /** The warning in words. */
  readonly message: string;
}

/**
 * Makes a process context with its own frame memory, as the runtime would give a node. After each
 * `process()`, `ctx.frames.flush()` does what the runtime does: releases what the run read and
 * made, or gives back to their inputs the frames a run read and could not finish for want of
 * memory.
 *
 * @param node The node's name.
 * @param options The clock (default the monotonic clock), the frame memory (default a new
 *   JavaScript memory source), the processor's ports (`definition.ports()`): given, the
 *   context owns them as a runtime's node does (`NodeFrames.bind()`), and the GPU resources
 *   (default: the isolate's device with a texture pool of this context's own; `ctx.gpu.ready()`
 *   makes the device, as a runtime does before the setup of a node with GPU ports).
 * @returns The context.
 * @throws {TypeError} When `options.ports` is not a port table.
 *
 * @example Drive a processor by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("gain");
 * const block = ctx.frames.audio({ channels: 2, sampleRate: 48000, frameCount: 480 })!;
 * assert.equal(block.samples.length, 960);
 * ctx.frames.flush();
 * assert.equal(block.released, true);
 * ctx.endOfStream(); // what a source does after its last frame
 * assert.equal(ctx.ended, true);
 * assert.equal(ctx.graphEndRequested, false); // endOfStream({ graph: true }) ends the graph too
 * ctx.warn("av_drift", "audio", "audio drifted 120 ms from its sample count"); // also on stderr
 * assert.deepEqual(ctx.warnings.map((w) => w.code), ["av_drift"]);
 * ```
 */
export function createProcessContext(
  node: string,
  options: {
    clock?: MediaClock;
    memory?: FrameMemorySource;
    ports?: BindablePorts;
    gpu?: GpuResources;
  } = {},
): HandProcessContext {
  const memory = options.memory ?? new HeapMemorySource();
  const gpu = (options.gpu ?? new GpuResources()).context(node);
  const frames = new NodeFrames(node, memory, undefined, { gpu });
  const ports = options.ports;
  if (ports !== undefined) {
    if (!Array.isArray(ports?.inputBindings) || !Array.isArray(ports?.outputBindings)) {
      const got = ports === null ? "null" : typeof ports;
      throw new TypeError(
        `Cannot create a process context for '${node}': options.ports must be a port table (definition.ports()), got ${got}`,
      );
    }
    frames.bind(ports);
  }
  let [ended, graphEndRequested] = [false, false];
  const log = stderrNodeLog(node);
  const warnings: HandWarning[] = [];
  return {
    node,
    clock: options.clock ?? monotonicClock,
    frames,
    gpu,
    log,
    warnings,
    warn: (code, port, message) => {
      warnings.push({ code, port, message });
      log.warn(message, { code, port });
    },
    get ended() {
      return ended;
    },
    get graphEndRequested() {
      return graphEndRequested;
    },
    endOfStream: (options) => {
      ended = true;
      if (options?.graph === true) graphEndRequested = true;
    },
  };
}
