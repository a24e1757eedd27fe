/**
 * {@linkcode SessionAdmin}: `streamlib serve`'s operator API over its runner's live sessions
 * (`/v1/admin/sessions`): list them, show one's graph, end one. Behind operator tokens.
 *
 * @module
 */

import {
  ADMIN_SESSIONS_PATH,
  type OperatorRole,
  type SessionGraphBody,
  type SessionListBody,
  type SessionsPageContext,
} from "../frontend/session_admin.ts";
import { MAX_ID_LENGTH } from "../frontend/control_policy.ts";
import { tokensMatch } from "../frontend/token.ts";
import { BodyReadError, readBodyText } from "../frontend/read_body.ts";
import type { JsonValue } from "../core/schema/json_schema.ts";
import type { PipelineRunner } from "../sessions/runner.ts";
import { readBearer, type TokenPolicy } from "./tokens.ts";

/** The codes the admin API answers with, and their HTTP status. */
const STATUS: Readonly<Record<string, number>> = {
  missing_token: 401,
  invalid_token: 401,
  operation_not_allowed: 403,
  not_found: 404,
  session_not_found: 404,
  method_not_allowed: 405,
  id_too_long: 400,
  session_closed: 409,
  session_ended_by_operator: 409,
  session_unresponsive: 504,
  unknown_parameter: 422,
  invalid_parameter: 422,
  config_locked: 409,
  invalid_json: 400,
  invalid_body: 400,
  unsupported_media_type: 415,
  body_too_large: 413,
  body_timeout: 408,
  body_incomplete: 400,
  invalid_utf8: 400,
};

/** The largest `PATCH` body taken: parameters as JSON (65,535 bytes) and their envelope. */
const MAX_PATCH_BYTES = 96 * 1024;
/** How long a `PATCH` body may take to arrive. */
const PATCH_TIMEOUT_MS = 10_000;

/**
 * An operator's call refused, with its code: `missing_token`, `invalid_token` (401),
 * `operation_not_allowed` (a read token ending a session, 403), `id_too_long` (400),
 * `not_found` (404), `method_not_allowed` (405). The runner's `session_not_found` (404) and
 * `session_unresponsive` (504) come as its `SessionError`.
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdminError } from "@streamlib/streamlib/serve";
 *
 * const error = new AdminError("operation_not_allowed", "Cannot end a session with a read token");
 * assert.equal(error.code, "operation_not_allowed");
 * ```
 */
export class AdminError extends Error {
  /** The stable code. */
  readonly code: string;
  /** Structured fields. */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message What was wrong and what is valid.
   * @param details Structured fields.
   */
  constructor(code: string, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = "AdminError";
    this.code = code;
    this.details = details;
  }
}

/**
 * The operator API of one server: `GET /v1/admin/sessions` (read), `GET
 * /v1/admin/sessions/:id` and `GET /v1/admin/sessions/:id/graph` (read), `DELETE
 * /v1/admin/sessions/:id` (admin: the session ends with `session_ended_by_operator`). Every call
 * needs `Authorization: Bearer <token>` of an operator: one of the token file's `operators`, or
 * the server's own admin token. Errors are `{ error: { status, code, message, details } }`.
 *
 * @example List the sessions of a server
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveSessions } from "@streamlib/streamlib/serve";
 *
 * const server = await serveSessions({ catalog: new Map(), port: 0 });
 * const headers = { authorization: `Bearer ${server.adminToken}` };
 * const response = await fetch(`${server.url}/v1/admin/sessions`, { headers });
 * assert.deepEqual(await response.json(), { sessions: [], active: 0, maxSessions: 16 });
 * const anonymous = await fetch(`${server.url}/v1/admin/sessions`);
 * assert.equal((await anonymous.json()).error.code, "missing_token");
 * await server.close();
 * ```
 */
export class SessionAdmin implements SessionsPageContext {
  readonly #runner: PipelineRunner;
  readonly #tokens: TokenPolicy;
  readonly #adminToken: string | undefined;

  /**
   * An admin API.
   *
   * @param runner The server's runner.
   * @param tokens The token file's operators.
   * @param adminToken A token with the `admin` role besides them (`streamlib serve` makes one
   * when the file names no operator).
   */
  constructor(runner: PipelineRunner, tokens: TokenPolicy, adminToken?: string) {
    this.#runner = runner;
    this.#tokens = tokens;
    this.#adminToken = adminToken;
  }

  /**
   * Checks a request's bearer token for a role.
   *
   * @param request The request.
   * @param role The role the call needs.
   * @throws {AdminError} `missing_token`, `invalid_token`, `operation_not_allowed`.
   */
  authorize(request: Request, role: OperatorRole): void {
    const credential = readBearer(request.headers.get("authorization"));
    if (credential.problem !== undefined) {
      throw new AdminError("invalid_token", `Invalid token: ${credential.problem}`, {
        field: "authorization",
      });
    }
    const bearer = credential.token;
    if (bearer === "") {
      throw new AdminError(
        "missing_token",
        "Missing token: send 'Authorization: Bearer <token>' with an operator token (the token file's operators, or the admin token printed when the server started)",
        { field: "authorization" },
      );
    }
    const own = this.#adminToken !== undefined && tokensMatch(bearer, this.#adminToken);
    const granted = own ? "admin" : this.#tokens.operatorRole(bearer);
    if (granted === undefined) {
      throw new AdminError("invalid_token", "Invalid token: it is no operator's of this server", {
        field: "authorization",
      });
    }
    if (role === "admin" && granted !== "admin") {
      throw new AdminError(
        "operation_not_allowed",
        "Cannot end or change a session with a read token: that needs an operator token with the admin role",
        { role: granted, needs: role },
      );
    }
  }

