/**
 * The one-line status `deno task run` prints every second.
 *
 * @module
 */

import type { RuntimeStats } from "../mod.ts";

/**
 * Formats a stats snapshot as one line: state, nodes (and how many failed), frames moved,
 * dropped and queued on all connections, and the node with the slowest p99 process time.
 *
 * @param stats The snapshot.
 * @param elapsedSeconds Seconds since start.
 * @returns The line.
 */
export function statusLine(stats: RuntimeStats, elapsedSeconds: number): string {
  const nodes = Object.entries(stats.nodes);
  const failed = nodes.filter(([, n]) => n.state === "error").length;
  let written = 0;
  let lost = 0;
  let queued = 0;
  for (const c of Object.values(stats.connections)) {
    written += c.written;
    lost += c.dropped + c.fullRejections;
    queued += c.queued;
  }
  const slowest = nodes.reduce<[string, number] | undefined>(
    (worst, [id, n]) =>
      worst === undefined || n.processTime.p99Ns > worst[1] ? [id, n.processTime.p99Ns] : worst,
    undefined,
  );
  const slow = slowest ? ` | slowest ${slowest[0]} p99 ${(slowest[1] / 1e3).toFixed(0)} µs` : "";
  return `${elapsedSeconds.toFixed(1)}s ${stats.state} | ${nodes.length} nodes, ${failed} failed` +
    ` | ${written} frames, ${lost} dropped, ${queued} queued${slow}`;
}
