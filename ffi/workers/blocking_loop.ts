/**
 * The waiting loop of a Worker placed with `wait: "block"`: blocks the Worker's thread on its
 * wake word between turns instead of returning to the event loop.
 *
 * @module
 */

import { type BlockingEnd, type BlockingEnds, WAKE_BELL } from "../transport/channel/wake.ts";

/**
 * Longest time, in milliseconds, the loop keeps the event loop waiting while it blocks or runs
 * turns: then it lets one event-loop task through (timers, the stats snapshot, messages).
 */
export const EVENT_LOOP_EVERY_MS = 4;
/**
 * Longest block while an end waits for what may ring nothing (`BlockingEnd.sleepy()`), in
 * milliseconds: a reader on x86 may miss a writer that just said it waits for room (see
 * `SignalledReader`), and this bounds that wait, as the event-loop path's 1 ms does.
 */
const BOUNDED_WAIT_MS = 1;
/** Longest wait through the event loop while commands are handled, in milliseconds. */
const EVENT_LOOP_WAIT_MS = 20;
/** Microtask hops in a row (turns queueing turns) before the loop lets a task through anyway. */
const MAX_MICROTASK_HOPS = 4096;

/** What a {@linkcode BlockingLoop} asks of its Worker. */
export interface BlockingLoopOptions {
  /** The Worker's wake word (`WAKE_BYTES` of shared memory). */
  readonly wake: Int32Array;
  /**
   * Whether the loop may block the thread now: the Worker's nodes asked for it and no command
   * is being delivered or handled (those need the event loop).
   */
  readonly mayBlock: () => boolean;
  /** Whether scheduling turns are due (they run in microtasks the loop must let through). */
  readonly turnsDue: () => boolean;
}

/**
 * Blocks a Worker's thread between turns. Channel ends of the Worker register with it
 * ({@linkcode BlockingEnds}) instead of waiting on their bells through the event loop; each pass
 * says every end may sleep, reads the wake word, looks at every end (frames, end of stream, room
 * for a waiting writer), and, when nothing is to do, blocks on the wake word with
 * `Atomics.wait`. Whatever rings an end also rings the wake word (`channel/wake.ts`), and the
 * main isolate rings it after every command it posts, so a command is handled promptly: while a
 * command is in flight or being handled (`mayBlock()` false) the loop waits through the event
 * loop instead. At least every {@linkcode EVENT_LOOP_EVERY_MS} it lets the event loop run one
 * task. The scheduler's deferred turns (`defer`) run from the loop.
 *
 * @example A Worker's loop with one end, driven in this thread
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlockingLoop } from "./blocking_loop.ts";
 * import { WAKE_BYTES } from "../transport/channel/wake.ts";
 *
 * const wake = new Int32Array(new SharedArrayBuffer(WAKE_BYTES));
 * const loop = new BlockingLoop({ wake, mayBlock: () => false, turnsDue: () => false });
 * let frames = 1;
 * const told = Promise.withResolvers<void>();
 * const end = {
 *   sleepy: () => false,
 *   look() {
 *     if (frames === 0) return false;
 *     frames--;
 *     told.resolve();
 *     return true;
 *   },
 * };
 * loop.add(end);
 * await told.promise;
 * loop.delete(end);
 * loop.wakeUp(); // ends its wait: with no end left, the loop stops
 * await loop.stopped();
 * assert.equal(frames, 0);
 * ```
 */
export class BlockingLoop implements BlockingEnds {
  readonly #wake: Int32Array;
  readonly #mayBlock: () => boolean;
  readonly #turnsDue: () => boolean;
  readonly #ends = new Set<BlockingEnd>();
  #deferred: (() => void)[] = [];
  #running: Promise<void> | undefined;
  #kicked: (() => void) | undefined;
  #kick: Promise<void> | undefined;
  /**
   * Passes that blocked the thread, those of them whose 1 ms bound ran out (nothing rang within
   * it: a slow reader, or a missed ring), and passes that went through the event loop.
   */
  readonly counts = { blocked: 0, ranOut: 0, eventLoop: 0 };

