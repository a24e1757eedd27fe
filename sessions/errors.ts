/**
 * {@linkcode SessionError}: how a pipeline session ends or refuses a call, with a stable code.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../core/errors/codes.ts";
import type { JsonValue } from "../core/schema/json_schema.ts";

/**
 * A session's typed error: the runner refused it (`session_limit_reached`), a limit ended it
 * (`session_idle_timeout`, `session_too_long`, `memory_budget_exceeded`), its isolate died
 * (`session_isolate_died`) or a processor threw (`session_processor_failed`), a call came after
 * it ended (`session_closed`), or a frame was refused (`message_too_large`,
 * `app_frame_mismatch`, `frame_too_large`, `app_port_not_found`, ...: the code the runtime in the
 * session's isolate gave). A manifest that does not load gives `invalid_manifest` with its
 * issues in `details`.
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionError } from "@streamlib/streamlib/sessions";
 *
 * const error = new SessionError("session_idle_timeout", "Session 's1' ended: idle for 30000 ms", "s1");
 * assert.equal(error.code, "session_idle_timeout");
 * assert.deepEqual(error.details, { session: "s1" });
 * ```
 */
export class SessionError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode;
  /** The session's id (`""` when none was opened). */
  readonly session: string;
  readonly #details: Record<string, JsonValue>;
  /** The session's id and what the runtime gave. */
  get details(): ErrorDetails {
    return { session: this.session, ...this.#details };
  }

  /**
   * Creates the error.
   *
   * @param code The code.
   * @param message What happened.
   * @param session The session's id.
   * @param details More structured fields (from the isolate's error).
   */
  constructor(
    code: ErrorCode,
    message: string,
    session = "",
    details: Record<string, JsonValue> = {},
  ) {
    super(message);
    this.name = "SessionError";
    this.code = code;
    this.session = session;
    this.#details = details;
  }
}
