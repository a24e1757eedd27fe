/**
 * Request body validation: every body is read with a size limit, parsed, and checked field by
 * field; what is wrong comes back as a 4xx {@linkcode ApiError} naming the field and the choices.
 *
 * @module
 */

import type { JsonSchema, JsonValue } from "../../../core/schema/json_schema.ts";
import { type OperationIssue, operationIssues } from "../../../core/operations/check.ts";
import { type BodyLimits, BodyReadError, readBodyText } from "../../../frontend/read_body.ts";
import { ApiError } from "./errors.ts";

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** How long a request body may take to arrive, in milliseconds. */
export const BODY_TIMEOUT_MS = 10_000;

/** The control API's default body limits: {@linkcode MAX_BODY_BYTES}, {@linkcode BODY_TIMEOUT_MS}. */
export const API_BODY_LIMITS: BodyLimits = { maxBytes: MAX_BODY_BYTES, timeoutMs: BODY_TIMEOUT_MS };

/** A JSON object from a request body. */
export type JsonObject = Record<string, JsonValue>;

/**
 * Reads a request's JSON object body through {@linkcode readBodyText} (bounded in size and
 * time). An empty body reads as `{}` when `optional`.
 *
 * @param request The request.
 * @param optional Whether an empty body is allowed.
 * @param limits Size and time bounds. Default {@linkcode API_BODY_LIMITS}.
 * @returns The object.
 * @throws {ApiError} 415 when the content type is not JSON, 413 when the body is too large, 408
 * when it is too slow, 400 when it is cut off or not a JSON object.
 */
export async function readJsonObject(
  request: Request,
  optional = false,
  limits: BodyLimits = API_BODY_LIMITS,
): Promise<JsonObject> {
  const text = await requestText(request, limits);
  if (text.trim() === "" && optional) return {};
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Cannot read the body: content-type must be application/json, got ${
        JSON.stringify(short(type) || "none")
      }`,
      { field: "content-type", choices: ["application/json"] },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      400,
      "invalid_json",
      `Cannot parse the body: ${short((error as Error).message)}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(
      400,
      "invalid_body",
      `Cannot use the body: expected a JSON object, got ${describe(value)}`,
    );
  }
  return value as JsonObject;
}

const texts = new WeakMap<Request, Promise<string>>();

/**
 * A request's body as text, read once through {@linkcode readBodyText} (bounded in size and
 * time); later calls for the same request get the same text. The API reads every mutating
 * request's body this way before routing, so a body that is cut off, too slow or too large fails
 * the request before any route acts on it.
 *
 * @param request The request.
 * @param limits Size and time bounds.
 * @returns The text (empty when there is no body).
 * @throws {ApiError} 413 `body_too_large`, 408 `body_timeout`, 400 `body_incomplete` or
 * `invalid_json` (not UTF-8).
 */
export function requestText(
  request: Request,
  limits: BodyLimits = API_BODY_LIMITS,
): Promise<string> {
  let text = texts.get(request);
  if (text === undefined) {
    text = readBodyText(request, limits).catch((error) => {
      if (!(error instanceof BodyReadError)) throw error;
      const code = error.code === "invalid_utf8" ? "invalid_json" : error.code;
      throw new ApiError(error.status, code, error.message);
    });
    texts.set(request, text);
  }
  return text;
}

/**
 * A short description of a JSON value for error messages: `a string`, `42`, `an array`.
 *
 * @param value The value.
 * @returns The description.
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (value === undefined) return "nothing";
  return JSON.stringify(value);
}

/**
 * A request value cut to 80 characters, for error messages.
 *
 * @param value The value.
 * @returns It, or its first 80 characters and an ellipsis.
 */
export function short(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}...` : value;
}

/**
 * Checks a body's fields against an operation's schema (`core/operations/schemas.ts`) with
 * `operationIssues()`, the check MCP's tools and manifests use: unknown fields, missing ones,
 * types, ranges and choices, answered with the first issue's code and field. What is inside a
 * field (a config's keys) is left to the route (the processor's schema).
 *
 * @param schema The operation's schema.
 * @param body The body.
 * @param what What the body describes, for the message (`a node`).
 * @param choices Valid values to list for a field beyond the schema's own (the Workers in use
 * for `placement`).
 * @throws {ApiError} 400 `unknown_field` (listing the known fields), `missing_field` or
 * `invalid_field` (with the choices of an enum), naming the first bad field.
 */
export function checkBody(
  schema: JsonSchema,
  body: JsonObject,
  what: string,
  choices: { readonly [field: string]: readonly string[] } = {},
): void {
  const [issue] = operationIssues(schema, body);
  if (issue === undefined) return;
  throw operationApiError(issue, what, choices[issue.field]);
}

/**
 * The API error of an operation's issue (`operationIssues()`, `OperationError`): 400 with its
 * code, field and choices.
 *
 * @param issue The issue.
 * @param what What the request describes, for the message (`a node`).
 * @param choices Choices to list instead of the issue's own.
 * @returns The error.
 */
export function operationApiError(
  issue: OperationIssue,
  what: string,
  choices?: readonly string[],
): ApiError {
  const field = short(issue.field);
  const listed = choices ?? issue.choices;
  const message = issue.code === "unknown_field"
    ? `Cannot use field '${field}' of ${what}: ${
      issue.problem.replace(/^is not a field of this operation: /, "")
    }`
    : `Field '${field}' ${issue.problem}`;
  return new ApiError(400, issue.code, message, {
    field,
    ...(listed ? { choices: listed } : {}),
  });
}

/**
 * Refuses fields the endpoint does not know.
 *
 * @param body The body.
 * @param allowed The known fields.
 * @param what What the body describes, for the message (`a node`).
 * @throws {ApiError} 400 naming the first unknown field and the known ones.
 */
export function onlyFields(body: JsonObject, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new ApiError(
        400,
        "unknown_field",
        `Cannot use field '${key}' of ${what}: known fields are ${allowed.join(", ")}`,
        { field: key, choices: allowed },
      );
    }
  }
}

/**
 * An optional JSON object field.
 *
 * @param body The body.
 * @param field The field.
 * @returns The object, or `undefined` when missing.
 * @throws {ApiError} 400 when it is not an object.
 */
export function objectField(body: JsonObject, field: string): JsonObject | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(
      400,
      "invalid_field",
      `Field '${field}' must be a JSON object, got ${describe(value)}`,
      { field },
    );
  }
  return value as JsonObject;
}

/**
 * The choices for a node's `placement`: `"main"`, each Worker in use as `{"worker":"<name>"}`,
 * and the pattern for a new one.
 *
 * @param workers The Worker names the graph uses now.
 * @returns The choices.
 */
export function placementChoices(workers: readonly string[]): string[] {
  return ["main", ...workers.map((worker) => JSON.stringify({ worker })), '{"worker":"<name>"}'];
}
