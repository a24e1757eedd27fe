/**
 * Absolute-deadline pacing for `loop`-mode processors.
 *
 * @module
 */

/**
 * Decides how many times a loop runs at each timer tick. Deadline `n` is `start + n * period` on
 * the media clock, so a late timer does not push later deadlines back (no drift). A tick that
 * finds several deadlines passed runs them all, up to `maxCatchUp`; deadlines beyond that are
 * skipped and counted. A run is counted as late when it starts a full period or more after its
 * deadline.
 *
 * Pure arithmetic: the runtime reads the clock and arms the timer.
 *
 * @example Catch up after a stalled timer
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoopPacer } from "./loop_pacer.ts";
 *
 * const pacer = new LoopPacer({ periodNs: 10, startNs: 0, maxCatchUp: 3 });
 * assert.equal(pacer.advance(0), 1); // deadline 0 is due
 * assert.equal(pacer.advance(55), 3); // deadlines 10, 20, 30 run (late), 40 and 50 are skipped
 * assert.equal(pacer.lateRuns, 3);
 * assert.equal(pacer.skippedRuns, 2);
 * assert.equal(pacer.nextDeadlineNs, 60);
 * ```
 */
export class LoopPacer {
  /** Most runs one tick may make. */
  readonly maxCatchUp: number;
  #periodNs: number;
  #startNs: number;
  #n = 0;
  #lateRuns = 0;
  #skippedRuns = 0;

  /**
   * Creates a pacer whose first deadline is `startNs`.
   *
   * @param options The period, the first deadline and the catch-up bound (default 4).
   * @throws {RangeError} When the period is not a finite positive number or `maxCatchUp` is not
   * a positive integer.
   */
  constructor(options: { periodNs: number; startNs: number; maxCatchUp?: number }) {
    const maxCatchUp = options.maxCatchUp ?? 4;
    if (!Number.isInteger(maxCatchUp) || maxCatchUp < 1) {
      throw new RangeError(
        `Cannot pace a loop: maxCatchUp must be a positive integer, got ${maxCatchUp}`,
      );
    }
    this.maxCatchUp = maxCatchUp;
    this.#periodNs = checkPeriod(options.periodNs);
    this.#startNs = options.startNs;
  }

  /** The period in nanoseconds. */
  get periodNs(): number {
    return this.#periodNs;
  }

  /** The next deadline that has not run, in nanoseconds. */
  get nextDeadlineNs(): number {
    return this.#startNs + this.#n * this.#periodNs;
  }

  /** Runs that started a full period or more after their deadline. */
  get lateRuns(): number {
    return this.#lateRuns;
  }

  /** Deadlines dropped because a tick had more than `maxCatchUp` runs to make. */
  get skippedRuns(): number {
    return this.#skippedRuns;
  }

  /**
   * Consumes the deadlines up to `nowNs`.
   *
   * @param nowNs The current media clock time.
   * @returns How many runs to make now (0 when the next deadline is in the future).
   */
  advance(nowNs: number): number {
    const period = this.#periodNs;
    let runs = 0;
    let deadline = this.nextDeadlineNs;
    while (deadline <= nowNs && runs < this.maxCatchUp) {
      if (nowNs - deadline >= period) this.#lateRuns++;
      runs++;
      this.#n++;
      deadline = this.nextDeadlineNs;
    }
    if (deadline <= nowNs) {
      const behind = Math.floor((nowNs - deadline) / period) + 1;
      this.#n += behind;
      this.#skippedRuns += behind;
    }
    return runs;
  }

  /**
   * Changes the period; the next deadline stays where it is and later ones follow the new
   * period.
   *
   * @param periodNs The new period in nanoseconds.
   * @throws {RangeError} When the period is not a finite positive number.
   */
  setPeriod(periodNs: number): void {
    const next = this.nextDeadlineNs;
    this.#periodNs = checkPeriod(periodNs);
    this.#startNs = next;
    this.#n = 0;
  }

  /**
   * Moves the next deadline to `startNs` (after a pause), keeping the period and the counters.
   *
   * @param startNs The new next deadline.
   */
  restart(startNs: number): void {
    this.#startNs = startNs;
    this.#n = 0;
  }
}

/**
 * Checks a loop period.
 *
 * @param periodNs The period in nanoseconds.
 * @returns The period.
 * @throws {RangeError} When it is not a finite positive number.
 */
function checkPeriod(periodNs: number): number {
  if (typeof periodNs !== "number" || !Number.isFinite(periodNs) || periodNs <= 0) {
    throw new RangeError(
      `Cannot pace a loop: the period must be a finite number of nanoseconds above 0, got ${periodNs}`,
    );
  }
  return periodNs;
}
