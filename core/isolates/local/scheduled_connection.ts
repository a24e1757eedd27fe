/**
 * A same-isolate connection that wakes its reader.
 *
 * @module
 */

import { LocalConnection, type LocalConnectionOptions } from "../../ports/local_connection.ts";

/**
 * A {@linkcode LocalConnection} that calls `onPush` after each accepted frame: the runtime uses
 * it to schedule the `push`-mode node reading it. `onPush` must not throw (the scheduler's
 * `schedule()` is idempotent and cheap).
 *
 * @typeParam T The frame type.
 *
 * @example Count wake-ups
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScheduledConnection } from "./scheduled_connection.ts";
 *
 * let wakes = 0;
 * const conn = new ScheduledConnection<number>({ capacity: 2, policy: "fifo" }, () => wakes++);
 * conn.push(1);
 * conn.push(2);
 * conn.push(3); // full: refused, no wake-up
 * assert.equal(wakes, 2);
 * ```
 */
export class ScheduledConnection<T> extends LocalConnection<T> {
  readonly #onPush: () => void;

  /**
   * Allocates the queue.
   *
   * @param options Capacity and policy.
   * @param onPush Called after every accepted frame.
   * @throws {RangeError} When the capacity or policy is invalid.
   */
  constructor(options: LocalConnectionOptions, onPush: () => void) {
    super(options);
    this.#onPush = onPush;
  }

  /**
   * Offers one frame and, when it was queued, calls `onPush`.
   *
   * @param frame The frame.
   * @returns `false` only when the policy is `fifo` and the queue is full.
   */
  override push(frame: T): boolean {
    if (!super.push(frame)) return false;
    if (!this.discarding) this.#onPush(); // a discarded frame wakes nobody
    return true;
  }

  /**
   * Marks end of stream, and wakes the reader to see it.
   *
   * @param ended Whether the writer has ended.
   */
  override end(ended: boolean): void {
    super.end(ended);
    if (ended) this.#onPush();
  }
}
