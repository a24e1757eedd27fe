/**
 * {@linkcode SessionClientError}: why a session client's call failed, with the server's code.
 *
 * @module
 */

/**
 * A session refused or ended by the server (its code: `pipeline_not_found`, `invalid_token`,
 * `pipeline_not_allowed`, `session_limit_reached`, `session_idle_timeout`,
 * `session_processor_failed`, `server_shutting_down`, ..., all in `docs/errors.md`), or by the
 * connection: `connection_failed` (the server could not be reached) and `connection_lost` (the
 * connection ended without a `close`). A non-fatal `error` of the server (a frame refused) is one
 * too, passed to the `onError` option.
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionClientError } from "@streamlib/streamlib/sessions/client";
 *
 * const error = new SessionClientError("pipeline_not_found", "No pipeline 'vx'", true);
 * assert.equal(error.code, "pipeline_not_found");
 * assert.ok(error.fatal);
 * ```
 */
export class SessionClientError extends Error {
  /** The stable code (`docs/errors.md`). */
  readonly code: string;
  /** Whether the session ended with it. */
  readonly fatal: boolean;

  /**
   * Creates the error.
   *
   * @param code The code.
   * @param message What happened.
   * @param fatal Whether the session ended with it.
   */
  constructor(code: string, message: string, fatal: boolean) {
    super(message);
    this.name = "SessionClientError";
    this.code = code;
    this.fatal = fatal;
  }
}
