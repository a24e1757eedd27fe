/**
 * Waiting for a long-running command to be told to stop: Ctrl-C (SIGINT), SIGTERM, SIGHUP, a time limit
 * or an abort signal.
 *
 * @module
 */

/**
 * Resolves on the first of SIGINT, SIGTERM and SIGHUP (not on Windows), `seconds` elapsing or `signal`
 * aborting, then removes its listeners.
 *
 * @param seconds Stop after this many seconds (optional).
 * @param signal Stop when this aborts (optional).
 * @returns What stopped it.
 */
export async function waitForStop(
  seconds?: number,
  signal?: AbortSignal,
): Promise<"signal" | "time" | "abort"> {
  const { promise, resolve } = Promise.withResolvers<"signal" | "time" | "abort">();
  const onSignal = () => resolve("signal");
  const onAbort = () => resolve("abort");
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : [
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
  ];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  signal?.addEventListener("abort", onAbort);
  if (signal?.aborted) resolve("abort");
  const timer = seconds === undefined
    ? undefined
    : setTimeout(() => resolve("time"), seconds * 1e3);
  try {
    return await promise;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    signal?.removeEventListener("abort", onAbort);
    clearTimeout(timer);
  }
}
