/**
 * The monotonic media clock frame timestamps are measured on.
 *
 * @module
 */

/**
 * A source of monotonic time in nanoseconds. Timestamps of frames in one graph come from one
 * clock, so they compare across processors and isolates.
 *
 * @example Read the clock
 * ```ts
 * import { monotonicClock } from "@streamlib/streamlib";
 *
 * const t0 = monotonicClock.nowNs();
 * console.log(monotonicClock.nowNs() >= t0); // true
 * ```
 */
export interface MediaClock {
  /** The current time in nanoseconds; never decreases. */
  nowNs(): number;
}

/**
 * The process's monotonic clock (`performance.now()`, in nanoseconds, microsecond resolution).
 *
 * @example Timestamp a frame
 * ```ts
 * import { monotonicClock } from "@streamlib/streamlib";
 *
 * const timestampNs = Math.round(monotonicClock.nowNs());
 * console.log(Number.isSafeInteger(timestampNs)); // true
 * ```
 */
export const monotonicClock: MediaClock = {
  nowNs: (): number => (performance.timeOrigin + performance.now()) * 1e6,
};