  /**
   * Creates an idle loop; it runs while ends are registered or deferred calls wait.
   *
   * @param options The wake word and what the loop asks of its Worker.
   */
  constructor(options: BlockingLoopOptions) {
    this.#wake = options.wake;
    this.#mayBlock = options.mayBlock;
    this.#turnsDue = options.turnsDue;
  }

  /**
   * Starts looking at `end` in every pass (and starts the loop).
   *
   * @param end A channel end of this Worker.
   */
  add(end: BlockingEnd): void {
    this.#ends.add(end);
    this.#start();
  }

  /**
   * Stops looking at `end`.
   *
   * @param end The end.
   */
  delete(end: BlockingEnd): void {
    this.#ends.delete(end);
  }

  /**
   * Calls `callback` from the loop, before its next wait (the scheduler's deferred turns: the
   * `defer` of the Worker's timers while it blocks).
   *
   * @param callback Called once.
   */
  defer(callback: () => void): void {
    this.#deferred.push(callback);
    this.#start();
    this.wakeUp();
  }

  /** Ends the loop's current wait, blocking or not (a command was handled: look again). */
  wakeUp(): void {
    Atomics.add(this.#wake, WAKE_BELL, 1);
    Atomics.notify(this.#wake, WAKE_BELL);
    this.#kicked?.();
  }

  /** Resolves once the loop has no ends nor deferred calls left and has stopped. */
  async stopped(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #start(): void {
    this.#running ??= this.#run().finally(() => this.#running = undefined);
  }

  async #run(): Promise<void> {
    const wake = this.#wake;
    const ends = this.#ends;
    let lastTask = performance.now();
    let hops = 0;
    while (ends.size > 0 || this.#deferred.length > 0) {
      if (this.#deferred.length > 0) {
        const due = this.#deferred;
        this.#deferred = [];
        for (const callback of due) callback();
      }
      if (this.#turnsDue() && ++hops < MAX_MICROTASK_HOPS) {
        await null; // the scheduler's turn runs in the microtask it queued
        continue;
      }
      // The wake bell is read before the ends say they may sleep: a late ring that takes one of
      // their flags then moves the bell past `seen` (see `readerMaySleep()`, channel/doorbell.ts).
      const seen = Atomics.load(wake, WAKE_BELL);
      let bounded = false;
      for (const end of ends) if (end.sleepy()) bounded = true;
      let told = false;
      for (const end of ends) if (end.look()) told = true;
      if (told && ++hops < MAX_MICROTASK_HOPS) {
        await null;
        continue;
      }
      hops = 0;
      const now = performance.now();
      if (!told && this.#mayBlock() && now - lastTask < EVENT_LOOP_EVERY_MS) {
        const left = EVENT_LOOP_EVERY_MS - (now - lastTask);
        this.counts.blocked++;
        const short = bounded && left > BOUNDED_WAIT_MS;
        const woke = Atomics.wait(wake, WAKE_BELL, seen, short ? BOUNDED_WAIT_MS : left);
        if (short && woke === "timed-out") this.counts.ranOut++;
        continue;
      }
      // Through the event loop: one task (timers, messages, I/O), or, while commands are in
      // flight, a wait on the wake word there.
      this.counts.eventLoop++;
      if (told || this.#mayBlock()) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        const waited = Atomics.waitAsync(wake, WAKE_BELL, seen, EVENT_LOOP_WAIT_MS);
        if (waited.async) {
          this.#kick ??= new Promise<void>((resolve) => this.#kicked = resolve);
          await Promise.race([waited.value, this.#kick]);
          this.#kick = undefined;
          this.#kicked = undefined;
        } else {
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      lastTask = performance.now();
    }
  }
}
