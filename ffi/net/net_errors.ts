/**
 * The typed error of native network endpoints (SRT, RTMP).
 *
 * @module
 */

import type { ErrorDetails } from "../../core/errors/codes.ts";

/**
 * A network endpoint's native thread failed (a panic in native code, which no packet from the
 * network should cause): the endpoint no longer connects, sends or receives. Its `push()` and
 * `read()` throw this, so the node fails with code `network_endpoint_failed` instead of running
 * on silently; restarting the node starts a fresh endpoint.
 *
 * @example Tell a failed endpoint from other errors
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetEndpointError } from "./net_errors.ts";
 *
 * const error = new NetEndpointError("srt", "receive", "sl-srt-source panicked: boom");
 * assert.equal(error.code, "network_endpoint_failed");
 * assert.equal(error.message, "Cannot receive over SRT: sl-srt-source panicked: boom");
 * assert.deepEqual(error.details, { transport: "srt", reason: "sl-srt-source panicked: boom" });
 * ```
 */
export class NetEndpointError extends Error {
  /** The stable code. */
  readonly code = "network_endpoint_failed" as const;
  /** The transport: `srt` or `rtmp`. */
  readonly transport: string;
  /** What the native side reported. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param transport `srt` or `rtmp`.
   * @param operation What was being done: `send` or `receive`.
   * @param reason What the native side reported.
   */
  constructor(transport: string, operation: string, reason: string) {
    super(`Cannot ${operation} over ${transport.toUpperCase()}: ${reason}`);
    this.name = "NetEndpointError";
    this.transport = transport;
    this.reason = reason;
  }

  /** Structured details: the transport and the native reason. */
  get details(): ErrorDetails {
    return { transport: this.transport, reason: this.reason };
  }
}
