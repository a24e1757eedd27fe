/**
 * {@linkcode MemoryWait}: a node's wait for frame memory, with a limit for graphs whose memory is
 * all held by frames queued behind nodes that wait for memory themselves.
 *
 * @module
 */

import type { RuntimeTimers } from "../time/timers.ts";

/**
 * How long a node that gave frames back to its inputs for want of memory waits for memory to be
 * freed before it drops them (counted) so that the graph goes on, in ms. Memory normally frees
 * within a frame time; a wait this long means every byte of the budget is held by frames queued
 * behind nodes that wait for memory too (a budget smaller than the graph's queues).
 */
export const MEMORY_WAIT_LIMIT_MS = 200;

/** What {@linkcode MemoryWait} needs of a node's inputs. */
export interface WaitingInput {
  /** The input's name. */
  readonly name: string;
  /** Frames given back by a run that found no memory, waiting to be read again. */
  readonly givenBack: number;
  /** Drops the frames given back (counted as dropped by the node); returns how many. */
  clear(): number;
}

/** Inputs whose frames were dropped when a wait for memory reached its limit. */
export interface MemoryStall {
  /** The input's name and how many frames it dropped. */
  readonly dropped: readonly { readonly port: string; readonly count: number }[];
}

/**
 * One node's wait for frame memory (back-pressure): the node runs again once memory is freed.
 * When the node's last run gave frames back to its inputs and no memory frees within
 * {@linkcode MEMORY_WAIT_LIMIT_MS}, those frames are dropped, `onStall` says which, and the node
 * runs again: a graph whose queues can hold more than its memory budget slows down and counts
 * drops instead of hanging.
 *
 * @example Memory frees in time: the node just runs again
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeapMemorySource } from "./heap_memory.ts";
 * import { MemoryWait } from "./memory_wait.ts";
 * import { systemTimers } from "../time/timers.ts";
 *
 * const memory = new HeapMemorySource({ budgetBytes: 16 });
 * const held = memory.allocate(16)!;
 * let runs = 0;
 * const wait = new MemoryWait(memory, [], systemTimers, () => runs++, () => {});
 * wait.start();
 * assert.equal(wait.waiting, true);
 * held.free();
 * assert.equal(runs, 1);
 * assert.equal(wait.waiting, false);
 * ```
 */
export class MemoryWait {
  readonly #memory: { onFree(callback: () => void): void };
  readonly #inputs: readonly WaitingInput[];
  readonly #timers: RuntimeTimers;
  readonly #ready: () => void;
  readonly #stall: (stall: MemoryStall) => void;
  #waiting = false;
  #timer: number | undefined;

  /**
   * @param memory Where the node's frames come from (told to call back once memory frees).
   * @param inputs The node's inputs.
   * @param timers The runtime's timers.
   * @param ready Called when the node may run again.
   * @param stall Called when the wait reached its limit and frames were dropped.
   */
  constructor(
    memory: { onFree(callback: () => void): void },
    inputs: readonly WaitingInput[],
    timers: RuntimeTimers,
    ready: () => void,
    stall: (stall: MemoryStall) => void,
  ) {
    this.#memory = memory;
    this.#inputs = inputs;
    this.#timers = timers;
    this.#ready = ready;
    this.#stall = stall;
  }

  /** Whether the node waits for memory. */
  get waiting(): boolean {
    return this.#waiting;
  }

  /** Starts waiting (nothing if already waiting). */
  start(): void {
    if (this.#waiting) return;
    this.#waiting = true;
    this.#memory.onFree(this.#freed);
    this.#arm();
  }

  /**
   * Stops the clock of the wait's limit while the node does not run (paused): a wait that goes
   * on then drops nothing. The node still runs once memory frees.
   */
  suspend(): void {
    this.#clearTimer();
  }

  /** Starts the clock of the wait's limit again (the node runs again). */
  resume(): void {
    if (this.#waiting) this.#arm();
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    if (this.#inputs.some((input) => input.givenBack > 0)) {
      this.#timer = this.#timers.setTimeout(this.#stalled, MEMORY_WAIT_LIMIT_MS);
    }
  }

  #freed = (): void => {
    if (!this.#waiting) return; // a callback of an earlier wait
    this.#waiting = false;
    this.#clearTimer();
    this.#ready();
  };

  #stalled = (): void => {
    this.#timer = undefined;
    if (!this.#waiting) return;
    this.#waiting = false;
    const dropped = [];
    for (const input of this.#inputs) {
      const count = input.clear();
      if (count > 0) dropped.push({ port: input.name, count });
    }
    this.#stall({ dropped });
    this.#ready();
  };

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