  /**
   * A session and its graph.
   *
   * @param id The session's id.
   * @returns The snapshot.
   * @throws {SessionError} `session_not_found`, `session_unresponsive`.
   */
  inspect(id: string): Promise<SessionGraphBody> {
    return this.#runner.inspect(id);
  }

  /**
   * Answers a request under `/v1/admin/`.
   *
   * @param request The request.
   * @returns The response; never throws.
   */
  async handle(request: Request): Promise<Response> {
    try {
      return await this.#route(request);
    } catch (error) {
      return errorResponse(error);
    }
  }

  async #route(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const rest = pathname === ADMIN_SESSIONS_PATH
      ? []
      : pathname.startsWith(`${ADMIN_SESSIONS_PATH}/`)
      ? pathname.slice(ADMIN_SESSIONS_PATH.length + 1).split("/")
      : undefined;
    if (
      rest === undefined || rest.length > 2 || (rest.length === 2 && rest[1] !== "graph") ||
      rest[0] === "" // `/v1/admin/sessions/`, `//graph`: no id is no route
    ) {
      throw new AdminError(
        "not_found",
        `No route at ${
          pathname.slice(0, 200)
        }: ${ADMIN_SESSIONS_PATH}, ${ADMIN_SESSIONS_PATH}/:id, ${ADMIN_SESSIONS_PATH}/:id/graph`,
      );
    }
    const methods = rest.length === 1 ? ["GET", "HEAD", "PATCH", "DELETE"] : ["GET", "HEAD"];
    if (!methods.includes(request.method)) {
      const response = errorResponse(
        new AdminError(
          "method_not_allowed",
          `${pathname.slice(0, 200)} takes ${methods.join(", ")}`,
        ),
      );
      response.headers.set("allow", methods.join(", "));
      return response;
    }
    const changes = request.method === "DELETE" || request.method === "PATCH";
    this.authorize(request, changes ? "admin" : "read");
    if (rest.length === 0) {
      const body: SessionListBody = {
        sessions: await this.#runner.list(),
        active: this.#runner.active,
        maxSessions: this.#runner.limits.maxSessions,
      };
      return Response.json(body, { headers: NO_STORE });
    }
    const id = sessionId(rest[0]);
    if (rest.length === 2) return Response.json(await this.inspect(id), { headers: NO_STORE });
    if (request.method === "PATCH") {
      const parameters = await patchParameters(request);
      await this.#runner.session(id).configure(parameters);
      return Response.json(await this.#runner.session(id).info(), { headers: NO_STORE });
    }
    if (request.method === "DELETE") {
      const code = "session_ended_by_operator";
      await this.#runner.end(id, { code });
      return Response.json({ id, state: "failed", code }, { headers: NO_STORE });
    }
    return Response.json(await this.#runner.session(id).info(), { headers: NO_STORE });
  }
}

const NO_STORE = { "cache-control": "no-store" };

/**
 * The parameters of a `PATCH` body, `{ "parameters": { name: value } }`: JSON, within 96 KiB and
 * 10 s.
 */
async function patchParameters(request: Request): Promise<Record<string, JsonValue>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new AdminError(
      "unsupported_media_type",
      `Cannot read the change: content-type must be application/json, got ${
        JSON.stringify(type.slice(0, 80) || "none")
      }`,
      { field: "content-type", available: ["application/json"] },
    );
  }
  let text: string;
  try {
    text = await readBodyText(request, { maxBytes: MAX_PATCH_BYTES, timeoutMs: PATCH_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof BodyReadError) throw new AdminError(error.code, error.message);
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AdminError("invalid_json", "Cannot read the change: the body is not JSON");
  }
  const fields = typeof body === "object" && body !== null && !Array.isArray(body)
    ? Object.keys(body)
    : undefined;
  const parameters = (body as { parameters?: unknown } | null)?.parameters;
  if (
    fields === undefined || fields.length !== 1 || fields[0] !== "parameters" ||
    typeof parameters !== "object" || parameters === null || Array.isArray(parameters)
  ) {
    throw new AdminError(
      "invalid_body",
      'Cannot read the change: the body must be { "parameters": { "<name>": <value>, ... } }',
      { field: "parameters", available: ["parameters"] },
    );
  }
  return parameters as Record<string, JsonValue>;
}

/** A path's session id, decoded and bounded. */
function sessionId(segment: string): string {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    id = segment;
  }
  if (id.length > MAX_ID_LENGTH) {
    throw new AdminError(
      "id_too_long",
      `Cannot use session id '${
        id.slice(0, 32)
      }...': it is ${id.length} characters long, the limit is ${MAX_ID_LENGTH}`,
      { field: "id" },
    );
  }
  return id;
}

/**
 * The JSON error response for anything a route threw: a coded error gets its code's status, the
 * rest is a 500 with `internal_error`.
 */
function errorResponse(error: unknown): Response {
  const { code, details } = error as { code?: unknown; details?: unknown };
  const coded = typeof code === "string" && code !== "";
  const status = coded ? STATUS[code] ?? 500 : 500;
  const message = error instanceof Error ? error.message : String(error);
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="streamlib"';
  return Response.json({
    error: {
      status,
      code: coded ? code : "internal_error",
      message: coded ? message : `Internal error: ${message}`,
      details: typeof details === "object" && details !== null ? details : {},
    },
  }, { status, headers });
}
