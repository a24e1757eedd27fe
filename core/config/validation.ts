/**
 * Validation of plain JSON configs against a processor's config schema.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { JsonSchema, JsonValue } from "../schema/json_schema.ts";
import { nearMatches } from "../errors/near_matches.ts";
import { quote } from "../errors/quote.ts";

/**
 * Most issues a {@linkcode ConfigValidationError} lists; the rest are counted in its message
 * (`and N more`), so a config of a million unknown keys gives an error of a few kilobytes.
 */
export const MAX_CONFIG_ISSUES = 50;

/**
 * One problem found in a config.
 */
export interface ConfigIssue {
  /** Path of the field, such as `frequency`, `filter.cutoff` or `gains[2]` (`""` is the root). */
  readonly field: string;
  /** `mismatch`: the value is wrong; `missing`: a required field is absent; `unknown`: a field
   * the schema does not know. */
  readonly reason: "mismatch" | "missing" | "unknown";
  /** What the schema expects there, in words: `a number at most 20000`. */
  readonly expected: string;
  /** What was found, shortened: `"loud"`, `25000`, `missing`. */
  readonly actual: string;
  /** The valid values, when they are few: an enum's values, or the known fields for `unknown`. */
  readonly choices?: readonly string[];
}

/**
 * Thrown when a config does not match its schema. Lists every problem in `issues`.
 *
 * @example Catch a bad config for a built-in processor
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigValidationError } from "@streamlib/streamlib";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * assert.throws(
 *   () => gainNode.create({ gain: "loud" }),
 *   (error) => {
 *     assert.ok(error instanceof ConfigValidationError);
 *     assert.equal(
 *       error.message,
 *       "Cannot configure 'Gain': config field 'gain' must be a number from 0 to 16, got \"loud\"",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export class ConfigValidationError extends TypeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "invalid_config";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      processor: this.processor,
      field: this.issues[0].field,
      ...(this.issues[0].choices ? { available: [...this.issues[0].choices] } : {}),
      issues: this.issues.map((i) => ({ ...i, ...(i.choices ? { choices: [...i.choices] } : {}) })),
    };
  }
  /** The processor whose config was checked. */
  readonly processor: string;
  /**
   * The problems, in field order, at most {@linkcode MAX_CONFIG_ISSUES}; the first is in the
   * message. A field named by the config (an unknown key) is quoted through `quote()`.
   */
  readonly issues: readonly ConfigIssue[];
  /** How many problems there were (more than `issues.length` when some were left out). */
  readonly total: number;

  /**
   * Creates the error; the message describes the first issue.
   *
   * @param processor The processor name.
   * @param issues The problems, at least one (at most {@linkcode MAX_CONFIG_ISSUES} are kept).
   * @param total How many problems there were, when more than `issues` lists.
   */
  constructor(processor: string, issues: readonly ConfigIssue[], total = issues.length) {
    const [first] = issues;
    const where = first.field === "" ? "config" : `config field '${first.field}'`;
    const more = total > 1 ? ` (and ${total - 1} more)` : "";
    const detail = first.reason === "missing"
      ? `${where} is missing: expected ${first.expected}`
      : first.reason === "unknown"
      ? `${where} is unknown: ${first.expected}`
      : `${where} must be ${first.expected}, got ${first.actual}`;
    super(`Cannot configure '${quote(processor)}': ${detail}${more}`);
    this.name = "ConfigValidationError";
    this.processor = processor;
    this.issues = issues.slice(0, MAX_CONFIG_ISSUES);
    this.total = Math.max(total, issues.length);
  }
}

/**
 * Checks `value` against `schema` and returns a copy with defaults filled in.
 *
 * A missing (`undefined`) root config counts as `{}`. Object fields that are missing take their
 * schema `default`; fields that are missing, required and without a default are reported.
 *
 * @param schema The config schema (from the processor's descriptor).
 * @param value The plain JSON config.
 * @param processor The processor name, for the error message.
 * @returns The config with defaults applied.
 * @throws {ConfigValidationError} When the config does not match, naming every bad field and
 * what it expects.
 *
 * @example Fill defaults and reject a bad field
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigValidationError, validateConfig } from "@streamlib/streamlib";
 *
 * const schema = {
 *   type: "object",
 *   properties: { gain: { type: "number", minimum: 0, default: 1 } },
 *   additionalProperties: false,
 * } as const;
 * assert.deepEqual(validateConfig(schema, {}, "Gain"), { gain: 1 });
 * try {
 *   validateConfig(schema, { gain: "loud" }, "Gain");
 * } catch (error) {
 *   assert.equal(error instanceof ConfigValidationError && error.issues[0].field, "gain");
 * }
 * ```
 */
