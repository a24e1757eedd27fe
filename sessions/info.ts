/**
 * {@linkcode SessionInfo} and {@linkcode SessionSnapshot}: what a runner tells about a live
 * session, for an operator (`streamlib serve`'s `/v1/admin/sessions` and its dashboard page).
 *
 * @module
 */

import type { GraphDescription } from "../core/description.ts";
import type { SessionState } from "./session.ts";

/**
 * One live session as `PipelineRunner.list()` gives it: plain JSON.
 *
 * @example Say what a session is doing
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SessionInfo } from "@streamlib/streamlib/sessions";
 *
 * const info: SessionInfo = {
 *   id: "s1",
 *   pipeline: "voice-fx",
 *   state: "running",
 *   startedAt: "2026-01-01T00:00:00.000Z",
 *   framesIn: 50,
 *   framesOut: 49,
 *   heapBytes: 6_000_000,
 * };
 * const line = `${info.id} ${info.pipeline} ${info.state}: ${info.framesIn} in, ${info.framesOut} out`;
 * assert.equal(line, "s1 voice-fx running: 50 in, 49 out");
 * ```
 */
export interface SessionInfo {
  /** The session's id, unique in its runner (`s1`, `s2`, ...). */
  readonly id: string;
  /** The pipeline's name as the transport named it (`""` when the caller named none). */
  readonly pipeline: string;
  /** Where the session is. */
  readonly state: SessionState;
  /** When the session was opened, ISO 8601. */
  readonly startedAt: string;
  /** Frames its graph took from the caller. */
  readonly framesIn: number;
  /** Frames the caller read out. */
  readonly framesOut: number;
  /**
   * The session isolate's JavaScript heap in use, in bytes (`Deno.memoryUsage().heapUsed` in
   * that isolate), or `null` when the isolate did not answer in time (busy, or not started).
   */
  readonly heapBytes: number | null;
}

/** A session and its graph: `PipelineRunner.inspect()`. */
export interface SessionSnapshot extends SessionInfo {
  /** The session's graph as its runtime describes it: nodes, states, connections, counters. */
  readonly graph: GraphDescription;
}
