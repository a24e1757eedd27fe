/**
 * The request shapes of the runtime's operations, defined once with the manifest's field
 * vocabulary (`type`, `id`, `config`, `placement`, `onError`, `maxRestarts`; `from`/`to` as
 * `"node.port"`, `capacity`, `policy`; `connection` for a connection's id). The control API checks
 * its bodies against them, the MCP tools publish them as their `inputSchema`, and
 * `validateManifest()` checks each manifest node and connection against them, all through
 * {@linkcode checkOperation} (`operation_check.ts`), so the same bad input gets the same code and
 * the same field on every front-end.
 *
 * @module
 */

import type { JsonSchema } from "../schema/json_schema.ts";
import { LIFECYCLE_ACTIONS } from "../lifecycle/state.ts";

/** A port end, `"node.port"`: a node id, a dot, a port name. */
export const PORT_END_PATTERN = "^[A-Za-z_][A-Za-z0-9_-]*\\.[A-Za-z_][A-Za-z0-9_]*$";

/** What a `"node.port"` end is, in words, for messages. */
export const PORT_END_WORDS = '"node.port" (a node id, a dot, a port name)';

/** A Worker's name in a placement: 1 to 64 letters, digits, `_` or `-` (as `placementProblem()`). */
const WORKER_NAME_PATTERN = "^[A-Za-z0-9_-]{1,64}$";

/** Where a node runs: `"main"` or a Worker. */
const PLACEMENT: JsonSchema = {
  anyOf: [
    { const: "main" },
    {
      type: "object",
      properties: {
        worker: { type: "string", pattern: WORKER_NAME_PATTERN },
        wait: { enum: ["event-loop", "block"] },
      },
      required: ["worker"],
      additionalProperties: false,
    },
  ],
  description:
    'Where it runs: "main" (default) or { "worker": "<name>", "wait"?: "event-loop" | "block" } when Workers exist',
};

/**
 * What a field expects, in words, where the schema's own wording (a pattern, an `anyOf`) would
 * not say it well; `operationIssues()` uses these in its messages.
 *
 * @param schema A field's schema.
 * @returns The words, or `undefined` for the schema's own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONNECT_SCHEMA, expectedWords } from "./schemas.ts";
 *
 * assert.equal(expectedWords(CONNECT_SCHEMA.properties!.from), '"node.port" (a node id, a dot, a port name)');
 * ```
 */
export function expectedWords(schema: JsonSchema | undefined): string | undefined {
  if (schema === PLACEMENT) {
    return `"main" or { "worker": "<name>" } (a name of 1 to 64 letters, digits, '_' or '-')`;
  }
  return schema?.pattern === PORT_END_PATTERN ? PORT_END_WORDS : undefined;
}

/**
 * Adding a node: what `POST /api/v1/nodes` takes and MCP's `add_processor`; a manifest's node
 * is this with `id` required ({@linkcode MANIFEST_NODE_SCHEMA}).
 *
 * @example Its fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { ADD_NODE_SCHEMA } from "./schemas.ts";
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
    placement: PLACEMENT,
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
 * A manifest's node: {@linkcode ADD_NODE_SCHEMA} with `id` required (connections name nodes by
 * it).
 *
 * @example Its required fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { MANIFEST_NODE_SCHEMA } from "./schemas.ts";
 *
 * assert.deepEqual(MANIFEST_NODE_SCHEMA.required, ["id", "type"]);
 * ```
 */
export const MANIFEST_NODE_SCHEMA: JsonSchema = { ...ADD_NODE_SCHEMA, required: ["id", "type"] };

/**
 * Connecting two ports: what `POST /api/v1/connections` takes, MCP's `connect`, and a
 * manifest's connection.
 *
 * @example Its fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONNECT_SCHEMA } from "./schemas.ts";
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
 * Removing a connection: by its id (`connection`), or by the input it feeds (`to`, with `from`
 * to be sure of the writer). What MCP's `disconnect` takes, and the query of
 * `DELETE /api/v1/connections` (`DELETE /connections/:id` has the id in the path). Which of the
 * two forms is given is checked by `disconnectTarget()` (`operation_check.ts`).
 *
 * @example Its fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { DISCONNECT_SCHEMA } from "./schemas.ts";
 *
 * assert.deepEqual(Object.keys(DISCONNECT_SCHEMA.properties!), ["connection", "from", "to"]);
 * ```
 */
export const DISCONNECT_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    connection: { type: "string", description: "The connection id, e.g. conn_3" },
    from: {
      type: "string",
      pattern: PORT_END_PATTERN,
      description: 'With to: the output that writes into it, "node.port"',
    },
    to: {
      type: "string",
      pattern: PORT_END_PATTERN,
      description: 'Instead of connection: the input the connection feeds, "node.port"',
    },
  },
  additionalProperties: false,
};

/**
 * Changing a node's config: the body of `PATCH /api/v1/nodes/:id/config`; MCP's `set_config`
 * takes the node's `id` beside it ({@linkcode withNodeId}).
 *
 * @example Its fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { SET_CONFIG_SCHEMA } from "./schemas.ts";
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
 * A lifecycle call (`start`, `pause`, `resume`, `stop`, see `LIFECYCLE_ACTIONS`): it takes no
 * fields. The body of `POST /api/v1/runtime/:action` and the arguments of MCP's lifecycle
 * tools; what state each is allowed in is the graph's transition table (`lifecycle_state.ts`).
 *
 * @example No fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { LIFECYCLE_SCHEMA } from "./schemas.ts";
 *
 * assert.deepEqual(LIFECYCLE_SCHEMA.properties, {});
 * ```
 */
export const LIFECYCLE_SCHEMA: JsonSchema = {
  type: "object",
  properties: {},
  additionalProperties: false,
};

/**
 * Every operation's schema by name, as the docs and the contract test list them.
 *
 * @example The operations
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPERATION_SCHEMAS } from "./schemas.ts";
 *
 * assert.deepEqual(Object.keys(OPERATION_SCHEMAS), [
 *   "add", "connect", "disconnect", "set_config", "start", "pause", "resume", "stop",
 *   "end_of_stream",
 * ]);
 * ```
 */
export const OPERATION_SCHEMAS: { readonly [operation: string]: JsonSchema } = {
  add: ADD_NODE_SCHEMA,
  connect: CONNECT_SCHEMA,
  disconnect: DISCONNECT_SCHEMA,
  set_config: SET_CONFIG_SCHEMA,
  ...Object.fromEntries(LIFECYCLE_ACTIONS.map((action) => [action, LIFECYCLE_SCHEMA])),
  end_of_stream: LIFECYCLE_SCHEMA,
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
 * import { SET_CONFIG_SCHEMA, withNodeId } from "./schemas.ts";
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
 * import assert from "node:assert/strict";
 * import { CONNECT_SCHEMA, fieldsOf } from "./schemas.ts";
 *
 * assert.deepEqual(fieldsOf(CONNECT_SCHEMA), ["from", "to", "capacity", "policy"]);
 * ```
 */
export function fieldsOf(schema: JsonSchema): string[] {
  return Object.keys(schema.properties ?? {});
}
