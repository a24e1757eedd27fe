/**
 * Which field of an operation's request (`operation_schemas.ts`) a coded error points at: the
 * control API puts it in its error's `field`, MCP in its failure's `field`, and a manifest
 * issue's path ends with it (`connections[2].to`), so one mistake is named by the same field on
 * every front-end.
 *
 * @module
 */

import type { CodedError } from "../errors/codes.ts";

/** Which request field named which node, so an error about a node can point at the right end. */
export interface RequestEnds {
  /** The node named by the request's `from`. */
  readonly fromNode?: string;
  /** The node named by the request's `to`. */
  readonly toNode?: string;
}

/**
 * The request field a coded error points at, from its code and structured details: `type` for
 * an unknown processor, `id` for a taken or malformed id, `from` or `to` for a connection's
 * problems, `config.<field>` for a config's, the field itself for a request's own problems.
 *
 * @param error The error.
 * @param ends Which nodes the request's `from` and `to` name (for `node_not_found`).
 * @returns The field, or `undefined` when the error is about no one field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigValidationError, validateConfig } from "../config/validation.ts";
 * import { NodeNotFoundError } from "../graph/errors.ts";
 * import { requestField } from "./request_field.ts";
 *
 * assert.equal(requestField(new NodeNotFoundError("mix", ["tone"], false), { toNode: "mix" }), "to");
 * try {
 *   validateConfig({ type: "object", properties: { gain: { type: "number" } } }, { gain: "x" }, "Gain");
 * } catch (error) {
 *   assert.equal(requestField(error as ConfigValidationError), "config.gain");
 * }
 * ```
 */
export function requestField(error: CodedError, ends: RequestEnds = {}): string | undefined {
  const d = error.details;
  switch (error.code) {
    case "unknown_field":
    case "missing_field":
    case "invalid_field":
      return typeof d.field === "string" ? d.field : undefined;
    case "processor_not_found":
      return "type";
    case "node_id_taken":
    case "invalid_node_id":
      return "id";
    case "node_not_found":
      return d.node === ends.fromNode ? "from" : d.node === ends.toNode ? "to" : undefined;
    case "port_not_found":
      return d.direction === "output" ? "from" : "to";
    case "wrong_port_direction":
      return d.expected === "output" ? "from" : "to";
    case "port_type_mismatch":
    case "input_occupied":
    case "cycle":
      return "to";
    case "connection_not_found":
      return typeof d.field === "string" ? d.field : "connection";
    case "invalid_connection_options":
    case "invalid_node_options":
      return String(d.field);
    case "placement_unavailable":
    case "worker_wait_refused":
      return "placement";
    case "invalid_config":
      return d.field === "" ? "config" : `config.${d.field}`;
    case "config_locked":
      return `config.${(d.fields as string[])[0]}`;
    default:
      return undefined;
  }
}
