/**
 * Reads a request's body for the offer and the parameters' PATCH through the servers' one bounded
 * reader (`frontend/read_body.ts`), answering in this transport's errors. Internal.
 *
 * @module
 */

import { BodyReadError, readBody as readBounded } from "../../frontend/read_body.ts";
import { TransportError } from "../websocket/errors.ts";
import { WebRtcSessionError } from "./errors.ts";

/** The bounds of one body's read. */
export interface BodyLimits {
  /** The largest body taken, in bytes. */
  readonly maxBytes: number;
  /** How long the whole body may take to arrive, in milliseconds. */
  readonly timeoutMs: number;
  /** Aborted when the server stops: the read ends at once with `server_shutting_down`. */
  readonly signal?: AbortSignal;
}

/**
 * The request's body.
 *
 * @param request The request.
 * @param limits The largest body, how long it may take, and the server's stop.
 * @param what What the body is, for messages (`the offer`).
 * @returns The body's bytes.
 * @throws {WebRtcSessionError} `body_too_large`, `body_incomplete`, `body_timeout` (a body still
 *   unfinished after `timeoutMs`: a client that holds its request open would otherwise hold a
 *   connection, and the server's stop, forever).
 * @throws {TransportError} `server_shutting_down` when `signal` aborts during the read.
 */
export async function readBody(
  request: Request,
  limits: BodyLimits,
  what: string,
): Promise<Uint8Array> {
  try {
    return await readBounded(request, { ...limits, what });
  } catch (error) {
    if (limits.signal?.aborted) {
      throw new TransportError(
        "server_shutting_down",
        `Cannot read ${what}: the server is stopping`,
      );
    }
    if (!(error instanceof BodyReadError) || error.code === "invalid_utf8") throw error;
    const details: Record<string, number> = error.code === "body_too_large"
      ? { maxBytes: limits.maxBytes }
      : error.code === "body_timeout"
      ? { timeoutMs: limits.timeoutMs }
      : {};
    throw new WebRtcSessionError(error.code, error.message, details);
  }
}
