/**
 * The timer behind a `loop`-mode node: runs it at absolute deadlines on the media clock.
 *
 * @module
 */

import { LoopPacer } from "./loop_pacer.ts";
import type { MediaClock } from "../../time/media_clock.ts";
import type { RuntimeTimers } from "../../time/timers.ts";

/**
 * Arms one timer at a time for the next deadline of a {@linkcode LoopPacer} and, when it fires,
 * makes the runs the pacer says are due. The period is declared before `start()` (in the
 * processor's `setup()`) and may change while running.
 *
 * @example Run a loop by hand with a fake clock
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RuntimeTimers } from "../../time/timers.ts";
 * import { LoopDriver } from "./loop_driver.ts";
 *
 * let now = 0;
 * const fired: (() => void)[] = [];
 * const timers: RuntimeTimers = { setTimeout: (fn) => fired.push(fn), clearTimeout: () => {} };
 * let runs = 0;
 * const driver = new LoopDriver(() => (runs++, true), { nowNs: () => now }, timers, 4);
 * driver.setPeriod(1e6);
 * driver.start();
 * fired.shift()!(); // deadline 0
 * now = 3e6;
 * fired.shift()!(); // deadlines 1, 2 and 3 ms
 * assert.equal(runs, 4);
 * driver.stop();
 * ```
 */
export class LoopDriver {
  readonly #run: () => boolean;
  readonly #clock: MediaClock;
  readonly #timers: RuntimeTimers;
  readonly #maxCatchUp: number;
  #periodNs: number | undefined;
  #pacer: LoopPacer | undefined;
  #timer: number | undefined;
  #running = false;
  #deadlineNs: number | undefined;
  /** What the timer calls: the tick, through the timers' guard when they have one. */
  readonly #runTick: () => void;

  /**
   * Creates a stopped driver.
   *
   * @param run Makes one run; returns `false` when the node can no longer run (it stops the
   * driver's tick).
   * @param clock The media clock deadlines are measured on.
   * @param timers The timer to arm.
   * @param maxCatchUp Most runs per tick.
   */
  constructor(run: () => boolean, clock: MediaClock, timers: RuntimeTimers, maxCatchUp: number) {
    this.#run = run;
    this.#clock = clock;
    this.#timers = timers;
    this.#maxCatchUp = maxCatchUp;
    const guard = timers.guard?.bind(timers);
    const tick = this.#tick;
    this.#runTick = guard ? () => guard(tick) : tick;
  }

  /** The declared period in nanoseconds, or `undefined`. */
  get periodNs(): number | undefined {
    return this.#periodNs;
  }

  /**
   * The deadline of the run being made (`start + n * period` on the media clock), or `undefined`
   * outside a run. Deadlines the pacer skipped are never served, so a live source stamping its
   * frames with this keeps their timestamps on the clock.
   */
  get deadlineNs(): number | undefined {
    return this.#deadlineNs;
  }

  /** Runs that started a full period or more after their deadline. */
  get lateRuns(): number {
    return this.#pacer?.lateRuns ?? 0;
  }

  /** Deadlines dropped because the loop fell more than the catch-up bound behind. */
  get skippedRuns(): number {
    return this.#pacer?.skippedRuns ?? 0;
  }

  /**
   * Declares or changes the period.
   *
   * @param periodNs The period in nanoseconds.
   * @throws {RangeError} When it is not a finite positive number.
   */
  setPeriod(periodNs: number): void {
    if (typeof periodNs !== "number" || !Number.isFinite(periodNs) || periodNs <= 0) {
      throw new RangeError(
        `Cannot set the loop period: it must be a finite number of nanoseconds above 0, got ${periodNs}`,
      );
    }
    this.#periodNs = periodNs;
    if (this.#running) this.#pacer!.setPeriod(periodNs);
  }

  /** Forgets the period (before the node is set up again). */
  clearPeriod(): void {
    this.#periodNs = undefined;
  }

  /**
   * Starts running from now: the first deadline is the current time.
   *
   * @throws {RangeError} When no period was declared.
   */
  start(): void {
    if (this.#running) return;
    const periodNs = this.#periodNs;
    if (periodNs === undefined) {
      throw new RangeError("Cannot start a loop: no period was declared");
    }
    const now = this.#clock.nowNs();
    if (this.#pacer) {
      this.#pacer.restart(now);
      if (this.#pacer.periodNs !== periodNs) this.#pacer.setPeriod(periodNs);
    } else {
      this.#pacer = new LoopPacer({ periodNs, startNs: now, maxCatchUp: this.#maxCatchUp });
    }
    this.#running = true;
    this.#arm();
  }

  /** Stops running; the next `start()` begins from its own current time. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    const delayNs = this.#pacer!.nextDeadlineNs - this.#clock.nowNs();
    this.#timer = this.#timers.setTimeout(this.#runTick, delayNs > 0 ? delayNs / 1e6 : 0);
  }

  #tick = (): void => {
    this.#timer = undefined;
    if (!this.#running) return;
    const pacer = this.#pacer!;
    // The runs serve consecutive deadlines from the first one due (later ones, beyond the
    // catch-up bound, are skipped); captured now, as a run may change the period.
    const first = pacer.nextDeadlineNs;
    const period = pacer.periodNs;
    const runs = pacer.advance(this.#clock.nowNs());
    try {
      for (let i = 0; i < runs; i++) {
        this.#deadlineNs = first + i * period;
        if (!this.#run()) return;
      }
    } finally {
      this.#deadlineNs = undefined;
    }
    if (this.#running && this.#timer === undefined) this.#arm();
  };
}
