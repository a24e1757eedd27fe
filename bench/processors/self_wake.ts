/**
 * {@linkcode SelfWake}: how a bench source asks to run again as soon as possible without
 * starving the event loop.
 *
 * @module
 */

import { isMainThread } from "node:worker_threads";

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Options of {@linkcode SelfWake}. */
export interface SelfWakeOptions {
  /**
   * Longest stretch, in milliseconds, of wakes from microtasks before one goes through a task
   * and lets timers and I/O run. Default 1; 0 sends every wake through a task.
   */
  sliceMs?: number;
  /**
   * How long `retry()` sleeps a Worker's thread before its task, in microseconds (Linux adds
   * its timer slack, about 50 µs). Default 50; never in the main isolate.
   */
  retrySleepUs?: number;
}

/**
 * Calls a node's `wake()` again soon after it ran. A node that calls `ctx.wake()` inside its own
 * `process()` waits for the runtime's next deferred turn, which runs from a timer, and a
 * `setTimeout(0)` fires about 2 ms later here. So `request()` calls `wake()` from a
 * microtask after the current turn, which starts the next turn at once (like a GStreamer source
 * thread looping), and at least every `sliceMs` from a `MessageChannel` task instead, so timers,
 * I/O and other isolates' messages still get their turn.
 *
 * `retry()` is for a node whose write failed although its output had room: a frame-pool slot was
 * missing (every slot in use by readers). In a Worker it first sleeps the thread for
 * `retrySleepUs` with `Atomics.wait`, which leaves the core to the readers instead of spinning.
 * A full `fifo` needs no retry: the runtime does not run a node while an output is full and runs
 * it again when the reader makes room.
 */
export class SelfWake {
  readonly #wake: () => void;
  readonly #channel = new MessageChannel();
  readonly #sliceMs: number;
  readonly #retrySleepMs: number;
  #sliceStart = performance.now();

  /**
   * Creates the channel.
   *
   * @param wake The node's `ctx.wake`.
   * @param options The time slice.
   */
  constructor(wake: () => void, options: SelfWakeOptions = {}) {
    this.#wake = wake;
    this.#sliceMs = options.sliceMs ?? 1;
    this.#retrySleepMs = isMainThread ? 0 : (options.retrySleepUs ?? 50) / 1000;
    this.#channel.port1.onmessage = () => {
      this.#sliceStart = performance.now();
      wake();
    };
  }

  /** Asks for a `wake()` after the current turn: more work is ready. */
  request(): void {
    if (performance.now() - this.#sliceStart < this.#sliceMs) queueMicrotask(this.#wake);
    else this.#channel.port2.postMessage(null);
  }

  /**
   * Asks for a `wake()` after the event loop's next task: a write failed for want of a pool
   * slot, which only readers (often in other isolates) can release, so a microtask would retry
   * in vain.
   */
  retry(): void {
    if (this.#retrySleepMs > 0) Atomics.wait(SLEEPER, 0, 0, this.#retrySleepMs);
    this.#channel.port2.postMessage(null);
  }

  /** Closes the channel (idempotent), so it no longer keeps the event loop alive. */
  close(): void {
    this.#channel.port1.close();
    this.#channel.port2.close();
  }
}
