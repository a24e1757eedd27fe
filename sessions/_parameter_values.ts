/**
 * The checks a session's parameter values get before they cross to its isolate: a plain object
 * of names to JSON values, nested at most 64 levels (the wire format's bound); and, where the
 * runner has its processors loaded, the manifest's declared parameters and their fields' schemas
 * (the isolate's own `applyParameters()`, run before an isolate is taken). Internal.
 *
 * @module
 */

import { jsonDepth } from "../core/manifest/limits.ts";
import { applyParameters, ParameterError } from "../core/manifest/parameters.ts";
import { validateManifest } from "../core/manifest/validation.ts";
import type { NodeRegistry } from "../core/registry/node_registry.ts";
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

/**
 * Refuses values the session's isolate would refuse when it loads the manifest, with the error
 * the session would end with: the isolate's `loadManifest()` runs `validateManifest()`, then
 * `applyParameters()`, the same functions with the same processors. A manifest with issues is
 * left to the isolate (its `invalid_manifest` comes first there).
 *
 * @param manifest The session's manifest.
 * @param values The caller's values (already through {@linkcode checkParameterValues}).
 * @param registry The processors the session's isolate loads.
 * @param id The id the session would have.
 * @throws {SessionError} `unknown_parameter` or `invalid_parameter`, as `Session.ready` would
 * reject with it.
 */
export function checkParametersFit(
  manifest: unknown,
  values: unknown,
  registry: NodeRegistry,
  id: string,
): void {
  if (values === undefined || Object.keys(values as object).length === 0) return;
  if (validateManifest(manifest, registry).length > 0) return;
  try {
    applyParameters(manifest, values, registry);
  } catch (error) {
    if (!(error instanceof ParameterError)) return; // the isolate says what it is
    // What `Session` makes of the isolate's `open-failed` (its details as they cross: JSON).
    throw new SessionError(
      error.code,
      `Session '${id}' could not start: ${error.message}`,
      id,
      JSON.parse(JSON.stringify(error.details)),
    );
  }
}
