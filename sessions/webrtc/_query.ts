/**
 * Reads a WebRTC offer's query string: `?parameters=<URL-encoded JSON object>`, the values of the
 * pipeline's parameters, and nothing else. Internal.
 *
 * @module
 */

import { jsonTextDepth } from "../../core/manifest/limits.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { PARAMETERS_MAX_BYTES, PARAMETERS_MAX_DEPTH } from "../_parameter_limits.ts";
import { WebRtcSessionError } from "./errors.ts";

/** The one query parameter an offer takes. */
export const QUERY_PARAMETERS = "parameters";

const EXPECTED = "a URL-encoded JSON object of parameter names to values";

/**
 * The parameter values an offer's URL carries in `?parameters=`, or `undefined` when it carries
 * none (no query, or an empty object).
 *
 * @param url The offer's URL.
 * @returns The values by name, unchecked against the pipeline (its runner does that).
 * @throws {WebRtcSessionError} `invalid_query` for another query parameter, `parameters` given
 * twice, or a value that is not JSON, not an object, nests more than
 * {@linkcode PARAMETERS_MAX_DEPTH} levels or is over {@linkcode PARAMETERS_MAX_BYTES} bytes.
 */
export function queryParameters(url: URL): Record<string, JsonValue> | undefined {
  const names = [...url.searchParams.keys()];
  const other = names.find((name) => name !== QUERY_PARAMETERS);
  if (other !== undefined) {
    throw refused(
      `Cannot take the query parameter ${
        JSON.stringify(other.slice(0, 80))
      }: an offer's URL takes only ?${QUERY_PARAMETERS}=<${EXPECTED}>`,
      { field: other.slice(0, 256) },
    );
  }
  if (names.length === 0) return undefined;
  if (names.length > 1) {
    throw refused(`Cannot take ?${QUERY_PARAMETERS}= ${names.length} times: give it once`);
  }
  const text = url.searchParams.get(QUERY_PARAMETERS)!;
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > PARAMETERS_MAX_BYTES) {
    throw refused(
      `Cannot take ?${QUERY_PARAMETERS}=: it is ${bytes} bytes of JSON, at most ${PARAMETERS_MAX_BYTES} are taken`,
    );
  }
  if (jsonTextDepth(text, PARAMETERS_MAX_DEPTH) > PARAMETERS_MAX_DEPTH) {
    throw refused(
      `Cannot take ?${QUERY_PARAMETERS}=: it nests more than ${PARAMETERS_MAX_DEPTH} levels deep`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refused(`Cannot take ?${QUERY_PARAMETERS}=: it is not JSON, expected ${EXPECTED}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const found = Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
    throw refused(`Cannot take ?${QUERY_PARAMETERS}=: it is ${found}, expected ${EXPECTED}`);
  }
  return Object.keys(value).length === 0 ? undefined : value as Record<string, JsonValue>;
}

function refused(
  message: string,
  details: Record<string, string> = { field: QUERY_PARAMETERS },
): WebRtcSessionError {
  return new WebRtcSessionError("invalid_query", message, {
    ...details,
    available: [QUERY_PARAMETERS],
  });
}
