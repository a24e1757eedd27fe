/**
 * Deriving a JSON Schema from a TypeScript type with the type checker: numbers, strings, booleans,
 * literal unions (enums), nested objects, arrays, records, optional fields; JSDoc descriptions and
 * tags (`@minimum`, `@maximum`, `@exclusiveMinimum`, `@exclusiveMaximum`, `@multipleOf`,
 * `@integer`, `@minLength`, `@maxLength`, `@pattern`, `@minItems`, `@maxItems`, `@default`), and
 * `@live` on a top-level config field (`"x-live": true`: `rt.setConfig()` may change it while the
 * node runs).
 * Functions, symbols, bigints, class instances and recursive types have no JSON form and are
 * reported as `config-not-json`.
 *
 * @module
 */

import { Node, ts, type Type } from "ts-morph";
import { ConfigValidationError, validateConfig } from "../core/config/validation.ts";
import type { JsonSchema, JsonSchemaType, JsonValue } from "../core/schema/json_schema.ts";
import { normalizeDescription, type ParseContext, report } from "./parse_syntax.ts";

type MutableSchema = { -readonly [K in keyof JsonSchema]: JsonSchema[K] };

/** What is being converted, for messages: `Config of 'Gain'` or `DataFrame payload of port 'x'`. */
export interface SchemaSubject {
  /** Names the whole value in messages, such as `Config of 'Gain'`. */
  readonly what: string;
  /** How to fix a value that has no JSON form. */
  readonly hint: string;
  /** Whether `@live` may mark its top-level fields (a processor's config). Default `false`. */
  readonly live?: boolean;
}

/**
 * The JSON Schema of `type`, or `undefined` after reporting why there is none.
 *
 * @param ctx Where diagnostics go.
 * @param type The type.
 * @param at The node the type was read at (used for messages about the whole value).
 * @param subject What the type is, for messages.
 * @returns The schema.
 */
export function schemaOfType(
  ctx: ParseContext,
  type: Type,
  at: Node,
  subject: SchemaSubject,
): JsonSchema | undefined {
  const before = ctx.diagnostics.length;
  const schema = new SchemaBuilder(ctx, subject).convert(type, at, []);
  return ctx.diagnostics.length === before ? schema : undefined;
}

const NUMBER_TAGS = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
] as const;
const STRING_TAGS = ["minLength", "maxLength"] as const;
const ARRAY_TAGS = ["minItems", "maxItems"] as const;
const KEY_ORDER = [
  "description",
  "type",
  "enum",
  "anyOf",
  "items",
  "properties",
  "required",
  "additionalProperties",
  ...NUMBER_TAGS,
  ...STRING_TAGS,
  "pattern",
  ...ARRAY_TAGS,
  "default",
  "x-live",
];

class SchemaBuilder {
  readonly #ctx: ParseContext;
  readonly #subject: SchemaSubject;
  readonly #stack = new Set<ts.Type>();

  constructor(ctx: ParseContext, subject: SchemaSubject) {
    this.#ctx = ctx;
    this.#subject = subject;
  }