export function validateConfig(schema: JsonSchema, value: unknown, processor: string): JsonValue {
  const issues: ConfigIssue[] = [];
  const result = check(schema, value === undefined ? {} : value, "", issues);
  if (issues.length > 0) throw new ConfigValidationError(processor, issues, issues.length);
  return result as JsonValue;
}

function check(schema: JsonSchema, value: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (schema.anyOf) {
    for (const option of schema.anyOf) {
      const optionIssues: ConfigIssue[] = [];
      const result = check(option, value, path, optionIssues);
      if (optionIssues.length === 0) return result;
    }
    return fail(schema, value, path, issues);
  }
  if (schema.enum && !schema.enum.some((allowed) => jsonEqual(allowed, value))) {
    return fail(schema, value, path, issues);
  }
  if ("const" in schema && !jsonEqual(schema.const, value)) {
    return fail(schema, value, path, issues);
  }
  const types = schema.type === undefined ? undefined : [schema.type].flat();
  if (types && !types.some((type) => hasType(type, value))) {
    return fail(schema, value, path, issues);
  }
  if (typeof value === "number") return checkNumber(schema, value, path, issues);
  if (typeof value === "string") return checkString(schema, value, path, issues);
  if (Array.isArray(value)) return checkArray(schema, value, path, issues);
  if (isPlainObject(value)) return checkObject(schema, value, path, issues);
  if (value === null || typeof value === "boolean") return value;
  return fail(schema, value, path, issues);
}

function checkNumber(schema: JsonSchema, value: number, path: string, issues: ConfigIssue[]) {
  const bad = (schema.minimum !== undefined && value < schema.minimum) ||
    (schema.maximum !== undefined && value > schema.maximum) ||
    (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) ||
    (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) ||
    (schema.multipleOf !== undefined && !Number.isInteger(value / schema.multipleOf));
  return bad ? fail(schema, value, path, issues) : value;
}

function checkString(schema: JsonSchema, value: string, path: string, issues: ConfigIssue[]) {
  const bad = (schema.minLength !== undefined && value.length < schema.minLength) ||
    (schema.maxLength !== undefined && value.length > schema.maxLength) ||
    (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value));
  return bad ? fail(schema, value, path, issues) : value;
}

function checkArray(
  schema: JsonSchema,
  value: readonly unknown[],
  path: string,
  issues: ConfigIssue[],
): unknown {
  if (
    (schema.minItems !== undefined && value.length < schema.minItems) ||
    (schema.maxItems !== undefined && value.length > schema.maxItems)
  ) {
    return fail(schema, value, path, issues);
  }
  const items = schema.items;
  return items ? value.map((item, i) => check(items, item, `${path}[${i}]`, issues)) : [...value];
}

