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
 * import assert from "node:assert/strict";
 * import { monotonicClock } from "@streamlib/streamlib";
 *
 * const t0 = monotonicClock.nowNs();
 * assert.ok(monotonicClock.nowNs() >= t0);
 * ```
 */
export interface MediaClock {
  /** The current time in nanoseconds; never decreases. */
  nowNs(): number;
}

/** This isolate's `performance.timeOrigin`, read once (the getter costs as much as the clock). */
const TIME_ORIGIN = performance.timeOrigin;

/**
 * The process's monotonic clock: `performance.timeOrigin + performance.now()` in nanoseconds,
 * so timestamps count from the Unix epoch and compare across isolates of one process (each Worker
 * has its own `timeOrigin`, read from the same wall clock when it started). Resolution is `performance.now()`'s
 * (microseconds, or coarser where the runtime clamps it); the sum is a double, exact to about
 * 256 ns at today's epoch values.
 *
 * @example Timestamp a frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { monotonicClock } from "@streamlib/streamlib";
 *
 * const timestampNs = Math.round(monotonicClock.nowNs());
 * // Nanoseconds since the Unix epoch are above 2^53, so a timestamp is exact to about 256 ns.
 * assert.ok(timestampNs > 1.6e18);
 * assert.ok(!Number.isSafeInteger(timestampNs));
 * ```
 */
export const monotonicClock: MediaClock = {
  nowNs: (): number => (TIME_ORIGIN + performance.now()) * 1e6,
};

/**
 * A monotonic clock that reads 0 when it is made: a stream's own time, as GStreamer's running
 * time starts at 0 when a pipeline starts playing. A pipeline session's graph runs on one, so the
 * frames its sources make are stamped from the session's start (in the same time as the inputs a
 * client sends, which start at 0) and fit the wire format's timestamps (at most 2^53 - 1 ns, about
 * 104 days), which {@linkcode monotonicClock}'s epoch nanoseconds do not.
 *
 * @returns The clock; `nowNs()` is never negative and never decreases.
 *
 * @example A clock from now
 * ```ts
 * import assert from "node:assert/strict";
 * import { clockFromNow } from "./media_clock.ts";
 *
 * const clock = clockFromNow();
 * const t = clock.nowNs();
 * assert.ok(t >= 0 && t < 1e9);
 * assert.ok(Number.isSafeInteger(Math.round(t)));
 * ```
 */
export function clockFromNow(): MediaClock {
  const zero = performance.now();
  return { nowNs: (): number => (performance.now() - zero) * 1e6 };
}
