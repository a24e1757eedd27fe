/**
 * Request schemas that accept any params, so the server checks them itself and answers bad ones
 * with JSON-RPC "invalid params" (-32602) and a message naming the param; the SDK's strict
 * schemas would answer "internal error" (-32603) with a schema dump.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/types"
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/**
 * A request schema for `method` whose params may be anything.
 *
 * @param method The JSON-RPC method.
 * @returns The schema.
 */
export function looseRequest<M extends string>(method: M) {
  return z.object({ method: z.literal(method), params: z.unknown().optional() });
}

/**
 * An error the SDK answers as a JSON-RPC error with this code, message and data (an `McpError`
 * would put "MCP error <code>:" in front of the message on the wire).
 *
 * @param code The JSON-RPC error code.
 * @param message The message.
 * @param data Structured detail.
 * @returns The error, to throw from a request handler.
 */
export function protocolError(code: number, message: string, data?: unknown): Error {
  return Object.assign(new Error(message), { code, data });
}

/**
 * The string param `name` of a request, or an "invalid params" error naming it.
 *
 * @param method The method, for the message.
 * @param params The request's params.
 * @param name The param.
 * @returns Its value.
 * @throws {Error} With code -32602 when it is missing or not a string.
 */
export function stringParam(method: string, params: unknown, name: string): string {
  const value = typeof params === "object" && params !== null
    ? (params as Record<string, unknown>)[name]
    : undefined;
  if (typeof value === "string") return value;
  throw protocolError(
    ErrorCode.InvalidParams,
    `Invalid params for ${method}: '${name}' must be a string, got ${
      value === undefined ? "nothing" : JSON.stringify(value)
    }`,
  );
}