  convert(type: Type, at: Node, path: readonly string[]): JsonSchema | undefined {
    if (isUnresolved(type)) return this.#unresolved(at, path);
    if (type.isAny() || type.isUnknown()) return {};
    if (type.isBoolean()) return { type: "boolean" };
    if (type.isString() || type.isTemplateLiteral()) return { type: "string" };
    if (type.isNumber()) return { type: "number" };
    if (type.isNull()) return { type: "null" };
    if (type.isBooleanLiteral()) return { type: "boolean", enum: [type.getText() === "true"] };
    if (type.isStringLiteral() || type.isNumberLiteral() || type.isEnumLiteral()) {
      const value = type.getLiteralValue() as string | number;
      return { type: typeof value === "string" ? "string" : "number", enum: [value] };
    }
    const flags = type.getFlags();
    if (flags & ts.TypeFlags.ESSymbolLike) return this.#fail(at, path, "a symbol");
    if (flags & ts.TypeFlags.BigIntLike) return this.#fail(at, path, "a bigint");
    if (type.isUndefined() || flags & ts.TypeFlags.Void) return this.#fail(at, path, "undefined");
    if (type.isNever()) return this.#fail(at, path, "never");
    if (type.isTypeParameter()) return this.#fail(at, path, `a type parameter '${type.getText()}'`);
    if (type.isUnion()) return this.#union(type, at, path);
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      return this.#fail(at, path, "a function");
    }
    if (type.isArray() || type.isReadonlyArray()) {
      const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
      const items = element && this.convert(element, at, [...path, "[]"]);
      return items && { type: "array", items };
    }
    const className = classNameOf(type);
    if (className) return this.#fail(at, path, `an instance of class '${className}'`);
    if (type.isTuple()) {
      return this.#fail(
        at,
        path,
        `a tuple '${type.getText()}'`,
        "use an array or an object with named fields",
      );
    }
    if (type.isObject() || type.isIntersection()) return this.#object(type, at, path);
    return this.#fail(at, path, `'${type.getText()}'`);
  }

  #union(type: Type, at: Node, path: readonly string[]): JsonSchema | undefined {
    let members = type.getUnionTypes().filter((t) => !t.isUndefined());
    const hasTrue = members.some((t) => t.isBooleanLiteral() && t.getText() === "true");
    const hasFalse = members.some((t) => t.isBooleanLiteral() && t.getText() === "false");
    const booleanSchema: JsonSchema[] = hasTrue && hasFalse ? [{ type: "boolean" }] : [];
    if (booleanSchema.length > 0) members = members.filter((t) => !t.isBooleanLiteral());
    const schemas: JsonSchema[] = [...booleanSchema];
    for (const member of members) {
      const schema = this.convert(member, at, path);
      if (!schema) return undefined;
      schemas.push(schema);
    }
    if (schemas.length === 1) return schemas[0];
    const literal = (s: JsonSchema) =>
      Object.keys(s).length === 2 && s.enum?.length === 1 && typeof s.type === "string";
    const bare = (s: JsonSchema) => Object.keys(s).length === 1 && typeof s.type === "string";
    const types = [...new Set(schemas.map((s) => s.type as JsonSchemaType))];
    if (schemas.every((s) => literal(s) || s.type === "null")) {
      const values = schemas.flatMap((s) => s.enum ?? [null]);
      return { type: types.length === 1 ? types[0] : types, enum: values };
    }
    if (schemas.every(bare)) return { type: types.length === 1 ? types[0] : types };
    return { anyOf: schemas };
  }

  #object(type: Type, at: Node, path: readonly string[]): JsonSchema | undefined {
    const key = type.compilerType;
    if (this.#stack.has(key)) {
      return this.#fail(
        at,
        path,
        `the recursive type '${type.getText()}'`,
        "flatten the structure; a JSON Schema here cannot refer to itself",
      );
    }
    this.#stack.add(key);
    try {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      let ok = true;
      for (const property of type.getProperties()) {
        const name = property.getName();
        const declaration = property.getValueDeclaration() ?? property.getDeclarations()[0];
        const where = declaration ?? at;
        const propertyPath = [...path, name];
        if (
          declaration &&
          (Node.isMethodSignature(declaration) || Node.isMethodDeclaration(declaration))
        ) {
          this.#fail(where, propertyPath, "a method");
          ok = false;
          continue;
        }
        const schema = this.convert(property.getTypeAtLocation(where), where, propertyPath);
        if (!schema) {
          ok = false;
          continue;
        }
        const refined = declaration ? this.#applyJsDoc(schema, declaration, propertyPath) : schema;
        if (!refined) {
          ok = false;
          continue;
        }
        properties[name] = refined;
        if (!property.isOptional() && refined.default === undefined) required.push(name);
      }
      const index = type.getStringIndexType();
      const additional = index ? this.convert(index, at, [...path, "[key]"]) : false;
      if (!ok || additional === undefined) return undefined;
      const schema: MutableSchema = { type: "object", properties };
      if (required.length > 0) schema.required = required;
      schema.additionalProperties = additional;
      return schema;
    } finally {
      this.#stack.delete(key);
    }
  }

  #applyJsDoc(
    schema: JsonSchema,
    declaration: Node,
    path: readonly string[],
  ): JsonSchema | undefined {
    if (!Node.isJSDocable(declaration)) return schema;
    const result: MutableSchema = { ...schema };
    const docs = declaration.getJsDocs();
    const description = normalizeDescription(docs.map((d) => d.getDescription()).join("\n\n"));
    if (description) result.description = description;
    const field = path.join(".");
    const types = [schema.type ?? []].flat();
    let ok = true;
    const bad = (tag: Node, message: string, hint: string) => {
      report(this.#ctx, tag, "invalid-tag", message, hint);
      ok = false;
    };
    let rawDefault: { text: string; tag: Node } | undefined;
    for (const tag of docs.flatMap((d) => d.getTags())) {
      const name = tag.getTagName();
      const text = normalizeDescription(tag.getCommentText() ?? "");
      const numeric = [...NUMBER_TAGS, ...STRING_TAGS, ...ARRAY_TAGS] as readonly string[];
      if (numeric.includes(name)) {
        const value = Number(text);
        const kind = (NUMBER_TAGS as readonly string[]).includes(name)
          ? "number"
          : (STRING_TAGS as readonly string[]).includes(name)
          ? "string"
          : "array";
        const fits = kind === "number"
          ? types.includes("number") || types.includes("integer")
          : types.includes(kind);
        if (text === "" || !Number.isFinite(value)) {
          bad(
            tag,
            `@${name} of '${field}' needs a number, got '${text}'`,
            `write it as \`@${name} 10\``,
          );
        } else if (!fits) {
          bad(
            tag,
            `@${name} does not apply to '${field}', which is not ${
              kind === "array" ? "an array" : `a ${kind}`
            }`,
            `remove @${name} or change the field's type`,
          );
        } else {
          (result as Record<string, unknown>)[name] = value;
        }
      } else if (name === "integer") {
        if (schema.type !== "number") {
          bad(
            tag,
            `@integer does not apply to '${field}', which is not a number`,
            "remove @integer or make the field a number",
          );
        } else {
          result.type = "integer";
        }
      } else if (name === "pattern") {
        try {
          new RegExp(text, "u");
          if (!types.includes("string")) {
            bad(
              tag,
              `@pattern does not apply to '${field}', which is not a string`,
              "remove @pattern or make the field a string",
            );
          } else {
            result.pattern = text;
          }
        } catch {
          bad(
            tag,
            `@pattern of '${field}' is not a valid regular expression: ${text}`,
            "write a JavaScript regular expression without slashes",
          );
        }
      } else if (name === "default") {
        rawDefault = { text, tag };
      } else if (name === "live") {
        if (!this.#subject.live) {
          bad(
            tag,
            `@live does not apply to '${field}' of ${this.#subject.what}: only config fields are live-tunable`,
            "remove @live",
          );
        } else if (path.length !== 1) {
          bad(
            tag,
            `@live does not apply to '${field}': only top-level config fields are live-tunable`,
            `remove @live, or mark the top-level field '${path[0]}' @live`,
          );
        } else if (text !== "") {
          bad(tag, `@live of '${field}' takes no value, got '${text}'`, "write it alone: `@live`");
        } else {
          result["x-live"] = true;
        }
      }
    }
    if (rawDefault && ok) {
      const { text, tag } = rawDefault;
      let value: JsonValue;
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
      try {
        validateConfig(result, value, "");
        result.default = value;
      } catch (error) {
        if (!(error instanceof ConfigValidationError)) throw error;
        const issue = error.issues[0];
        bad(
          tag,
          `@default ${text} of '${field}' is not ${issue.expected}`,
          "write a default the field's type and tags allow, as JSON",
        );
      }
    }
    return ok ? sortKeys(result) : undefined;
  }

  #unresolved(at: Node, path: readonly string[]): undefined {
    const declaration = Node.isIdentifier(at) ? at.getParent() : at;
    const text = Node.isTypeNode(at)
      ? at.getText()
      : declaration && Node.isTyped(declaration)
      ? declaration.getTypeNode()?.getText()
      : undefined;
    const type = text === undefined ? "its type" : `'${text}'`;
    report(
      this.#ctx,
      at,
      "config-not-json",
      `${
        this.#where(path)
      } has type ${type}, which codegen cannot resolve, so it has no JSON Schema`,
      `declare or import ${type}: codegen follows relative imports and bare ones that the nearest deno.json "imports" maps to a local file, not jsr:, npm: or https: ones`,
    );
    return undefined;
  }

  #where(path: readonly string[]): string {
    return path.length === 0
      ? this.#subject.what
      : `${this.#subject.what}: field '${path.join(".").replaceAll(".[]", "[]")}'`;
  }

  #fail(at: Node, path: readonly string[], what: string, hint?: string): undefined {
    report(
      this.#ctx,
      at,
      "config-not-json",
      `${this.#where(path)} is ${what}, which has no JSON Schema`,
      hint ?? this.#subject.hint,
    );
    return undefined;
  }
}

/** The checker's error type: what a type name it cannot resolve (or a failed import) becomes. */
function isUnresolved(type: Type): boolean {
  const intrinsic = (type.compilerType as { intrinsicName?: string }).intrinsicName;
  return type.isAny() && (intrinsic === "error" || intrinsic === "unresolved");
}

function classNameOf(type: Type): string | undefined {
  const symbol = type.getSymbol();
  if (!symbol) return undefined;
  const declarations = symbol.getDeclarations();
  const isClass = declarations.some((d) => Node.isClassDeclaration(d) || Node.isClassExpression(d));
  const isBuiltinClass = declarations.some(Node.isInterfaceDeclaration) &&
    declarations.some(Node.isVariableDeclaration);
  return isClass || isBuiltinClass ? symbol.getName() : undefined;
}

function sortKeys(schema: JsonSchema): JsonSchema {
  const entries = Object.entries(schema).sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(entries) as JsonSchema;
}

function rank(key: string): number {
  const index = KEY_ORDER.indexOf(key);
  return index === -1 ? KEY_ORDER.length : index;
}