function checkObject(
  schema: JsonSchema,
  value: Record<string, unknown>,
  path: string,
  issues: ConfigIssue[],
): unknown {
  const properties = schema.properties ?? {};
  const required = schema.required ?? [];
  const result: Record<string, unknown> = {};
  for (const [name, fieldSchema] of Object.entries(properties)) {
    const fieldPath = path === "" ? name : `${path}.${name}`;
    // Own fields only: `constructor` or `toString` of a config are never the prototype's.
    const fieldValue = Object.hasOwn(value, name) ? value[name] : undefined;
    if (fieldValue !== undefined) {
      put(result, name, check(fieldSchema, fieldValue, fieldPath, issues));
    } else if (fieldSchema.default !== undefined) {
      put(result, name, structuredClone(fieldSchema.default));
    } else if (required.includes(name)) {
      issues.push({
        field: fieldPath,
        reason: "missing",
        expected: expectation(fieldSchema),
        actual: "missing",
      });
    }
  }
  for (const [name, fieldValue] of Object.entries(value)) {
    // `name in properties` would take `constructor`, `toString` or `__proto__` for known fields.
    if (Object.hasOwn(properties, name) || fieldValue === undefined) continue;
    // A name the config gave, not the schema: quoted, so a 1 MB key makes a short path.
    const fieldPath = path === "" ? quote(name) : `${path}.${quote(name)}`;
    const extra = schema.additionalProperties;
    if (extra === false || name === "__proto__") {
      const known = Object.keys(properties);
      const near = nearMatches(name, known);
      const hint = near.length > 0 ? `did you mean ${near.join(" or ")}? ` : "";
      issues.push({
        field: fieldPath,
        reason: "unknown",
        expected: name === "__proto__" && extra !== false
          ? "'__proto__' is never a config field"
          : known.length > 0
          ? `${hint}known fields are ${known.join(", ")}`
          : "no fields are known",
        actual: describeValue(fieldValue),
        choices: known,
      });
    } else if (typeof extra === "object") {
      put(result, name, check(extra, fieldValue, fieldPath, issues));
    } else {
      put(result, name, fieldValue);
    }
  }
  return result;
}

/** Sets an own, enumerable field, whatever its name (assignment to `__proto__` would not). */
function put(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function fail(schema: JsonSchema, value: unknown, path: string, issues: ConfigIssue[]): unknown {
  issues.push({
    field: path,
    reason: "mismatch",
    expected: expectation(schema),
    actual: describeValue(value),
    ...(schema.enum
      ? { choices: schema.enum.map((v) => typeof v === "string" ? v : JSON.stringify(v)) }
      : {}),
  });
  return value;
}

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "null":
      return value === null;
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    default:
      return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const ARTICLES: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  null: "null",
};

/**
 * Describes what a schema accepts, in words, for error messages.
 *
 * @param schema The schema.
 * @returns A phrase such as `an integer from 16 to 8192` or `one of "sine", "square"`.
 *
 * @example Describe a bounded number
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeSchema } from "./validation.ts";
 *
 * assert.equal(describeSchema({ type: "number", minimum: 0, maximum: 1 }), "a number from 0 to 1");
 * ```
 */
export function describeSchema(schema: JsonSchema): string {
  return expectation(schema);
}

function expectation(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(expectation).join(" or ");
  if (schema.enum) {
    const values = schema.enum.map((v) => JSON.stringify(v));
    return values.length === 1 ? values[0] : `one of ${values.join(", ")}`;
  }
  if ("const" in schema) return JSON.stringify(schema.const);
  const types = schema.type === undefined ? [] : [schema.type].flat();
  if (types.length === 0) return "any JSON value";
  let words = types.map((type) => ARTICLES[type] ?? type).join(" or ");
  if (types.length === 1 && types[0] === "array" && schema.items) {
    words = `an array of ${plural(expectation(schema.items))}`;
  }
  const bounds: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    bounds.push(`from ${schema.minimum} to ${schema.maximum}`);
  } else if (schema.minimum !== undefined) bounds.push(`at least ${schema.minimum}`);
  else if (schema.maximum !== undefined) bounds.push(`at most ${schema.maximum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`greater than ${schema.exclusiveMinimum}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`less than ${schema.exclusiveMaximum}`);
  if (schema.multipleOf !== undefined) bounds.push(`a multiple of ${schema.multipleOf}`);
  if (schema.minLength !== undefined) bounds.push(`of at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) bounds.push(`of at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined) bounds.push(`matching /${schema.pattern}/`);
  if (schema.minItems !== undefined) bounds.push(`with at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined) bounds.push(`with at most ${schema.maxItems} items`);
  return [words, ...bounds].join(" ");
}

function plural(phrase: string): string {
  const match = /^(?:a|an) (\w+)(.*)$/.exec(phrase);
  return match ? `${match[1]}s${match[2]}` : phrase;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol" || typeof value === "bigint") return `a ${typeof value}`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (
    typeof value === "object" && value !== null && !Array.isArray(value) && !isPlainObject(value)
  ) {
    return `an instance of ${value.constructor?.name ?? "a class"}`;
  }
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
