/**
 * The time limit on what a session's isolate runs (`maxRunMs`). Internal.
 *
 * In Deno 2.9 a Worker spinning in JavaScript goes on after `terminate()`: its thread keeps a
 * core busy until the process exits (decision 0068). So the isolate bounds what it runs itself:
 * each run (a scheduling turn, a loop's deadline; `RuntimeTimers.guard`) goes through a script of
 * `node:vm` run with a `timeout`, which V8 stops from a watchdog thread, unwinding every frame of
 * the run. About 14 µs of wall time and 18 µs of CPU time a run here, against 1-1.3 µs for the
 * same script without a timeout (`bench/session_channel_floor.ts` measures it per block).
 *
 * @module
 */

/** The run the guard's script calls (a global: the script sees nothing else). */
const GUARDED = "__streamlibGuardedRun";

/** Runs functions under a time limit; past it, they are stopped and `onStopped` is called. */
export class RunGuard {
  /** The limit in milliseconds: longest a run may take before it is stopped. */
  maxRunMs: number;
  readonly #onStopped: (maxRunMs: number) => void;
  #script: { runInThisContext(options: { timeout: number }): unknown } | undefined;

  /**
   * @param onStopped Called after a run went past the limit and was stopped.
   * @param maxRunMs The limit.
   */
  constructor(onStopped: (maxRunMs: number) => void, maxRunMs = 10_000) {
    this.#onStopped = onStopped;
    this.maxRunMs = maxRunMs;
  }

  /**
   * Loads `node:vm` (9-13 ms the first time here: a pooled isolate pays it before its session
   * comes). Before it, {@linkcode RunGuard.run} calls its run directly.
   */
  async load(): Promise<void> {
    if (this.#script !== undefined) return;
    const { Script } = await import("node:vm");
    this.#script ??= new Script(`globalThis.${GUARDED}()`);
  }

  /**
   * Runs `run` under the limit. A run stopped at the limit returns here, after `onStopped`,
   * without its `finally` blocks having run (V8 unwinds a termination uncaught): whatever state
   * the run left is not to be trusted, so the caller ends the session. Any other error the run
   * throws goes on to the caller.
   *
   * @param run What to run.
   */
  run(run: () => void): void {
    const script = this.#script;
    if (script === undefined) return run();
    const global = globalThis as Record<string, unknown>;
    const outer = global[GUARDED];
    global[GUARDED] = run;
    try {
      script.runInThisContext({ timeout: this.maxRunMs });
    } catch (error) {
      if ((error as { code?: unknown })?.code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw error;
      this.#onStopped(this.maxRunMs);
    } finally {
      global[GUARDED] = outer;
    }
  }
}
