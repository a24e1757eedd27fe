/**
 * The front-ends' error codes: the refusals only a front-end gives (a request body, a route, a
 * token, an MCP tool, the operator's control policy), and the one lookup every front-end uses,
 * which merges them with the runtime's codes (`core/errors/codes.ts`). The control API maps each
 * code of {@linkcode ERROR_CODES} to an HTTP status; MCP passes it through.
 *
 * @module
 */

import {
  type CodedError as RuntimeCodedError,
  ERROR_CODES as RUNTIME_ERROR_CODES,
  type ErrorCode as RuntimeErrorCode,
  type ErrorCodeInfo,
  type ErrorDetails,
  hasCodeIn,
} from "../core/errors/codes.ts";

export type { ErrorCodeInfo, ErrorDetails, RuntimeErrorCode };

/**
 * The codes only front-ends give, with what they mean.
 *
 * @example Look a front-end code up
 * ```ts
 * import assert from "node:assert/strict";
 * import { FRONTEND_ERROR_CODES } from "./error_codes.ts";
 *
 * assert.equal(FRONTEND_ERROR_CODES.missing_token.origin, "access");
 * assert.match(FRONTEND_ERROR_CODES.unknown_tool.meaning, /MCP/);
 * ```
 */
export const FRONTEND_ERROR_CODES = {
  // Request bodies and routes.
  invalid_json: { origin: "request", meaning: "The body is not JSON" },
  invalid_body: { origin: "request", meaning: "The body is not a JSON object" },
  body_incomplete: { origin: "request", meaning: "The body was cut off" },
  body_timeout: { origin: "request", meaning: "The body arrived too slowly" },
  body_too_large: { origin: "request", meaning: "The body is over the size limit" },
  unsupported_media_type: {
    origin: "request",
    meaning: "A body of a Content-Type the endpoint does not take (JSON; SDP for WHEP/WHIP)",
  },
  upgrade_required: { origin: "request", meaning: "The event stream needs a WebSocket upgrade" },
  invalid_query: {
    origin: "request",
    meaning:
      "A query string the route does not take (a WebRTC offer takes one ?parameters= of a URL-encoded JSON object)",
  },
  // Session wire messages (sessions/wire/).
  wire_malformed: {
    origin: "request",
    meaning:
      "A session wire message with a field the format does not allow, or bytes after its end",
  },
  wire_truncated: { origin: "request", meaning: "A session wire message that ends early" },
  wire_version: {
    origin: "request",
    meaning: "A session wire message of a version the server does not read",
  },
  wire_too_large: {
    origin: "request",
    meaning: "A session wire message over the size limit, or a field over its bound",
  },
  // Pipelines served to callers (sessions/grpc/).
  pipeline_not_found: { origin: "request", meaning: "No pipeline of this name is served" },
  grpc_invalid_message: {
    origin: "request",
    meaning:
      "A gRPC session message that does not decode, comes out of order (no open first, a second open) or names an input twice",
  },
  grpc_deadline_exceeded: {
    origin: "request",
    meaning: "The gRPC call's own deadline (grpc-timeout) passed before it finished",
  },
  // Session transports (sessions/websocket/, sessions/client/, serve/).
  wire_unexpected: {
    origin: "request",
    meaning: "A session wire message out of order (a frame before open, a second open, ...)",
  },
  input_overrun: {
    origin: "request",
    meaning: "A session client sent more frames than the server holds before its graph takes them",
  },
  client_disconnected: {
    origin: "request",
    meaning: "A session's client went away before the session ended (counted, never sent)",
  },
  connection_failed: { origin: "request", meaning: "A session client could not reach the server" },
  webrtc_no_media_port: {
    origin: "request",
    meaning: "A WebRTC session of a pipeline with no application input or output audio or video",
  },
  connection_lost: {
    origin: "request",
    meaning: "A session client's connection ended without a close message",
  },
  // MCP and lifecycle actions.
  unknown_tool: { origin: "request", meaning: "MCP: no tool of this name" },
  unknown_resource: { origin: "request", meaning: "MCP: no resource at this URI" },
  unknown_action: { origin: "request", meaning: "No lifecycle action of this name" },
  file_error: { origin: "request", meaning: "A file cannot be read or written" },
  // Routes.
  not_found: { origin: "request", meaning: "No route at this path" },
  method_not_allowed: {
    origin: "request",
    meaning: "The route does not take this method (see Allow)",
  },
  // Access.
  missing_token: { origin: "access", meaning: "The request needs the token" },
  invalid_token: { origin: "access", meaning: "The token is wrong" },
  forbidden_origin: { origin: "access", meaning: "A browser request from another origin" },
  forbidden_host: {
    origin: "access",
    meaning: "A Host header other than the server's (DNS rebinding)",
  },
  processor_not_allowed: {
    origin: "access",
    meaning: "The operator's policy does not allow this processor",
  },
  path_not_allowed: {
    origin: "access",
    meaning:
      "A file path outside the operator's media folders, or one through a file (the message names it)",
  },
  id_too_long: { origin: "access", meaning: "An id over the policy's length limit" },
  pipeline_not_allowed: {
    origin: "access",
    meaning: "The token does not give access to this pipeline",
  },
  operation_not_allowed: {
    origin: "access",
    meaning:
      "The token does not allow this operation (a read-only operator token ending a session)",
  },
  // Plugin UI files (web/server/plugin_ui.ts).
  plugin_ui_not_found: { origin: "request", meaning: "No plugin of this name has a UI" },
  plugin_ui_file_not_found: {
    origin: "request",
    meaning: "No such file in a plugin's UI folder, or one of a type not served",
  },
  plugin_ui_path_invalid: {
    origin: "request",
    meaning:
      "A plugin UI path with '..', '.', a hidden or empty segment, a backslash, an encoded '/' or NUL",
  },
  plugin_ui_path_outside: {
    origin: "access",
    meaning: "A plugin UI path that resolves outside the plugin's UI folder (a symlink out)",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A code of {@linkcode FRONTEND_ERROR_CODES}. */
export type FrontendErrorCode = keyof typeof FRONTEND_ERROR_CODES;

/**
 * Every code a front-end may answer with: the runtime's codes, then the front-ends' own.
 *
 * @example Both tables in one lookup
 * ```ts
 * import assert from "node:assert/strict";
 * import { ERROR_CODES } from "./error_codes.ts";
 *
 * assert.equal(ERROR_CODES.port_not_found.origin, "runtime");
 * assert.equal(ERROR_CODES.invalid_token.origin, "access");
 * ```
 */
export const ERROR_CODES: {
  readonly [code in ErrorCode]: ErrorCodeInfo;
} = { ...RUNTIME_ERROR_CODES, ...FRONTEND_ERROR_CODES };

/** A code of {@linkcode ERROR_CODES}: a runtime code or a front-end's. */
export type ErrorCode = RuntimeErrorCode | FrontendErrorCode;

/** An error with a code of {@linkcode ERROR_CODES} and structured details. */
export interface CodedError extends Omit<RuntimeCodedError, "code"> {
  /** The stable machine code. */
  readonly code: ErrorCode;
}

/**
 * Whether a thrown value carries a code of {@linkcode ERROR_CODES} (runtime or front-end) and
 * details: what the front-ends pass through.
 *
 * @param error What was thrown.
 * @returns Whether it is a {@linkcode CodedError}.
 *
 * @example A front-end's coded error is coded here, a plain Error is not
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCodedError } from "./error_codes.ts";
 *
 * const refused = Object.assign(new Error("Unknown tool"), { code: "unknown_tool", details: {} });
 * assert.ok(isCodedError(refused));
 * assert.ok(!isCodedError(new Error("boom")));
 * ```
 */
export function isCodedError(error: unknown): error is CodedError {
  return hasCodeIn(error, ERROR_CODES);
}

/**
 * Whether a coded error carries one of the runtime's codes (not a front-end's): what the
 * runtime's own helpers, such as `requestField()`, take.
 *
 * @param error A coded error.
 * @returns Whether its code is in the runtime's table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasRuntimeCode } from "./error_codes.ts";
 *
 * assert.ok(hasRuntimeCode(Object.assign(new Error("x"), { code: "cycle" as const, details: {} })));
 * assert.ok(!hasRuntimeCode(Object.assign(new Error("x"), { code: "unknown_tool" as const, details: {} })));
 * ```
 */
export function hasRuntimeCode(error: CodedError): error is RuntimeCodedError {
  return Object.hasOwn(RUNTIME_ERROR_CODES, error.code);
}
