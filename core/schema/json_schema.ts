/**
 * The subset of JSON Schema (2020-12) that processor config schemas use.
 *
 * @module
 */

/**
 * A value that survives `JSON.stringify` and `JSON.parse` unchanged.
 *
 * @example What a validated config is
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateConfig } from "@streamlib/streamlib";
 * import { type JsonValue } from "./json_schema.ts";
 *
 * const schema = {
 *   type: "object",
 *   properties: { tags: { type: "array", default: ["live"] } },
 * } as const;
 * const config: JsonValue = validateConfig(schema, {}, "Tagger");
 * assert.deepEqual(config, {"tags":["live"]});
 * ```
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * The primitive type names of JSON Schema.
 *
 * @example A field that may be a string or null
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeSchema } from "../config/validation.ts";
 * import { type JsonSchemaType } from "./json_schema.ts";
 *
 * const types: JsonSchemaType[] = ["string", "null"];
 * assert.equal(describeSchema({ type: types }), "a string or null");
 * ```
 */
export type JsonSchemaType =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "object"
  | "array"
  | "null";

/**
 * A JSON Schema: what `deno task codegen` derives from a processor's config type, and what
 * {@linkcode validateConfig} checks plain JSON against.
 *
 * @example A schema for a gain config
 * ```ts
 * import assert from "node:assert/strict";
 * import type { JsonSchema } from "./json_schema.ts";
 *
 * const schema: JsonSchema = {
 *   type: "object",
 *   properties: { gain: { type: "number", minimum: 0, default: 1 } },
 *   additionalProperties: false,
 * };
 * assert.equal(schema.properties?.gain.default, 1);
 * ```
 */
export interface JsonSchema {
  /** The dialect, on the root schema. */
  readonly $schema?: string;
  /** A short name. */
  readonly title?: string;
  /** What the value means. */
  readonly description?: string;
  /** The allowed JSON type or types. */
  readonly type?: JsonSchemaType | readonly JsonSchemaType[];
  /** The allowed values. */
  readonly enum?: readonly JsonValue[];
  /** The one allowed value. */
  readonly const?: JsonValue;
  /** The value used when the field is missing. */
  readonly default?: JsonValue;
  /** The value must match at least one of these. */
  readonly anyOf?: readonly JsonSchema[];
  /** Object fields. */
  readonly properties?: { readonly [name: string]: JsonSchema };
  /** Object fields that must be present. */
  readonly required?: readonly string[];
  /** Whether (or how) fields not in `properties` are allowed. */
  readonly additionalProperties?: boolean | JsonSchema;
  /** The schema of every array element. */
  readonly items?: JsonSchema;
  /** Smallest allowed number. */
  readonly minimum?: number;
  /** Largest allowed number. */
  readonly maximum?: number;
  /** Numbers must be greater than this. */
  readonly exclusiveMinimum?: number;
  /** Numbers must be less than this. */
  readonly exclusiveMaximum?: number;
  /** Numbers must be a multiple of this. */
  readonly multipleOf?: number;
  /** Shortest allowed string. */
  readonly minLength?: number;
  /** Longest allowed string. */
  readonly maxLength?: number;
  /** A regular expression strings must match. */
  readonly pattern?: string;
  /** Fewest allowed array elements. */
  readonly minItems?: number;
  /** Most allowed array elements. */
  readonly maxItems?: number;
  /**
   * On a property of a processor's config schema: the field is live-tunable, so
   * `rt.setConfig()` may change it while the node runs (codegen emits it for a `@live` JSDoc
   * tag). Validation ignores it.
   */
  readonly "x-live"?: boolean;
}
