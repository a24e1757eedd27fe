/**
 * The request shapes of the graph-editing operations, defined once with the manifest's field
 * vocabulary (`type`, `id`, `config`, `placement`, `onError`, `maxRestarts`; `from`/`to` as
 * `"node.port"`, `capacity`, `policy`). The MCP tools publish them as their `inputSchema` and
 * check arguments against them; the control API takes the same fields in its bodies and refuses
 * any other, listing these.
 *
 * @module
 */

import type { JsonSchema } from "../core/json_schema.ts";

/** A port end, `"node.port"`: a node id, a dot, a port name. */
export const PORT_END_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]*\\.[A-Za-z_][A-Za-z0-9_]*$";

/**
 * Adding a node: what `POST /api/v1/nodes` takes and MCP's `add_processor` (a manifest's node,
 * with `id` optional).
 *
 * @example Its fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { ADD_NODE_SCHEMA } from "./operations.ts";
 *
 * assert.deepEqual(Object.keys(ADD_NODE_SCHEMA.properties!), [
 *   "type", "config", "id", "placement", "onError", "maxRestarts",
 * ]);
 * ```
 */
export const ADD_NODE_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    type: { type: "string", description: "The processor type, e.g. TestToneGenerator" },
    config: { type: "object", description: "Config fields; the others take their defaults" },
    // The id's form is the runtime's to check (invalid_node_id, one code on every front-end).
    id: {
      type: "string",
      description: "The id to give it: a letter or '_', then letters, digits, '_' or '-'",
    },
    placement: {
      anyOf: [
        { const: "main" },
        {
          type: "object",
          properties: { worker: { type: "string" } },
          required: ["worker"],
          additionalProperties: false,
        },
      ],
      description: 'Where it runs: "main" (default) or { "worker": "<name>" } when Workers exist',
    },
    onError: {
      enum: ["stop-processor", "stop-runtime", "restart"],
      description: "What happens when it throws (default stop-processor)",
    },
    maxRestarts: {
      type: "integer",
      minimum: 0,
      maximum: 1000,
      description: "Restarts per run under onError 'restart' (default 3)",
    },
  },
  required: ["type"],
  additionalProperties: false,
};

/**
 * Connecting two ports: what `POST /api/v1/connections` takes and MCP's `connect` (a manifest's
 * connection).
 *
 * @example Its fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONNECT_SCHEMA } from "./operations.ts";
 *
 * assert.deepEqual(Object.keys(CONNECT_SCHEMA.properties!), ["from", "to", "capacity", "policy"]);
 * ```
 */
export const CONNECT_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    from: {
      type: "string",
      pattern: PORT_END_PATTERN,
      description: 'The output that writes, "node.port", e.g. "tone.audio"',
    },
    to: {
      type: "string",
      pattern: PORT_END_PATTERN,
      description: 'The input that reads, "node.port", e.g. "mixer.in_0"',
    },
    capacity: {
      type: "integer",
      minimum: 1,
      maximum: 16_777_216,
      description: "Frames the buffer holds (default by frame type)",
    },
    policy: {
      enum: ["fifo", "latest"],
      description: "What a write into a full buffer does (default by frame type)",
    },
  },
  required: ["from", "to"],
  additionalProperties: false,
};

/**
 * Changing a node's config: the body of `PATCH /api/v1/nodes/:id/config`; MCP's `set_config`
 * takes the node's `id` beside it ({@linkcode withNodeId}).
 *
 * @example Its fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { SET_CONFIG_SCHEMA } from "./operations.ts";
 *
 * assert.deepEqual(SET_CONFIG_SCHEMA.required, ["config"]);
 * ```
 */
export const SET_CONFIG_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    config: { type: "object", description: 'The fields to change, e.g. { "frequency": 880 }' },
  },
  required: ["config"],
  additionalProperties: false,
};

/**
 * An operation on one node as a tool takes it: the schema with the node's `id` first (the
 * control API has the id in the path instead).
 *
 * @param schema The operation's schema.
 * @returns The schema with a required `id`.
 *
 * @example set_config's arguments
 * ```ts
 * import assert from "node:assert/strict";
 * import { SET_CONFIG_SCHEMA, withNodeId } from "./operations.ts";
 *
 * assert.deepEqual(withNodeId(SET_CONFIG_SCHEMA).required, ["id", "config"]);
 * ```
 */
export function withNodeId(schema: JsonSchema): JsonSchema {
  return {
    ...schema,
    properties: {
      id: { type: "string", description: "The processor's id" },
      ...schema.properties,
    },
    required: ["id", ...(schema.required ?? [])],
  };
}

/**
 * The field names of an operation's schema, in order: what an unknown field's error lists.
 *
 * @param schema The operation's schema.
 * @returns Its field names.
 *
 * @example The fields of a connection
 * ```ts
 * import { CONNECT_SCHEMA, fieldsOf } from "./operations.ts";
 *
 * console.log(fieldsOf(CONNECT_SCHEMA)); // [ "from", "to", "capacity", "policy" ]
 * ```
 */
export function fieldsOf(schema: JsonSchema): string[] {
  return Object.keys(schema.properties ?? {});
}

/**
 * Splits a `"node.port"` end at its last dot.
 *
 * @param end The end, already checked against {@linkcode PORT_END_PATTERN}.
 * @returns The node id and the port name.
 *
 * @example
 * ```ts
 * import { splitPortEnd } from "./operations.ts";
 *
 * console.log(splitPortEnd("mixer.in_0")); // { node: "mixer", port: "in_0" }
 * ```
 */
export function splitPortEnd(end: string): { node: string; port: string } {
  const dot = end.lastIndexOf(".");
  return { node: end.slice(0, dot), port: end.slice(dot + 1) };
}
