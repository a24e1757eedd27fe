/**
 * {@linkcode MemoryWatch}: says, while it happens, that an isolate's frame memory ran out and
 * stayed out, and which node holds it.
 *
 * @module
 */

import { MEMORY_WAIT_LIMIT_MS } from "../../frames/memory_wait.ts";
import type { FrameHolding } from "../../frames/ledger.ts";
import type { RuntimeTimers } from "../../time/timers.ts";

/** A stall to report: who holds the most frame memory, and how much. */
export interface MemoryStallReport {
  /** The biggest holding of the isolate. */
  readonly holder: FrameHolding;
  /** Whether the holder's frames wait in a connection it wrote them to (not kept by a node). */
  readonly queued: boolean;
}

/**
 * Watches one isolate's failed frame allocations. After the first failure it looks again every
 * {@linkcode MEMORY_WAIT_LIMIT_MS}: when allocations kept failing in between and none was served
 * (memory ran out and stayed out), it reports the node holding the most frame memory in the isolate, once per node
 * per stall; a period without failures ends the stall. Never arms a timer while allocations
 * succeed.
 *
 * @example A stall reported once, while it lasts
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryWatch, type MemoryStallReport } from "./memory_watch.ts";
 *
 * const fired: (() => void)[] = [];
 * const timers = { setTimeout: (fn: () => void) => fired.push(fn), clearTimeout: () => {} };
 * const reports: MemoryStallReport[] = [];
 * const holdings = () => [{ node: "hog", port: "hog.in", count: 35, bytes: 35_000 }];
 * const watch = new MemoryWatch(timers, holdings, () => false, (r) => reports.push(r), () => 0);
 * watch.failed();
 * watch.failed(); // still failing when the watch looks again
 * fired.shift()!();
 * assert.deepEqual(reports.map((r) => [r.holder.node, r.holder.count]), [["hog", 35]]);
 * ```
 */
export class MemoryWatch {
  readonly #timers: RuntimeTimers;
  readonly #holdings: () => FrameHolding[];
  readonly #isQueue: (port: string) => boolean;
  readonly #report: (report: MemoryStallReport) => void;
  readonly #allocated: () => number;
  #failures = 0;
  #seen = 0;
  #allocatedSeen = 0;
  #timer: number | undefined;
  readonly #reported = new Set<string>();

  /**
   * @param timers The isolate's timers.
   * @param holdings Who holds the isolate's frames (`LiveFrames.holdings`).
   * @param isQueue Whether a place (`node.port`) is an output, whose frames wait in connections.
   * @param report Called with the biggest holder while a stall lasts.
   * @param allocated Allocations served so far by the isolate's memory (any served in a period
   *   means memory is being freed and reused: slow, not stalled).
   */
  constructor(
    timers: RuntimeTimers,
    holdings: () => FrameHolding[],
    isQueue: (port: string) => boolean,
    report: (report: MemoryStallReport) => void,
    allocated: () => number,
  ) {
    this.#allocated = allocated;
    this.#timers = timers;
    this.#holdings = holdings;
    this.#isQueue = isQueue;
    this.#report = report;
  }

  /** An allocation failed (the hot path: counts, arms at most one timer). */
  failed(): void {
    this.#failures++;
    if (this.#timer === undefined) this.#arm();
  }

  #arm(): void {
    this.#seen = this.#failures;
    this.#allocatedSeen = this.#allocated();
    this.#timer = this.#timers.setTimeout(this.#look, MEMORY_WAIT_LIMIT_MS);
  }

  /** Stops watching (the isolate stops): the next failure starts afresh. */
  stop(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#reported.clear();
  }

  #look = (): void => {
    this.#timer = undefined;
    if (this.#failures === this.#seen) {
      this.#reported.clear(); // a period without a failure: the stall is over
      return;
    }
    const moving = this.#allocated() !== this.#allocatedSeen;
    this.#arm();
    if (moving) return; // memory was freed and served again meanwhile: slow, not stalled
    const holdings = this.#holdings();
    // A node keeping frames is the holder to name; frames queued in connections only when no
    // node keeps any.
    const kept = holdings.find((h) => !this.#isQueue(h.port));
    const holder = kept ?? holdings[0];
    if (holder === undefined) return; // held by other isolates: their watches report it
    const key = `${holder.node}\0${holder.port}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#report({ holder, queued: kept === undefined });
  };
}
