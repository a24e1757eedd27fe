/**
 * An isolate's wake word: one `SharedArrayBuffer` per Worker that a Worker placed with
 * `wait: "block"` blocks its thread on (`Atomics.wait`). A thread can wait on one address only,
 * so everything that must wake such a Worker rings this word as well as its own bell: a writer
 * ringing a sleeping reader of a channel into the Worker, a reader making room for a waiting
 * writer of a channel out of it, end of stream, and the main isolate after posting a command.
 *
 * @module
 */

/** Index of the wake bell: bumped (and notified) by every ring. */
export const WAKE_BELL = 0;
/** Index of the count of commands the main isolate posted to the Worker (bumped after each post). */
export const WAKE_POSTED = 1;
/** Bytes of a wake word's buffer. */
export const WAKE_BYTES = 8;

/**
 * Rings an isolate's wake word, if there is one: bumps the bell and wakes its waiter.
 *
 * @param wake The isolate's wake word, or `undefined` (an isolate that never blocks).
 *
 * @example Ring a Worker that waits on its wake word
 * ```ts
 * import assert from "node:assert/strict";
 * import { ringWake, WAKE_BELL, WAKE_BYTES } from "./wake.ts";
 *
 * const wake = new Int32Array(new SharedArrayBuffer(WAKE_BYTES));
 * const seen = Atomics.load(wake, WAKE_BELL);
 * ringWake(wake);
 * assert.equal(Atomics.wait(wake, WAKE_BELL, seen, 0), "not-equal");
 * ringWake(undefined); // nothing to ring
 * ```
 */
export function ringWake(wake: Int32Array | undefined): void {
  if (wake === undefined) return;
  Atomics.add(wake, WAKE_BELL, 1);
  Atomics.notify(wake, WAKE_BELL);
}

/**
 * A channel end of an isolate that blocks: instead of waiting on its own bell through the event
 * loop, it lets the isolate's one waiting loop look at it before and after each wait.
 */
export interface BlockingEnd {
  /**
   * Says this end may sleep: writers of its channel ring the wake word from now on.
   *
   * @returns Whether its wait must be bounded (about 1 ms): it waits for something nothing may
   * ring (a writer's room, which a reader on x86 can miss; a node told of frames that has not
   * read them yet).
   */
  sleepy(): boolean;
  /**
   * Looks once (after `sleepy()` and the loop's read of its wake bell).
   *
   * @returns Whether it told its node something (frames, end of stream, room), so the loop
   * runs the node's turn instead of waiting.
   */
  look(): boolean;
}

/** Where the channel ends of an isolate that blocks register (`BlockingLoop`). */
export interface BlockingEnds {
  /** Starts looking at `end` in every pass. */
  add(end: BlockingEnd): void;
  /** Stops looking at `end`. */
  delete(end: BlockingEnd): void;
}
