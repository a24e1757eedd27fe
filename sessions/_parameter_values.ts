/**
 * The check a session's parameter values get before they cross to its isolate: a plain object
 * of names to JSON values, nested at most 64 levels (the wire format's bound). Internal.
 *
 * @module
 */

import { jsonDepth } from "../core/manifest/limits.ts";
import { PARAMETERS_MAX_DEPTH } from "./_parameter_limits.ts";
import { SessionError } from "./errors.ts";

/**
 * Refuses values that are not an object of names to JSON values, or that nest too deep to
 * cross to an isolate (a structured clone of a value a million levels deep overflows the stack).
 *
 * @param values The caller's values (undefined: none).
 * @param id The session's id, `""` before it has one.
 * @throws {SessionError} `invalid_parameter`.
 */
export function checkParameterValues(values: unknown, id = ""): void {
  if (values === undefined) return;
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new SessionError(
      "invalid_parameter",
      `Parameters must be an object of names to JSON values, got ${
        Array.isArray(values) ? "an array" : values === null ? "null" : typeof values
      }`,
      id,
    );
  }
  if (jsonDepth(values, PARAMETERS_MAX_DEPTH) > PARAMETERS_MAX_DEPTH) {
    throw new SessionError(
      "invalid_parameter",
      `Parameters nest arrays and objects more than ${PARAMETERS_MAX_DEPTH} levels deep, the most they may`,
      id,
    );
  }
}
