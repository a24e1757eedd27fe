/**
 * What the runtime passes to a processor's lifecycle methods.
 *
 * @module
 */

import type { MediaClock } from "../time/media_clock.ts";
import type { Frames } from "../frames/node_frames.ts";
import type { NodeLog } from "./log.ts";
import type { NodeWarningCode } from "../errors/warning_codes.ts";
import type { GpuContext } from "../gpu/gpu_context.ts";

/**
 * How a `loop`-mode processor tells the runtime how often to call `process()`. The runtime runs
 * the processor at absolute deadlines `start + n * period` on the media clock, so timer jitter
 * never accumulates into drift.
 *
 * @example Declare a 10 ms period in setup
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SetupContext } from "@streamlib/streamlib";
 * import type { LoopControl } from "./context.ts";
 *
 * function setup(ctx: SetupContext): void {
 *   ctx.loop?.setPeriodNs(480 / 48_000 * 1e9); // one 480-sample block at 48 kHz
 * }
 * let declared = 0;
 * const loop: LoopControl = {
 *   get periodNs() {
 *     return declared;
 *   },
 *   setPeriodNs: (ns) => void (declared = ns),
 * };
 * setup({ node: "tone", clock: { nowNs: () => 0 }, loop });
 * assert.equal(loop.periodNs, 10000000);
 * ```
 */
export interface LoopControl {
  /** The declared period in nanoseconds, or `undefined` before `setPeriodNs()`. */
  readonly periodNs: number | undefined;
  /**
   * Sets the time between two `process()` calls. May be called again later (from `process()`)
   * to change the rate; the new period counts from the next deadline.
   *
   * @param periodNs The period in nanoseconds, a finite number above 0.
   * @throws {RangeError} When the period is not a finite positive number.
   */
  setPeriodNs(periodNs: number): void;
}

/**
 * Passed to `setup()`. Setup may allocate: buffers, frame pools, native resources.
 *
 * The optional members are given by a runtime; a processor run by hand (in a unit test) gets
 * only `node` and `clock`, so processors use them with `?.`.
 *
 * @example A context for a test
 * ```ts
 * import assert from "node:assert/strict";
 * import { monotonicClock, type SetupContext } from "@streamlib/streamlib";
 *
 * const ctx: SetupContext = { node: "tone", clock: monotonicClock };
 * assert.equal(ctx.node, "tone");
 * ```
 */
export interface SetupContext {
  /** The node's name in the graph. */
  readonly node: string;
  /** The graph's media clock. */
  readonly clock: MediaClock;
  /**
   * For `loop`-mode processors run by a runtime: declare the period here (required, or setup
   * fails with `LoopPeriodMissingError`).
   */
  readonly loop?: LoopControl;
  /**
   * Asks the runtime to call `process()` soon. `pull`-mode processors keep it and call it from
   * their own callback or thread of control; calls are coalesced (one run per node per turn)
   * and ignored while the runtime is not running the node. Never throws.
   */
  readonly wake?: () => void;
  /**
   * The node's logger: each line is a `node-log` event attributed to the node (shown by
   * `streamlib run`, the dashboard and MCP clients). Given by a runtime; print nothing to stdout.
   */
  readonly log?: NodeLog;
  /**
   * The isolate's GPU device (`ctx.gpu.device`), given by a runtime: ready before `setup()` for a
   * node with a `GpuVideoFrame` port; others `await ctx.gpu.ready()` first. See `docs/gpu.md`.
   */
  readonly gpu?: GpuContext;
}

/**
 * Passed to every `process()` call. The runtime reuses one object per node, so a processor may
 * keep a reference.
 *
 * @example A context for a test
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext, type ProcessContext } from "@streamlib/streamlib";
 *
 * const ctx: ProcessContext = createProcessContext("gain");
 * assert.ok(ctx.clock.nowNs() > 0);
 * assert.equal(ctx.frames.video({ width: 2, height: 2, format: "RGBA" })?.data.length, 16);
 * ```
 */
export interface ProcessContext {
  /** The node's name in the graph. */
  readonly node: string;
  /** The graph's media clock. */
  readonly clock: MediaClock;
  /**
   * Where the processor gets frames, and how it keeps or writes them in place. Everything it
   * makes or reads in a run is released when `process()` returns, unless kept with
   * `frames.keep()`.
   */
  readonly frames: Frames;
  /**
   * The isolate's GPU device, one per isolate and shared by every processor in it (see
   * {@linkcode SetupContext.gpu} and `docs/gpu.md`). GPU frames come from `frames.gpuVideo()`.
   */
  readonly gpu: GpuContext;
  /**
   * The node's logger (`ctx.log.info("opened", { rate })`): each line is a `node-log` event
   * attributed to the node, which `streamlib run`, the dashboard and MCP clients show. Use it,
   * not `console.log`: stdout carries `--json` output and MCP's protocol. Outside a runtime
   * (`createProcessContext()`) lines go to stderr.
   */
  readonly log: NodeLog;
  /**
   * For a `loop`-mode node run by a runtime: the media-clock time this run was due, in
   * nanoseconds (`start + n * period`). A loop that falls more than its catch-up bound behind
   * skips deadlines (counted in the node's stats), so a live source that stamps its frames with
   * this keeps them on the clock, where a count of runs would fall behind. `undefined` in other
   * runs (a run asked for by `wake()`, or by the runtime when frame memory frees) and outside a
   * runtime.
   */
  readonly deadlineNs?: number;
  /**
   * Raises a `node-warning` event attributed to the node: something the node works around but
   * the user should hear of (a recording whose audio drifted from its timestamps: `av_drift`).
   * Never throws. Outside a runtime (`createProcessContext()`) the warning goes to stderr.
   *
   * @param code The warning's code, one of `NODE_WARNING_CODES`.
   * @param port The port concerned (`""` for the node as a whole).
   * @param message The warning in words, naming what and how much.
   */
  warn(code: NodeWarningCode, port: string, message: string): void;
  /**
   * End of stream: the processor will write nothing more (a file source after its last frame).
   * When `process()` returns the node stops running and its outputs end: each reader ends once it
   * has read what is queued, a node whose connected inputs have all ended ends in turn, and the
   * runtime emits `end-of-stream` when every node has ended (`streamlib run` then stops and exits
   * 0). The node runs again after the next `start()`.
   *
   * With `{ graph: true }` the node also asks for the whole graph to end, as a GStreamer
   * application sends EOS into its pipeline when a sink's window is closed: the runtime ends
   * every source (`rt.endOfStream()`), the end runs down every branch (what is queued is still
   * processed), and `end-of-stream` follows. A sink whose viewer is gone (`VideoWindow` when its
   * window is closed) ends the run this way, live sources and all.
   *
   * @param options `graph: true` to end the whole graph, not only this node.
   */
  endOfStream(options?: EndOfStreamOptions): void;
}

/** What {@linkcode ProcessContext.endOfStream} ends besides the node. */
export interface EndOfStreamOptions {
  /**
   * Whether the whole graph ends (`rt.endOfStream()`: every source ends, the end runs down the
   * graph); default `false`, only this node.
   */
  readonly graph?: boolean;
}
