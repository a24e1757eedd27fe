/**
 * {@linkcode SessionMetrics}: the `/metrics` of `streamlib serve`, fed by the WebSocket
 * transport's observer hooks.
 *
 * @module
 */

import type { SessionObserver } from "../sessions/websocket/observer.ts";
import { Counter } from "./prometheus/counter.ts";
import { Gauge } from "./prometheus/gauge.ts";
import { Histogram } from "./prometheus/histogram.ts";

/** The round-trip buckets, in seconds: 0.5 ms to 2.5 s. */
export const ROUND_TRIP_BUCKETS: readonly number[] = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.02,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
];

/**
 * The server's metrics, in the Prometheus text format: sessions active, started and failed (by
 * code), frames in and out, the round-trip histogram, and the process's resident memory. It
 * holds counters only: nothing of one session outlives it (a server keeps no cross-session
 * state, so any number run behind a load balancer).
 *
 * - `streamlib_sessions_active` (gauge): sessions open now.
 * - `streamlib_sessions_started_total`: sessions accepted.
 * - `streamlib_sessions_failed_total{code}`: opens refused and sessions ended with a code
 *   (`session_limit_reached`, `pipeline_not_found`, `invalid_token`, `session_idle_timeout`,
 *   `client_disconnected`, `server_shutting_down`, ...).
 * - `streamlib_session_frames_in_total`: frames the graphs took from clients;
 *   `streamlib_session_frames_out_total`: output frames sent to clients;
 *   `streamlib_session_frames_dropped_total{code}`: output frames not sent because the wire
 *   format cannot carry them (`wire_malformed`, `wire_too_large`).
 * - `streamlib_session_round_trip_seconds` (histogram): from a client's frame arriving to the
 *   first output frame carrying its sequence number leaving.
 * - `process_resident_memory_bytes` (gauge): the process's RSS.
 *
 * @example Count a session
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionMetrics } from "./session_metrics.ts";
 *
 * const metrics = new SessionMetrics();
 * metrics.observer.started?.("s1", "voice-fx");
 * metrics.observer.roundTrip?.(0.003);
 * metrics.observer.ended?.("s1", "session_idle_timeout");
 * const text = metrics.render();
 * assert.match(text, /^streamlib_sessions_started_total 1$/m);
 * assert.match(text, /^streamlib_sessions_failed_total\{code="session_idle_timeout"\} 1$/m);
 * assert.match(text, /^streamlib_session_round_trip_seconds_bucket\{le="0.005"\} 1$/m);
 * assert.match(text, /^streamlib_sessions_active 0$/m);
 * ```
 */
export class SessionMetrics {
  #active = 0;
  readonly #started = new Counter("streamlib_sessions_started_total", "Sessions accepted");
  readonly #failed = new Counter(
    "streamlib_sessions_failed_total",
    "Session opens refused and sessions ended with an error code, by code",
    "code",
  );
  readonly #framesIn = new Counter(
    "streamlib_session_frames_in_total",
    "Frames the sessions' graphs took from clients",
  );
  readonly #framesOut = new Counter(
    "streamlib_session_frames_out_total",
    "Output frames sent to clients",
  );
  readonly #framesDropped = new Counter(
    "streamlib_session_frames_dropped_total",
    "Output frames dropped because the wire format cannot carry them, by code",
    "code",
  );
  readonly #roundTrip = new Histogram(
    "streamlib_session_round_trip_seconds",
    "From a client's frame arriving to the first output frame with its sequence number leaving",
    ROUND_TRIP_BUCKETS,
  );
  readonly #gauges = [
    new Gauge("streamlib_sessions_active", "Sessions open now", () => this.#active),
    new Gauge(
      "process_resident_memory_bytes",
      "Resident memory of the server process, in bytes",
      () => Deno.memoryUsage().rss,
    ),
  ];

  /** The hooks to give the transport. */
  readonly observer: SessionObserver = {
    refused: (code) => this.#failed.inc(code),
    started: () => {
      this.#active++;
      this.#started.inc();
    },
    ended: (_session, code) => {
      this.#active--;
      if (code !== "") this.#failed.inc(code);
    },
    frameIn: () => this.#framesIn.inc(),
    frameOut: () => this.#framesOut.inc(),
    frameDropped: (code) => this.#framesDropped.inc(code),
    roundTrip: (seconds) => this.#roundTrip.observe(seconds),
  };

  /** Sessions open now. */
  get active(): number {
    return this.#active;
  }

  /**
   * Every family in the text format, for a scrape.
   *
   * @returns The exposition.
   */
  render(): string {
    return [
      this.#gauges[0].render(),
      this.#started.render(),
      this.#failed.render(),
      this.#framesIn.render(),
      this.#framesOut.render(),
      this.#framesDropped.render(),
      this.#roundTrip.render(),
      this.#gauges[1].render(),
    ].join("");
  }
}
