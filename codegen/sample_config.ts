/**
 * A small valid config for the examples in generated files: the fields the schema requires
 * (defaults fill in the rest), each the simplest value its type and bounds allow, checked with
 * the runtime's own validator.
 *
 * @module
 */

import { validateConfig } from "../core/config_validation.ts";
import type { JsonSchema, JsonValue } from "../core/json_schema.ts";

/** A config an example passes, and what the processor sees once defaults are filled in. */
export interface SampleConfig {
  /** What the example passes: the required fields without defaults. */
  readonly given: { readonly [key: string]: JsonValue };
  /** The validated config, defaults filled in. */
  readonly filled: JsonValue;
}

/**
 * Builds a config that passes `schema`.
 *
 * @param schema The config's JSON Schema.
 * @param processor The processor name (for the validator's messages).
 * @returns The sample, or `undefined` when no simple value satisfies the schema.
 */
export function sampleConfig(schema: JsonSchema, processor: string): SampleConfig | undefined {
  const given = sampleObject(schema);
  if (given === undefined) return undefined;
  try {
    return { given, filled: validateConfig(schema, given, processor) };
  } catch {
    return undefined;
  }
}

/**
 * The fields of an object. At the top level only the required ones: `rt.add()` takes a partial
 * config. In a nested object also those with defaults, which its TypeScript type may require.
 */
function sampleObject(
  schema: JsonSchema,
  nested = false,
): { [key: string]: JsonValue } | undefined {
  const out: { [key: string]: JsonValue } = {};
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.default !== undefined) {
      if (nested) out[name] = property.default;
      continue;
    }
    if (!required.has(name)) continue;
    const value = sampleValue(property, name);
    if (value === undefined) return undefined;
    out[name] = value;
  }
  for (const name of required) if (!(name in out) && !schema.properties?.[name]) return undefined;
  return out;
}

function sampleValue(schema: JsonSchema, name: string): JsonValue | undefined {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.anyOf !== undefined) {
    for (const option of schema.anyOf) {
      const value = sampleValue(option, name);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return name.slice(0, schema.maxLength).padEnd(schema.minLength ?? 0, "_");
    case "number":
    case "integer":
      return sampleNumber(schema, type === "integer");
    case "boolean":
      return false;
    case "null":
      return null;
    case "array": {
      const count = schema.minItems ?? 0;
      if (count === 0) return [];
      const item = schema.items ? sampleValue(schema.items, name) : null;
      return item === undefined ? undefined : Array.from({ length: count }, () => item);
    }
    case "object":
      return sampleObject(schema, true);
    default:
      return undefined;
  }
}

function sampleNumber(schema: JsonSchema, integer: boolean): number {
  const step = schema.multipleOf ?? (integer ? 1 : undefined);
  let value = schema.minimum ??
    (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (step ?? 1) : 0);
  if (step !== undefined) value = Math.ceil(value / step) * step;
  if (integer) value = Math.ceil(value);
  if (schema.maximum !== undefined && value > schema.maximum) value = schema.maximum;
  return value;
}
