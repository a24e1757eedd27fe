/**
 * A `google.protobuf.Struct` of parameters, as proto-loader decodes it, back to the JSON object
 * it stands for. Internal.
 *
 * @module
 */

import { ParameterError } from "../../core/manifest/parameters.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { PARAMETERS_MAX_BYTES, PARAMETERS_MAX_DEPTH } from "../_parameter_limits.ts";

/** A `Struct` as proto-loader gives it (`oneofs: true`, enums by name, no defaults). */
export interface ProtoStruct {
  fields?: Record<string, ProtoValue>;
}

/** A `Value`: `kind` names the member set. */
export interface ProtoValue {
  kind?: string;
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: ProtoValue[] };
}

const KINDS = "null_value, number_value, string_value, bool_value, struct_value or list_value";

/**
 * The parameters a request's `Struct` holds, as JSON: `null`, booleans, numbers, strings, lists
 * and objects, nested at most {@linkcode PARAMETERS_MAX_DEPTH} levels (the object of names is
 * level 1) and at most {@linkcode PARAMETERS_MAX_BYTES} bytes as JSON text.
 *
 * @param struct The decoded field; `undefined` when the request left it out.
 * @returns The values by name, or `undefined` when there are none.
 * @throws {ParameterError} `invalid_parameter` for a `Value` with no kind set, a number that is
 * NaN or infinite, nesting past the bound, or JSON text over the bound.
 */
export function structToParameters(
  struct: ProtoStruct | undefined,
): Record<string, JsonValue> | undefined {
  if (struct === undefined || struct === null) return undefined;
  const values = fromStruct(struct, "", 1);
  if (Object.keys(values).length === 0) return undefined;
  const bytes = new TextEncoder().encode(JSON.stringify(values)).length;
  if (bytes > PARAMETERS_MAX_BYTES) {
    throw new ParameterError(
      "invalid_parameter",
      "",
      `The parameters are ${bytes} bytes as JSON, at most ${PARAMETERS_MAX_BYTES} are taken`,
      { expected: `at most ${PARAMETERS_MAX_BYTES} bytes of JSON` },
    );
  }
  return values;
}

function fromStruct(struct: ProtoStruct, at: string, depth: number): Record<string, JsonValue> {
  if (depth > PARAMETERS_MAX_DEPTH) throw tooDeep(at);
  return Object.fromEntries(
    Object.entries(struct.fields ?? {}).map((
      [key, value],
    ) => [key, fromValue(value, at === "" ? key : `${at}.${key}`, depth)]),
  );
}

function fromValue(value: ProtoValue, at: string, depth: number): JsonValue {
  switch (value?.kind) {
    case "nullValue":
      return null;
    case "boolValue":
      return value.boolValue ?? false;
    case "stringValue":
      return value.stringValue ?? "";
    case "numberValue": {
      const number = value.numberValue ?? 0;
      if (!Number.isFinite(number)) {
        throw new ParameterError(
          "invalid_parameter",
          nameOf(at),
          `Parameter ${nameOf(at)} holds ${number} at ${
            at.slice(0, 200)
          }: a JSON number must be finite`,
          { expected: "a finite number" },
        );
      }
      return number;
    }
    case "structValue":
      return fromStruct(value.structValue ?? {}, at, depth + 1);
    case "listValue": {
      if (depth + 1 > PARAMETERS_MAX_DEPTH) throw tooDeep(at);
      return (value.listValue?.values ?? []).map((item, i) =>
        fromValue(item, `${at}[${i}]`, depth + 1)
      );
    }
    default:
      throw new ParameterError(
        "invalid_parameter",
        nameOf(at),
        `Parameter ${nameOf(at)} has a Value with no kind set at ${
          at.slice(0, 200)
        }: set one of ${KINDS}`,
        { expected: `a Value with one of ${KINDS}` },
      );
  }
}

function tooDeep(at: string): ParameterError {
  return new ParameterError(
    "invalid_parameter",
    nameOf(at),
    `Parameter ${
      nameOf(at)
    } nests lists and structs more than ${PARAMETERS_MAX_DEPTH} levels deep, at most ${PARAMETERS_MAX_DEPTH} are taken`,
    { expected: `values nested at most ${PARAMETERS_MAX_DEPTH} levels deep` },
  );
}

/** The parameter's name: the first segment of a path. */
function nameOf(at: string): string {
  return /^[^.[]*/.exec(at)![0].slice(0, 80);
}
