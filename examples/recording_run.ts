/**
 * What the recording examples share: running a runtime until Ctrl-C (SIGINT), SIGTERM or a time
 * limit, a progress line per second, a clean stop (so `Mp4Writer` finalizes its file), and one
 * JSON summary line at the end that scripts and tests read.
 *
 * @module
 */

import type { Runtime } from "../mod.ts";
import { waitForStop } from "../cli/wait_for_stop.ts";

/** Options of {@linkcode runRecording}. */
export interface RecordingRun {
  /** The runtime, with its graph added and connected. */
  rt: Runtime;
  /** The output file, for the messages. */
  path: string;
  /** Stop by itself after this many seconds; until a signal when absent. */
  seconds?: number;
  /**
   * With `seconds`: once the time is up, keep running until this returns true (polled every 20
   * ms, for at most 10 s more), e.g. until the sources have made `seconds` of media, which a
   * loaded machine may take longer than `seconds` to do.
   */
  until?: () => boolean;
  /** Node ids whose `framesOut` is reported (video frames encoded, audio blocks made). */
  report: Record<string, string>;
  /**
   * The writer's node id: its counters (`Mp4Writer`'s stats: packets, audio silence filled or
   * trimmed to keep it on its timestamps) are reported as `recorded`.
   */
  writer?: string;
  /**
   * The live source's node id: the media time it skipped because it fell behind (`skippedMs` of
   * its processor stats; the frames it never made) is reported as `skippedMs`.
   */
  source?: string;
}

/**
 * Starts the runtime, reports progress, stops it cleanly and prints the summary line
 * `{"path":..,"stoppedBy":..,"<name>":<framesOut>,...,"recorded":{..}}`.
 *
 * @param run The runtime, file, limit and counters to report.
 * @returns The summary.
 */
export async function runRecording(run: RecordingRun): Promise<Record<string, unknown>> {
  const { rt, path, seconds, report, until } = run;
  const counts = () =>
    Object.fromEntries(
      Object.entries(report).map(([name, node]) => [name, rt.stats().nodes[node]?.framesOut ?? 0]),
    );
  const errors: string[] = [];
  // A node failing with onError "stop-runtime" (a missing camera) stops the runtime by itself.
  const stoppedItself = Promise.withResolvers<"error">();
  const stopped = Promise.withResolvers<void>();
  const off = rt.on((event) => {
    if (event.type === "node-error") errors.push(`${event.node}: ${event.message}`);
    if (event.type === "runtime-state" && event.to === "stopping") stoppedItself.resolve("error");
    if (event.type === "runtime-state" && event.to === "stopped") stopped.resolve();
  });
  const abort = new AbortController();
  await rt.start();
  console.error(`Recording to ${path}; press Ctrl-C to stop.`);
  const progress = setInterval(() => console.error(JSON.stringify(counts())), 1000);
  let stoppedBy = await Promise.race([waitForStop(seconds, abort.signal), stoppedItself.promise]);
  abort.abort();
  if (stoppedBy === "time" && until) stoppedBy = await waitUntil(until, stoppedItself.promise);
  clearInterval(progress);
  if (rt.state === "running" || rt.state === "paused") await rt.stop();
  // Stopping by itself: wait until every node is torn down (the writer has finalized its file).
  else if (rt.state !== "stopped") await stopped.promise;
  off();
  const recorded = run.writer === undefined ? {} : {
    recorded: rt.stats().nodes[run.writer]?.processor ?? {},
  };
  const skipped = run.source === undefined ? {} : {
    skippedMs: (rt.stats().nodes[run.source]?.processor as { skippedMs?: number } | undefined)
      ?.skippedMs ?? 0,
  };
  const summary = { path, stoppedBy, ...counts(), ...recorded, ...skipped, errors };
  console.log(JSON.stringify(summary));
  return summary;
}

/** Polls `done` every 20 ms for at most 10 s; a signal or the runtime stopping ends it early. */
async function waitUntil(
  done: () => boolean,
  stoppedItself: Promise<"error">,
): Promise<"time" | "signal" | "error"> {
  const abort = new AbortController();
  const deadline = Date.now() + 10_000;
  const polled = (async () => {
    while (!done() && Date.now() < deadline && !abort.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return "time" as const;
  })();
  const signalled = waitForStop(undefined, abort.signal);
  const by = await Promise.race([polled, signalled, stoppedItself]);
  abort.abort();
  await polled;
  // "stdout": nothing here writes through the CLI's output, so it cannot come; a stop all the same.
  return by === "abort" ? "time" : by === "stdout" ? "signal" : by;
}
