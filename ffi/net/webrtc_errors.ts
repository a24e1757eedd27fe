/**
 * The typed error of WebRTC endpoints (WHEP playback, WHIP ingest).
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../../core/errors/codes.ts";

/** The codes a {@linkcode WebRtcError} carries. */
export type WebRtcErrorCode = Extract<ErrorCode, `webrtc_${string}`>;

/**
 * A WebRTC endpoint refused a request: a bad offer, an unknown session, too many peers, a name
 * already taken, or a node with no live endpoint. `code` says which; the control API maps it to
 * an HTTP status.
 *
 * @example Refuse an offer that is not SDP
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebRtcEndpoint } from "./webrtc_endpoint.ts";
 * import { WebRtcError } from "./webrtc_errors.ts";
 *
 * using endpoint = WebRtcEndpoint.create({ name: "doc-webrtc-errors", mode: "send" });
 * assert.throws(() => endpoint.acceptOffer("hello"), (e) => {
 *   assert.ok(e instanceof WebRtcError);
 *   assert.equal(e.code, "webrtc_invalid_offer");
 *   return true;
 * });
 * ```
 */
export class WebRtcError extends Error {
  /** The stable code. */
  readonly code: WebRtcErrorCode;
  /** The endpoint (node id) the request was for. */
  readonly endpoint: string;

  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param endpoint The endpoint's name (node id).
   * @param message A sentence saying what is wrong and what would work.
   */
  constructor(code: WebRtcErrorCode, endpoint: string, message: string) {
    super(message);
    this.name = "WebRtcError";
    this.code = code;
    this.endpoint = endpoint;
  }

  /** Structured details: the endpoint. */
  get details(): ErrorDetails {
    return { endpoint: this.endpoint };
  }
}
