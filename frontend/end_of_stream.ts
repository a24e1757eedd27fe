/**
 * Ending a graph's stream from a front-end: the control API's `POST /runtime/end_of_stream` and
 * MCP's `end_of_stream` tool both call {@linkcode endGraphStream}, so they report the same thing.
 *
 * @module
 */

import type { Runtime } from "../core/runtime.ts";
import { actionsFrom, type LifecycleAction, type RuntimeState } from "../core/lifecycle/state.ts";

/** How long {@linkcode endGraphStream} waits for the end to reach every node by default. */
export const END_OF_STREAM_WAIT_MS = 5_000;

/** What {@linkcode endGraphStream} reports. */
export interface EndOfStreamResult {
  /** The state when the call came (`running` or `paused`). */
  readonly from: RuntimeState;
  /** The state after it. */
  readonly state: RuntimeState;
  /** The lifecycle calls that state allows. */
  readonly actions: LifecycleAction[];
  /**
   * Whether every node reached end of stream within the wait (`end-of-stream` was emitted).
   * `false` while paused (nothing runs until `resume`), or when a node takes longer than the
   * wait to drain what is queued: the end still runs down the graph and the `end-of-stream`
   * event follows.
   */
  readonly ended: boolean;
}

/**
 * Ends the graph's stream (`rt.endOfStream()`: every source ends, the end runs down every
 * branch) and waits until the runtime says every node has ended, its state changes, or
 * `waitMs` passes, whichever is first.
 *
 * @param rt The runtime.
 * @param waitMs The longest wait, in milliseconds.
 * @returns The state before and after, the calls allowed now, and whether the graph has ended.
 * @throws {RuntimeStateError} `invalid_state` when the graph is not running or paused.
 *
 * @example End a live graph's stream, then stop it
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 * import { endGraphStream } from "./end_of_stream.ts";
 *
 * const rt = createRuntime({ workers: false });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * const result = await endGraphStream(rt);
 * assert.deepEqual(result, { from: "running", state: "running", actions: ["pause", "stop"], ended: true });
 * await rt.stop();
 * ```
 */
export async function endGraphStream(
  rt: Runtime,
  waitMs: number = END_OF_STREAM_WAIT_MS,
): Promise<EndOfStreamResult> {
  const from = rt.state;
  let settle = () => {};
  const settled = new Promise<void>((resolve) => settle = resolve);
  const unsubscribe = rt.on((event) => {
    if (event.type === "end-of-stream" || event.type === "runtime-state") settle();
  });
  const timer = setTimeout(settle, waitMs);
  try {
    rt.endOfStream();
    if (!rt.ended && rt.state === from && from === "running") await settled;
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
  return { from, state: rt.state, actions: actionsFrom(rt.state), ended: rt.ended };
}
