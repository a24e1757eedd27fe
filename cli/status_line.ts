/**
 * The one-line status `deno task run` prints every second.
 *
 * @module
 */

import type { NodeStats } from "../types.ts";
import type { RuntimeStats } from "../mod.ts";
import { terminalSafe } from "../core/processor/terminal_text.ts";

/** Most nodes the status line names as dropping frames; the rest are counted. */
const MAX_NAMED_DROPPERS = 3;

/**
 * Formats a stats snapshot as one line: state, nodes (and how many failed), frames written to
 * connections (with those a connection discarded because its reader had failed: they were
 * offered), dropped (on connections, including those discarded, and by nodes that discarded
 * frames they read, with the nodes that lost frames: those they discarded plus those a full
 * connection refused them, `framesRefused`, which the connections' `fullRejections` already
 * count) and queued, and the node with the slowest p99 process time. Node ids go through
 * `terminalSafe()`.
 *
 * @param stats The snapshot.
 * @param elapsedSeconds Seconds since start.
 * @param failedNodes Nodes that failed during the run, counted as failed even once they were
 *   stopped (or restarted), so the last line after `stop()` still says how many failed.
 * @returns The line.
 *
 * @example A writer that dropped frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusLine } from "./status_line.ts";
 * import { createRuntime } from "../processors/mod.ts";
 *
 * await using rt = createRuntime();
 * rt.add("NullSink", {}, { id: "sink" });
 * const stats = rt.stats();
 * stats.nodes.sink.framesDropped = 7;
 * assert.match(statusLine(stats, 1), /7 dropped \(sink 7\)/);
 * ```
 *
 * @example A source whose writes a full connection refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusLine } from "./status_line.ts";
 * import { createRuntime } from "../processors/mod.ts";
 *
 * await using rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * const stats = rt.stats();
 * stats.nodes.tone.framesRefused = 3; // and so the connection's fullRejections
 * Object.values(stats.connections)[0].fullRejections = 3;
 * assert.match(statusLine(stats, 1), /3 dropped \(tone 3\)/);
 * ```
 */
export function statusLine(
  stats: RuntimeStats,
  elapsedSeconds: number,
  failedNodes: ReadonlySet<string> = new Set(),
): string {
  const nodes = Object.entries(stats.nodes);
  const failed = nodes.filter(([id, n]) => n.state === "error" || failedNodes.has(id)).length;
  let written = 0;
  let lost = 0;
  let queued = 0;
  for (const c of Object.values(stats.connections)) {
    written += c.written + c.discarded;
    lost += c.dropped + c.fullRejections + c.discarded; // discarded: its reader had failed
    queued += c.queued;
  }
  for (const [, n] of nodes) lost += n.framesDropped;
  const nodeLost = (n: NodeStats) => n.framesDropped + n.framesRefused;
  const droppers = nodes.filter(([, n]) => nodeLost(n) > 0)
    .sort(([, a], [, b]) => nodeLost(b) - nodeLost(a));
  let byNode = "";
  if (droppers.length > 0) {
    const named = droppers.slice(0, MAX_NAMED_DROPPERS)
      .map(([id, n]) => `${terminalSafe(id, 64)} ${nodeLost(n)}`);
    if (droppers.length > MAX_NAMED_DROPPERS) {
      named.push(`${droppers.length - MAX_NAMED_DROPPERS} more nodes`);
    }
    byNode = ` (${named.join(", ")})`;
  }
  const slowest = nodes.reduce<[string, number] | undefined>(
    (worst, [id, n]) =>
      worst === undefined || n.processTime.p99Ns > worst[1] ? [id, n.processTime.p99Ns] : worst,
    undefined,
  );
  const slow = slowest
    ? ` | slowest ${terminalSafe(slowest[0], 64)} p99 ${(slowest[1] / 1e3).toFixed(0)} µs`
    : "";
  return `${elapsedSeconds.toFixed(1)}s ${stats.state} | ${nodes.length} nodes, ${failed} failed` +
    ` | ${written} frames, ${lost} dropped${byNode}, ${queued} queued${slow}`;
}
