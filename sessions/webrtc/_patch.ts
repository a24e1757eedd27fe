/**
 * Reads the body of a session's `PATCH`: `application/json`, `{"parameters": {...}}`, bounded.
 * Internal.
 *
 * @module
 */

import { jsonTextDepth } from "../../core/manifest/limits.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { PARAMETERS_MAX_DEPTH } from "../_parameter_limits.ts";
import { SessionError } from "../errors.ts";
import { type BodyLimits, readBody } from "./_body.ts";
import { WebRtcSessionError } from "./errors.ts";

/** The one member the body takes. */
const MEMBER = "parameters";

/**
 * The new parameter values a `PATCH` carries.
 *
 * @param request The PATCH.
 * @param limits The largest body, how long it may take, and the server's stop.
 * @returns The values by name, unchecked against the pipeline (its session does that).
 * @throws {WebRtcSessionError} `unsupported_media_type` (not `application/json`),
 *   `body_too_large`, `body_incomplete`, `body_timeout`, `invalid_json` (not JSON), or
 *   `invalid_body` (not an object whose one member `parameters` is an object).
 * @throws {SessionError} `invalid_parameter` for values nested more than
 *   {@linkcode PARAMETERS_MAX_DEPTH} levels deep.
 * @throws {TransportError} `server_shutting_down` when `signal` aborts during the read.
 */
export async function readParameters(
  request: Request,
  limits: BodyLimits,
): Promise<Record<string, JsonValue>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new WebRtcSessionError(
      "unsupported_media_type",
      `Cannot read the parameters: content-type must be application/json, got ${
        JSON.stringify(type.slice(0, 80) || "none")
      }`,
      { field: "content-type", available: ["application/json"] },
    );
  }
  const text = new TextDecoder().decode(await readBody(request, limits, "the parameters"));
  // The object around the parameters is one level more.
  if (jsonTextDepth(text, PARAMETERS_MAX_DEPTH + 1) > PARAMETERS_MAX_DEPTH + 1) {
    throw new SessionError(
      "invalid_parameter",
      `Parameters nest arrays and objects more than ${PARAMETERS_MAX_DEPTH} levels deep, the most they may`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new WebRtcSessionError(
      "invalid_json",
      `Cannot read the parameters: the body is not JSON (${
        (error as Error).message.slice(0, 200)
      })`,
    );
  }
  const other = isObject(body) ? Object.keys(body).find((key) => key !== MEMBER) : undefined;
  if (!isObject(body) || other !== undefined || !isObject(body[MEMBER])) {
    throw new WebRtcSessionError(
      "invalid_body",
      `Cannot read the parameters: the body must be {"${MEMBER}": {<name>: <value>, ...}}, ${
        other !== undefined
          ? `got the member ${JSON.stringify(other.slice(0, 80))}`
          : `got ${describe(isObject(body) ? body[MEMBER] : body)}${
            isObject(body) ? ` as ${MEMBER}` : ""
          }`
      }`,
      { field: other?.slice(0, 256) ?? MEMBER, available: [MEMBER] },
    );
  }
  return body[MEMBER] as Record<string, JsonValue>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : typeof value;
}
