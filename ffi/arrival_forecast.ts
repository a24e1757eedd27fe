/**
 * When the next frame of a connection is due, from when the previous ones arrived: what lets a
 * reader in a Worker wait for a frame that is due soon on the doorbell itself (a blocking
 * `Atomics.wait`, woken by the writer's notify in tens of microseconds) instead of through its
 * isolate's event loop.
 *
 * @module
 */

/** Weight of the newest interval in the period's moving average. */
const PERIOD_WEIGHT = 0.25;
/**
 * Shortest period, in windows, of a stream a reader blocks for. Frames that come faster are a
 * throughput stream, not a live one: its reader rarely sleeps long, and a thread blocked on one
 * doorbell cannot hear another (the room bell of its own writer, say), so it waits on the event
 * loop (measured: blocking slowed 4 Worker hops of back-to-back frames).
 */
const MIN_PERIOD_WINDOWS = 4;

/**
 * Forecasts a connection's next arrival from the intervals between arrivals after a sleep (a
 * moving average), and says when a reader may block for it: only for a stream of frames at least
 * `4 * windowMs` apart (a live one, not back-to-back frames), only within `windowMs` of the
 * forecast, and never longer than twice `windowMs`, so an isolate is blocked at most that long
 * per frame and not at all while its frames are far off (a 30 fps stream blocks at most
 * 2 x `windowMs` of every 33 ms, and its thread sleeps meanwhile: no CPU is spent).
 *
 * @example A 30 fps stream: sleep through most of the frame time, block near its end
 * ```ts
 * import assert from "node:assert/strict";
 * import { ArrivalForecast } from "./arrival_forecast.ts";
 *
 * const forecast = new ArrivalForecast(2);
 * for (let n = 0; n < 4; n++) forecast.arrived(n * 33);
 * // just after frame 3 (at 99 ms), frame 4 is due at 132 ms:
 * assert.equal(forecast.blockMs(100), 0); // too early to block
 * assert.equal(forecast.sleepMs(100), 30); // sleep on the event loop until 2 ms before it
 * assert.equal(forecast.blockMs(130), 4); // then block up to 2 ms past it
 * ```
 */
export class ArrivalForecast {
  /** How close to the forecast a reader may start blocking, in ms (0: never). */
  readonly windowMs: number;
  #last = Number.NaN;
  #period = Number.NaN;

  /**
   * Makes a forecast with no arrivals yet (it forecasts nothing until two arrived).
   *
   * @param windowMs How close to the forecast a reader may block, in ms; 0 turns blocking off.
   */
  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /**
   * Records the first frame found after a sleep.
   *
   * @param nowMs `performance.now()`.
   */
  arrived(nowMs: number): void {
    const interval = nowMs - this.#last;
    if (interval >= 0) {
      this.#period = Number.isNaN(this.#period)
        ? interval
        : this.#period + PERIOD_WEIGHT * (interval - this.#period);
    }
    this.#last = nowMs;
  }

  /** Forgets the arrivals (a stream that stopped or restarts). */
  reset(): void {
    this.#last = Number.NaN;
    this.#period = Number.NaN;
  }

  /**
   * How long a reader may block now waiting for the next frame.
   *
   * @param nowMs `performance.now()`.
   * @returns Milliseconds, up to `2 * windowMs`: up to `windowMs` past the forecast; 0 when the
   * forecast is more than `windowMs` away, passed by more than `windowMs`, or unknown, or frames
   * come faster than every `4 * windowMs`.
   */
  blockMs(nowMs: number): number {
    if (!(this.#period >= MIN_PERIOD_WINDOWS * this.windowMs)) return 0;
    const early = this.#last + this.#period - nowMs; // ms until due (NaN when unknown)
    if (!(early <= this.windowMs && early > -this.windowMs)) return 0;
    return Math.min(early + this.windowMs, 2 * this.windowMs);
  }

  /**
   * How long a reader may sleep on its event loop before blocking is worth it.
   *
   * @param nowMs `performance.now()`.
   * @returns Milliseconds until `windowMs` before the forecast, or `undefined` when it forecasts
   * nothing (sleep until woken: no arrivals yet, or frames faster than every `4 * windowMs`) or
   * that time has come.
   */
  sleepMs(nowMs: number): number | undefined {
    if (this.windowMs <= 0 || !(this.#period >= MIN_PERIOD_WINDOWS * this.windowMs)) {
      return undefined;
    }
    const sleep = this.#last + this.#period - this.windowMs - nowMs;
    return sleep > 0 ? sleep : undefined;
  }
}
