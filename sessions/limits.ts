/**
 * The limits of a `PipelineRunner` and their defaults.
 *
 * @module
 */

/** What a `PipelineRunner` allows; every field has a default. */
export interface RunnerLimits {
  /** Sessions open at once; past it `stream()` refuses with `session_limit_reached`. Default 16. */
  readonly maxSessions?: number;
  /**
   * Frame memory each session's graph may pin (its runtime's `memoryBudgetBytes`: admission
   * control refuses a manifest over it with `memory_budget_exceeded`). Default 64 MiB.
   */
  readonly memoryBudgetBytes?: number;
  /**
   * A session whose isolate sent nothing and whose caller read nothing for this long ends with
   * `session_idle_timeout` (a caller that never reads stalls its graph and ends this way).
   * Default 30 000 ms.
   */
  readonly idleTimeoutMs?: number;
  /** A session ends with `session_too_long` after this long. Default 3 600 000 ms (1 h). */
  readonly maxSessionMs?: number;
  /**
   * The largest frame `send()` takes, payload and metadata, in bytes; a larger one is refused with
   * `message_too_large` and the session goes on. Default 16 MiB.
   */
  readonly maxMessageBytes?: number;
  /** How long a session's isolate may take to load its manifest and start. Default 30 000 ms. */
  readonly startTimeoutMs?: number;
  /**
   * Longest a processor of a session may run without returning (one synchronous run: a
   * `process()` call, or a turn of the graph's scheduler). Past it the run is stopped and the
   * session ends with `session_processor_failed` (`details.cause` `"max_run_ms"`), and its isolate
   * with it, so a processor stuck in a loop does not keep a core busy. Default 10 000 ms.
   */
  readonly maxRunMs?: number;
}

/** Every limit, defaults filled in. */
export type ResolvedLimits = Required<RunnerLimits>;

/**
 * The limits with their defaults filled in.
 *
 * @param limits What was given.
 * @returns Every limit.
 * @throws {RangeError} When a limit is not a positive number.
 *
 * @example Defaults and a bad limit
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveLimits } from "./limits.ts";
 *
 * assert.equal(resolveLimits({ maxSessions: 2 }).maxSessions, 2);
 * assert.equal(resolveLimits({}).idleTimeoutMs, 30_000);
 * assert.throws(() => resolveLimits({ maxSessions: 0 }), RangeError);
 * ```
 */
export function resolveLimits(limits: RunnerLimits = {}): ResolvedLimits {
  const resolved: ResolvedLimits = {
    maxSessions: limits.maxSessions ?? 16,
    memoryBudgetBytes: limits.memoryBudgetBytes ?? 64 * 1024 * 1024,
    idleTimeoutMs: limits.idleTimeoutMs ?? 30_000,
    maxSessionMs: limits.maxSessionMs ?? 3_600_000,
    maxMessageBytes: limits.maxMessageBytes ?? 16 * 1024 * 1024,
    startTimeoutMs: limits.startTimeoutMs ?? 30_000,
    maxRunMs: limits.maxRunMs ?? 10_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
      throw new RangeError(`Invalid runner limit ${name}: must be a positive number, got ${value}`);
    }
  }
  return resolved;
}
