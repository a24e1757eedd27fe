/**
 * The options of the runtime and of its `add()`.
 *
 * @module
 */

import type { IsolateGpu } from "./gpu/device.ts";
import type { ErrorPolicy } from "./lifecycle/error_policy.ts";
import type { IsolateBackend } from "./isolates/host.ts";
import type { MediaClock } from "./time/media_clock.ts";
import type { NodeRegistry } from "./registry/node_registry.ts";
import type { Placement } from "./graph/placement.ts";
import type { Processor, TypesOf } from "./processor/processor.ts";
import type { RuntimeTimers } from "./time/timers.ts";

/**
 * Options of `new Runtime()`.
 *
 * @example A runtime over the built-in processors with a 2-run catch-up bound
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime, type RuntimeOptions } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const options: RuntimeOptions = { registry: builtinRegistry, maxCatchUp: 2 };
 * assert.equal(new Runtime(options).state, "stopped");
 * ```
 */
export interface RuntimeOptions {
  /** Where `add()` looks up processors by name or class. Default: an empty registry. */
  readonly registry?: NodeRegistry;
  /** The media clock. Default `monotonicClock`. */
  readonly clock?: MediaClock;
  /** The timers for loop deadlines and deferred turns. Default `systemTimers`. */
  readonly timers?: RuntimeTimers;
  /** Most runs a late loop catches up per tick; later deadlines are skipped. Default 4. */
  readonly maxCatchUp?: number;
  /** Worker hosts and the cross-isolate transport, for `{ worker }` placements. */
  readonly isolates?: IsolateBackend;
  /**
   * The most bytes of frame payloads alive at once (`ctx.frames` memory in JavaScript), in the
   * main isolate and every Worker together: one budget, shared with the Workers the `isolates`
   * backend starts. Past it, allocation waits for frames to be released (back-pressure), and a
   * stall that lasts raises a `frame_memory_stall` warning naming the node holding the memory.
   * Frames crossing isolates use the native frame pool's slots, bounded on their own. Default
   * 1 GiB.
   */
  readonly frameMemoryBytes?: number;
  /**
   * The largest single frame, in bytes (default 64 MiB). A processor asking for a bigger one gets
   * `FrameTooLargeError` and fails per its `onError` policy, so one node's config cannot take the
   * memory the rest of the graph runs on.
   */
  readonly maxFrameBytes?: number;
  /**
   * The most bytes of GPU textures the main isolate's texture pool keeps for GPU frames
   * (`ctx.frames.gpuVideo()` and the uploads of connections into GPU inputs), in use and free
   * together. Past it, allocation waits for frames to be released (back-pressure). Default
   * 512 MiB. See `docs/gpu.md`.
   */
  readonly gpuMemoryBytes?: number;
  /**
   * The isolate's GPU device holder. Default the isolate's own (`isolateGpu()`, over
   * `navigator.gpu`); tests pass one with no adapter.
   */
  readonly gpu?: IsolateGpu;
  /**
   * Admission control: the most bytes of frames the graph's nodes may pin, as estimated from
   * their configs and connections (frame size x frames held: the one being made, the
   * processor's own, each connection's capacity). `add()`, `setConfig()` and `connect()` refuse
   * an edit that would go over it with `MemoryBudgetError` (`memory_budget_exceeded`), and a node
   * whose frames would be over `maxFrameBytes` with `FrameTooLargeError`; nothing changes then.
   * Default 512 MiB (the demo pins under 10 MiB; one 4K RGBA source with its default connection
   * about 130 MiB).
   */
  readonly memoryBudgetBytes?: number;
}

/**
 * Options of `rt.add()`; manifests carry the same fields on each node.
 *
 * @example Name a node and restart it when it throws
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AddOptions } from "./options.ts";
 *
 * const options: AddOptions = { id: "tone", onError: "restart", maxRestarts: 2 };
 * assert.equal(options.placement ?? "main", "main");
 * ```
 */
export interface AddOptions {
  /** The node's id. Default: the snake_case processor name and a counter (`audio_mixer_1`). */
  readonly id?: string;
  /** The isolate the node runs in. Default `"main"`. */
  readonly placement?: Placement;
  /** What happens when the processor throws. Default `"stop-processor"`. */
  readonly onError?: ErrorPolicy;
  /** Restarts per run under `onError: "restart"`. Default 3. */
  readonly maxRestarts?: number;
}

/**
 * A processor class, as `rt.add()` takes it (abstract classes included).
 *
 * @typeParam P The processor instance type.
 *
 * @example Find the definition of a processor class
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Processor } from "@streamlib/streamlib";
 * import type { ProcessorClass } from "./options.ts";
 * import { builtinRegistry, Gain } from "@streamlib/streamlib/processors";
 *
 * function sourceOf<P extends Processor>(processorClass: ProcessorClass<P>): string | undefined {
 *   return builtinRegistry.of(processorClass)?.descriptor.source;
 * }
 * assert.equal(sourceOf(Gain), "processors/transforms/gain.ts");
 * ```
 */
export type ProcessorClass<P extends Processor> = abstract new (...args: never[]) => P;

/**
 * The config `rt.add()` takes for processor `P`: its config type with every field optional
 * (missing fields take their defaults).
 *
 * @typeParam P The processor instance type.
 */
export type ConfigInput<P> = Partial<TypesOf<P>["config"]>;
