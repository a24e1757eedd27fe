/**
 * `screenMessage()`: what every MCP message passes before the SDK sees it, on stdio and over
 * HTTP alike, so both transports answer the same malformed input the same way: batches are
 * refused, a request whose params are malformed keeps its id and gets "invalid params" (-32602)
 * with a readable message instead of a schema dump.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolRequestSchema,
  ErrorCode,
  InitializeRequestSchema,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

/** A JSON-RPC error reply to a message that did not pass. */
export interface JsonRpcErrorReply {
  /** Always `"2.0"`. */
  readonly jsonrpc: "2.0";
  /** The request's id when it could be read, else `null`. */
  readonly id: string | number | null;
  /** The error: -32600 (invalid request) or -32602 (invalid params), and a message. */
  readonly error: { readonly code: number; readonly message: string };
}

/** What {@linkcode screenMessage} decided: pass the message on, or answer (or drop) it. */
export type Screened =
  | { readonly message: JSONRPCMessage }
  | { readonly reply: JsonRpcErrorReply | undefined };

interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly expected?: string;
  readonly values?: readonly unknown[];
}

interface ParamSchema {
  safeParse(value: unknown): { success: boolean; error?: { issues: readonly Issue[] } };
}

/** The requests this server answers, by method, with the SDK's schema of each. */
const REQUEST_SCHEMAS: Record<string, ParamSchema> = {
  "initialize": InitializeRequestSchema,
  "ping": PingRequestSchema,
  "tools/list": ListToolsRequestSchema,
  "tools/call": CallToolRequestSchema,
  "resources/list": ListResourcesRequestSchema,
  "resources/templates/list": ListResourceTemplatesRequestSchema,
  "resources/read": ReadResourceRequestSchema,
  "resources/subscribe": SubscribeRequestSchema,
  "resources/unsubscribe": UnsubscribeRequestSchema,
  "logging/setLevel": SetLevelRequestSchema,
};

const SHAPE =
  'expected a JSON-RPC 2.0 message ({ "jsonrpc": "2.0", "id": <string or integer>, "method", "params": {...} })';

/**
 * Screens one parsed JSON value read from a client. A valid message passes; anything else gets
 * the JSON-RPC error to answer with: -32600 (invalid request) for batches and values that are not
 * messages (with the id when it is a valid one), -32602 (invalid params) naming the param for a
 * request whose params do not fit its method. A notification that does not fit is dropped
 * (`reply` undefined): JSON-RPC never answers notifications.
 *
 * @param value The parsed JSON value.
 * @returns The message, or the reply.
 *
 * @example A malformed tools/list keeps its id
 * ```ts
 * import assert from "node:assert/strict";
 * import { screenMessage } from "./message_gate.ts";
 *
 * const screened = screenMessage({ jsonrpc: "2.0", id: 7, method: "tools/list", params: { cursor: 5 } });
 * assert.ok("reply" in screened);
 * assert.deepEqual(screened.reply, {
 *   jsonrpc: "2.0",
 *   id: 7,
 *   error: { code: -32602, message: "Invalid params for tools/list: 'cursor' must be a string, got 5" },
 * });
 * ```
 */
export function screenMessage(value: unknown): Screened {
  if (Array.isArray(value)) {
    return refuse(
      ErrorCode.InvalidRequest,
      "Invalid request: batches (JSON arrays) are not supported; send one JSON-RPC message at a time",
    );
  }
  if (typeof value !== "object" || value === null) {
    return refuse(ErrorCode.InvalidRequest, `Invalid request: ${SHAPE}`);
  }
  const message = value as Record<string, unknown>;
  const hasId = Object.hasOwn(message, "id");
  const id = validId(message.id) ? message.id : null;
  if (hasId && id === null) {
    return refuse(
      ErrorCode.InvalidRequest,
      `Invalid request: the id must be a string of at most ${MAX_ID_CHARS} characters or an ` +
        `integer from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, got ${
          typeof message.id === "string"
            ? `a string of ${message.id.length} characters`
            : shown(message.id)
        }`,
    );
  }
  if (message.jsonrpc !== "2.0") {
    return refuse(
      ErrorCode.InvalidRequest,
      `Invalid request: 'jsonrpc' must be "2.0", got ${shown(message.jsonrpc)}`,
      id,
    );
  }
  if (Object.hasOwn(message, "method")) {
    const method = message.method;
    if (typeof method !== "string") {
      return refuse(
        ErrorCode.InvalidRequest,
        `Invalid request: 'method' must be a string, got ${shown(method)}`,
        id,
      );
    }
    const params = message.params;
    const isObject = typeof params === "object" && params !== null && !Array.isArray(params);
    if (params !== undefined && !isObject) {
      if (!hasId) return { reply: undefined };
      return refuse(
        ErrorCode.InvalidParams,
        `Invalid params for ${clip(method)}: params must be an object, got ${shown(params)}`,
        id,
      );
    }
    const schema = hasId && Object.hasOwn(REQUEST_SCHEMAS, method)
      ? REQUEST_SCHEMAS[method]
      : undefined;
    const checked = schema?.safeParse({ method, params });
    if (checked && !checked.success) {
      const issues = checked.error?.issues ?? [];
      const listed = issues.slice(0, 3).map((issue) => describeIssue(issue, params));
      if (issues.length > 3) listed.push(`and ${issues.length - 3} more`);
      return refuse(
        ErrorCode.InvalidParams,
        `Invalid params for ${method}: ${listed.join("; ")}`,
        id,
      );
    }
  }
  const parsed = JSONRPCMessageSchema.safeParse(value);
  if (!parsed.success) {
    if (!hasId && Object.hasOwn(message, "method")) return { reply: undefined };
    return refuse(ErrorCode.InvalidRequest, `Invalid request: ${SHAPE}`, id);
  }
  return { message: parsed.data };
}

/** The answer to a message that is not UTF-8, on stdio and HTTP alike (-32700, `id: null`). */
export const NOT_UTF8: JsonRpcErrorReply = {
  jsonrpc: "2.0",
  id: null,
  error: {
    code: ErrorCode.ParseError,
    message: "Parse error: the message is not valid UTF-8 (a message is UTF-8 JSON)",
  },
};

/** The longest string id of a JSON-RPC message. */
const MAX_ID_CHARS = 256;

function refuse(code: number, message: string, id: string | number | null = null): Screened {
  return { reply: { jsonrpc: "2.0", id, error: { code, message } } };
}

function validId(id: unknown): id is string | number {
  return (typeof id === "string" && id.length <= MAX_ID_CHARS) ||
    (typeof id === "number" && Number.isSafeInteger(id));
}

function describeIssue(issue: Issue, params: unknown): string {
  const path = issue.path.slice(1).map(String);
  const name = path.length > 0 ? path.join(".") : "params";
  const got = shown(valueAt(params, path));
  if (issue.code === "invalid_type" && issue.expected) {
    return `'${name}' must be ${article(issue.expected)}, got ${got}`;
  }
  if (issue.code === "invalid_value" && issue.values) {
    return `'${name}' must be one of ${issue.values.map((v) => String(v)).join(", ")}, got ${got}`;
  }
  return `'${name}': ${issue.message}`;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function article(expected: string): string {
  if (expected === "record" || expected === "object") return "an object";
  if (expected === "array") return "an array";
  if (expected === "int") return "an integer";
  return `a ${expected}`;
}

function shown(value: unknown): string {
  return value === undefined ? "nothing" : clip(JSON.stringify(value) ?? String(value));
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
