/**
 * Waiting for a long-running command to be told to stop: Ctrl-C (SIGINT), SIGTERM, SIGHUP, a time limit
 * or an abort signal.
 *
 * @module
 */

let stopSignalled = false;

/**
 * Records that a stop signal came while no command was listening for one (the scoped child of
 * `run`, `dashboard` and `mcp` holds every signal from its start; see `cli/scoped_child.ts`),
 * so the next {@linkcode waitForStop} resolves at once and a SIGTERM sent while the pipeline is
 * still loading is not lost.
 */
export function noteStopSignal(): void {
  stopSignalled = true;
}

/**
 * Whether a stop signal was noted by {@linkcode noteStopSignal}.
 *
 * @returns `true` once one came.
 */
export function stopSignalNoted(): boolean {
  return stopSignalled;
}

let stdoutGone = false;
const stdoutListeners = new Set<() => void>();

/**
 * Records that stdout's reader went away (a write failed with `EPIPE`: `streamlib run --json |
 * head -1`): a command waiting in {@linkcode waitForStop}, or listening with
 * {@linkcode onStdoutClosed}, stops as on SIGTERM (sinks finalize, sessions close), and exits 1.
 * `CONSOLE.out` (cli/cli_output.ts) calls it; later calls do nothing.
 */
export function noteStdoutClosed(): void {
  if (stdoutGone) return;
  stdoutGone = true;
  for (const listener of [...stdoutListeners]) listener();
}

/**
 * Whether stdout's reader went away while a command ran ({@linkcode noteStdoutClosed}).
 *
 * @returns `true` once a write to stdout failed because nobody reads it.
 */
export function stdoutClosed(): boolean {
  return stdoutGone;
}

/**
 * Calls `listener` once stdout's reader goes away (at once if it already has).
 *
 * @param listener What to call.
 * @returns A function that removes the listener.
 */
export function onStdoutClosed(listener: () => void): () => void {
  if (stdoutGone) {
    listener();
    return () => {};
  }
  stdoutListeners.add(listener);
  return () => stdoutListeners.delete(listener);
}

/**
 * Resolves on the first of SIGINT, SIGTERM and SIGHUP (not on Windows), `seconds` elapsing,
 * `signal` aborting or stdout's reader going away ({@linkcode noteStdoutClosed}), then removes
 * its listeners.
 *
 * @param seconds Stop after this many seconds (optional).
 * @param signal Stop when this aborts (optional).
 * @returns What stopped it.
 */
export async function waitForStop(
  seconds?: number,
  signal?: AbortSignal,
): Promise<"signal" | "time" | "abort" | "stdout"> {
  const { promise, resolve } = Promise.withResolvers<"signal" | "time" | "abort" | "stdout">();
  const onSignal = () => resolve("signal");
  const onAbort = () => resolve("abort");
  const offStdout = onStdoutClosed(() => resolve("stdout"));
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : [
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
  ];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  signal?.addEventListener("abort", onAbort);
  if (signal?.aborted) resolve("abort");
  if (stopSignalled) resolve("signal");
  const timer = seconds === undefined
    ? undefined
    : setTimeout(() => resolve("time"), seconds * 1e3);
  try {
    return await promise;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    signal?.removeEventListener("abort", onAbort);
    offStdout();
    clearTimeout(timer);
  }
}

/** How long a stop asked for during `start()` waits for setup to return: 5 s. */
export const START_GRACE_MS = 5_000;

/**
 * Starts `rt` while already listening for a stop (`stop`, from {@linkcode waitForStop} called
 * before): a signal that comes while nodes are still in `setup()` stops the command instead of
 * killing the process. Then `start()` gets up to `graceMs` to return, so the graph can be stopped
 * cleanly (recordings finalized).
 *
 * @param rt The runtime.
 * @param stop The pending stop.
 * @param graceMs How long to wait for `start()` after a stop. Default {@linkcode START_GRACE_MS}.
 * @returns `"started"`, `"stopped"` (a stop came while starting; the graph started or failed
 *   meanwhile and can be stopped), `"late"` (setup still had not returned after `graceMs`) or the
 *   error `start()` threw.
 *
 * @example Start, unless asked to stop first
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { startUnlessStopped, waitForStop } from "./wait_for_stop.ts";
 *
 * const rt = new Runtime();
 * const abort = new AbortController();
 * const stop = waitForStop(undefined, abort.signal);
 * assert.equal(await startUnlessStopped(rt, stop), "started");
 * abort.abort();
 * assert.equal(await stop, "abort");
 * await rt.stop();
 * ```
 */
export async function startUnlessStopped(
  rt: { start(): Promise<void> },
  stop: Promise<unknown>,
  graceMs: number = START_GRACE_MS,
): Promise<"started" | "stopped" | "late" | Error> {
  const starting = rt.start().then(() => "started" as const, (error: Error) => error);
  const first = await Promise.race([starting, stop.then(() => "stop" as const)]);
  if (first !== "stop") return first;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    starting,
    new Promise<"late">((resolve) => timer = setTimeout(resolve, graceMs, "late")),
  ]);
  clearTimeout(timer);
  return settled === "late" ? "late" : "stopped";
}
