/**
 * The timer the runtime arms for loop deadlines and deferred scheduling turns.
 *
 * @module
 */

/**
 * A one-shot timer. The runtime takes it as an option so tests can drive time by hand; the
 * default is the platform's `setTimeout`.
 *
 * @example Count the timers a runtime arms
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RuntimeTimers, systemTimers } from "./timers.ts";
 *
 * let armed = 0;
 * const counting: RuntimeTimers = {
 *   setTimeout: (callback, delayMs) => (armed++, systemTimers.setTimeout(callback, delayMs)),
 *   clearTimeout: (id) => systemTimers.clearTimeout(id),
 * };
 * counting.clearTimeout(counting.setTimeout(() => {}, 10));
 * assert.equal(armed, 1);
 * ```
 */
export interface RuntimeTimers {
  /**
   * Calls `callback` once, `delayMs` milliseconds from now (or as soon as possible).
   *
   * @returns An id for `clearTimeout`.
   */
  setTimeout(callback: () => void, delayMs: number): number;
  /** Cancels a timer that has not fired; unknown ids are ignored. */
  clearTimeout(id: number): void;
  /**
   * Calls `callback` once, in a later task of the event loop: after the I/O and timers that are
   * already due, but without a timer's delay (Node's `setImmediate`). The scheduler's deferred
   * turns use it. Optional: without it they use `setTimeout(callback, 0)`, which fires about 2 ms
   * later in Deno on Linux (measured 2.1 ms against 1.6 µs for `setImmediate`).
   */
  defer?(callback: () => void): void;
  /**
   * Runs `turn` (a scheduling turn or a loop's deadline: where processors run) and returns when
   * it has. Optional: without it the runtime calls `turn` itself. A session's isolate passes one
   * that stops a turn running past its `maxRunMs` (`sessions/_session_worker.ts`): a Worker
   * spinning in JavaScript cannot be stopped from outside in Deno 2.9 (`terminate()` leaves its
   * thread running), only from within, by a time limit on what it runs.
   */
  guard?(turn: () => void): void;
  /**
   * Where the runtime records which node is in a call of its processor, when given: before each
   * `process()` or `drain()` call, `node` is set to the node's id and `type` to its processor's
   * name; when the call returns (or throws), both go back to `undefined`. A guard that stopped a
   * run reads it to name the node (a call stopped mid-way leaves it set). Only the synchronous
   * part of an async `process()` is recorded.
   */
  readonly running?: RunningNode;
}

/** The node in a call of its processor (see `RuntimeTimers.running`). */
export interface RunningNode {
  /** The node's id, or `undefined` between calls. */
  node: string | undefined;
  /** Its processor's name, or `undefined` between calls. */
  type: string | undefined;
}

/**
 * The platform's timers (`globalThis.setTimeout`).
 */
export const systemTimers: RuntimeTimers = {
  setTimeout: (callback, delayMs) => Number(setTimeout(callback, delayMs)),
  clearTimeout: (id) => clearTimeout(id),
  defer: (callback) => void setImmediate(callback),
};
