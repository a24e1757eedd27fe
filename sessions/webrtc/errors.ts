/**
 * {@linkcode WebRtcSessionError}: how the WebRTC session transport refuses a request, with a code
 * and the HTTP status it answers with; {@linkcode httpStatusOf} maps every code it may answer.
 *
 * @module
 */

/**
 * The transport's own refusals: `unsupported_media_type` (a body that is not
 * `application/sdp`), `body_too_large` (an offer over the bound), `body_incomplete`,
 * `body_timeout` (an offer whose body did not arrive within its deadline),
 * `webrtc_invalid_offer` (not an SDP offer, or none the endpoint can answer),
 * `webrtc_no_media_port` (the pipeline has no application input or output `audio` or `video`),
 * `webrtc_session_not_found` (a `DELETE` or `PATCH` of no live session), `invalid_query` (an
 * offer's query string other than one `?parameters=` of a URL-encoded JSON object),
 * `invalid_json` and `invalid_body` (a `PATCH` body that is not JSON, or not
 * `{"parameters": {...}}`), `forbidden_origin` (a browser page of an origin not allowed),
 * `method_not_allowed` and `not_found`.
 */
export type WebRtcSessionErrorCode =
  | "unsupported_media_type"
  | "body_too_large"
  | "body_incomplete"
  | "body_timeout"
  | "webrtc_invalid_offer"
  | "webrtc_no_media_port"
  | "webrtc_session_not_found"
  | "invalid_query"
  | "invalid_json"
  | "invalid_body"
  | "forbidden_origin"
  | "method_not_allowed"
  | "not_found";

/** The HTTP status of every code a WebRTC session request may be refused with; others are 500. */
const STATUS: Readonly<Record<string, number>> = {
  webrtc_invalid_offer: 400,
  body_incomplete: 400,
  invalid_query: 400,
  invalid_json: 400,
  invalid_body: 400,
  missing_token: 401,
  invalid_token: 401,
  pipeline_not_allowed: 403,
  forbidden_origin: 403,
  pipeline_not_found: 404,
  webrtc_session_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
  invalid_manifest: 422,
  unknown_parameter: 422,
  invalid_parameter: 422,
  memory_budget_exceeded: 409,
  webrtc_no_media_port: 422,
  body_timeout: 408,
  session_idle_timeout: 408,
  session_too_long: 408,
  session_closed: 409,
  config_locked: 409,
  configure_overrun: 429,
  session_unresponsive: 504,
  session_limit_reached: 503,
  server_shutting_down: 503,
  webrtc_too_many_peers: 503,
};

/** Every code a WebRTC session request may be refused with, besides 500s. */
export const WEBRTC_REFUSAL_CODES: readonly string[] = Object.keys(STATUS);

/**
 * The HTTP status a WebRTC session request refused with `code` gets (the control API's status of
 * the same code).
 *
 * @param code The error's code.
 * @returns The status; 500 for a code of no request fault (an isolate that died, a native error).
 *
 * @example A request fault, a full server and a fault of the server
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpStatusOf } from "./errors.ts";
 *
 * assert.equal(httpStatusOf("session_limit_reached"), 503);
 * assert.equal(httpStatusOf("webrtc_invalid_offer"), 400);
 * assert.equal(httpStatusOf("session_isolate_died"), 500);
 * ```
 */
export function httpStatusOf(code: string): number {
  return STATUS[code] ?? 500;
}

/**
 * A refusal of the WebRTC session transport, with a stable code and its HTTP status.
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebRtcSessionError } from "./errors.ts";
 *
 * const error = new WebRtcSessionError("webrtc_no_media_port", "Cannot serve 'x' over WebRTC: no audio or video port", { pipeline: "x" });
 * assert.equal(error.status, 422);
 * assert.equal(error.details.pipeline, "x");
 * ```
 */
export class WebRtcSessionError extends Error {
  /** The stable code. */
  readonly code: WebRtcSessionErrorCode;
  /** The HTTP status it is answered with. */
  readonly status: number;
  /** Structured fields: the offending value and the valid alternatives. */
  readonly details: Readonly<Record<string, string | number | readonly string[]>>;

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message What was wrong and what is valid.
   * @param details The offending value and the valid alternatives.
   */
  constructor(
    code: WebRtcSessionErrorCode,
    message: string,
    details: Readonly<Record<string, string | number | readonly string[]>> = {},
  ) {
    super(message);
    this.name = "WebRtcSessionError";
    this.code = code;
    this.status = httpStatusOf(code);
    this.details = details;
  }
}
