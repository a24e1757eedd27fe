/**
 * {@linkcode FrameBudget}: the one budget of frame memory every isolate of a runtime draws from
 * (`frameMemoryBytes`), as a counter in shared memory.
 *
 * @module
 */

/**
 * What a Worker is given to draw from its runtime's frame budget: structured-cloneable.
 */
export interface SharedFrameMemory {
  /** The budget's counters (`FrameBudget.buffer`). */
  readonly budget: SharedArrayBuffer;
  /** The largest single frame, in bytes (`maxFrameBytes`). */
  readonly maxFrameBytes?: number;
}

const USED = 0;
const BUDGET = 1;
const EXHAUSTED = 2;

/**
 * Bytes of frame payloads in use across every isolate of a runtime, against one budget: each
 * isolate's JavaScript frame memory reserves what it hands out here first, so a node in a Worker
 * that hoards frames is held by the same `frameMemoryBytes` as one in the main isolate. Lock-free
 * (`Atomics` on a `SharedArrayBuffer`); a reservation never blocks.
 *
 * @example Two isolates' views of one budget
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameBudget } from "./frame_budget.ts";
 *
 * const main = FrameBudget.create(1000);
 * const worker = FrameBudget.attach(main.buffer); // what a Worker gets
 * assert.equal(main.tryReserve(600), true);
 * assert.equal(worker.tryReserve(600), false); // 1200 > 1000: refused, counted
 * assert.equal(worker.exhausted, 1);
 * main.release(600);
 * assert.equal(worker.tryReserve(600), true);
 * assert.equal(main.bytesInUse, 600);
 * ```
 */
export class FrameBudget {
  readonly #counters: BigInt64Array;
  readonly #buffer: SharedArrayBuffer;

  private constructor(buffer: SharedArrayBuffer) {
    this.#buffer = buffer;
    this.#counters = new BigInt64Array(buffer);
  }

  /**
   * A new budget.
   *
   * @param budgetBytes The most bytes in use at once.
   * @returns The budget, with nothing in use.
   * @throws {RangeError} When `budgetBytes` is not a positive safe integer.
   */
  static create(budgetBytes: number): FrameBudget {
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes < 1) {
      throw new RangeError(
        `Cannot create a frame budget: budgetBytes must be a positive integer, got ${budgetBytes}`,
      );
    }
    const budget = new FrameBudget(new SharedArrayBuffer(3 * 8));
    budget.#counters[BUDGET] = BigInt(budgetBytes);
    return budget;
  }

  /**
   * Another isolate's view of a budget.
   *
   * @param buffer The budget's {@linkcode FrameBudget.buffer}.
   * @returns The view.
   * @throws {TypeError} When `buffer` is not a budget's buffer.
   */
  static attach(buffer: SharedArrayBuffer): FrameBudget {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== 3 * 8) {
      throw new TypeError(
        "Cannot attach a frame budget: expected the 24-byte SharedArrayBuffer of FrameBudget.buffer",
      );
    }
    return new FrameBudget(buffer);
  }

  /** The counters, to hand to another isolate ({@linkcode FrameBudget.attach}). */
  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  /** The most bytes in use at once. */
  get budgetBytes(): number {
    return Number(Atomics.load(this.#counters, BUDGET));
  }

  /** Bytes in use now, in every isolate. */
  get bytesInUse(): number {
    return Number(Atomics.load(this.#counters, USED));
  }

  /** Reservations refused so far, in every isolate. */
  get exhausted(): number {
    return Number(Atomics.load(this.#counters, EXHAUSTED));
  }

  /**
   * Reserves `bytes` if they fit in the budget.
   *
   * @param bytes How many.
   * @returns Whether they were reserved (`false` is counted in {@linkcode FrameBudget.exhausted}).
   */
  tryReserve(bytes: number): boolean {
    const counters = this.#counters;
    const want = BigInt(bytes);
    const budget = counters[BUDGET];
    let used = Atomics.load(counters, USED);
    for (;;) {
      if (used + want > budget) {
        Atomics.add(counters, EXHAUSTED, 1n);
        return false;
      }
      const seen = Atomics.compareExchange(counters, USED, used, used + want);
      if (seen === used) return true;
      used = seen;
    }
  }

  /**
   * Counts `bytes` already handed out (an isolate that starts sharing the budget brings what it
   * holds), even past the budget: what is over it is refused to everyone until it frees.
   *
   * @param bytes How many.
   */
  add(bytes: number): void {
    Atomics.add(this.#counters, USED, BigInt(bytes));
  }

  /**
   * Gives back `bytes` reserved before.
   *
   * @param bytes How many.
   */
  release(bytes: number): void {
    Atomics.sub(this.#counters, USED, BigInt(bytes));
  }
}
