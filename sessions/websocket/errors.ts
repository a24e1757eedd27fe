/**
 * {@linkcode TransportError}: how a session transport refuses an `open` or ends a session for a
 * reason of its own (not the runner's), with a stable code.
 *
 * @module
 */

import type { BearerCredential } from "../bearer.ts";

/**
 * The codes a session transport gives beside the runner's and the wire codec's (all in
 * `docs/errors.md`): `pipeline_not_found` (no pipeline of that name), `missing_token` and
 * `invalid_token`, `pipeline_not_allowed` (the token does not allow it), `wire_unexpected` (a
 * message out of order), `input_overrun` (frames sent faster than the graph takes them, past
 * the server's bound), `server_shutting_down`, and `client_disconnected` (counted only: the
 * client is gone).
 */
export type TransportErrorCode =
  | "pipeline_not_found"
  | "missing_token"
  | "invalid_token"
  | "pipeline_not_allowed"
  | "wire_unexpected"
  | "input_overrun"
  | "server_shutting_down"
  | "client_disconnected";

/**
 * A transport's refusal, with a stable code: what a pipeline resolver throws to refuse an `open`
 * (the client gets a fatal `error` with the code, then a `close`).
 *
 * @example Refuse an unknown pipeline
 * ```ts
 * import assert from "node:assert/strict";
 * import { TransportError } from "@streamlib/streamlib/sessions/websocket";
 *
 * const error = new TransportError("pipeline_not_found", "No pipeline 'vx', available: voice-fx", {
 *   available: ["voice-fx"],
 * });
 * assert.equal(error.code, "pipeline_not_found");
 * assert.deepEqual(error.details.available, ["voice-fx"]);
 * ```
 */
export class TransportError extends Error {
  /** The stable code. */
  readonly code: TransportErrorCode;
  /** Structured fields: the offending name, the valid alternatives (`available`). */
  readonly details: Readonly<Record<string, string | number | readonly string[]>>;

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message What was wrong and what is valid.
   * @param details The offending name and the valid alternatives.
   */
  constructor(
    code: TransportErrorCode,
    message: string,
    details: Readonly<Record<string, string | number | readonly string[]>> = {},
  ) {
    super(message);
    this.name = "TransportError";
    this.code = code;
    this.details = details;
  }
}

/**
 * The refusal of a credential that is no bearer token (`readBearer()`'s `problem`, sessions/bearer.ts):
 * `invalid_token`, since a credential was sent, saying what is wrong and what form is valid.
 *
 * @param action What the request could not do (`Cannot open 'voice-fx'`).
 * @param credential The credential read.
 * @returns The error to throw.
 */
export function credentialError(action: string, credential: BearerCredential): TransportError {
  return new TransportError("invalid_token", `${action}: ${credential.problem}`, {
    field: "authorization",
  });
}
