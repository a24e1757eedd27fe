/**
 * An open's `parameters` field (version 2): the JSON text of an object of parameter names to JSON
 * values, checked the same way both ways (an object, at most `WIRE_LIMITS.parametersDepth` levels
 * deep; its bytes are bounded by the `str` it travels in).
 *
 * @module
 */

import { jsonTextDepth } from "../../core/manifest/limits.ts";
import { WireError } from "./errors.ts";
import { WIRE_LIMITS } from "./format.ts";
import type { WireParameters } from "./messages.ts";

const EXPECTED = "a JSON object of parameter names to JSON values";
const DEPTH = `JSON nested at most ${WIRE_LIMITS.parametersDepth} levels deep`;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The JSON text an encoder writes for `parameters`.
 *
 * @param parameters The open's parameters.
 * @returns Their JSON text (its bytes are checked by the `str` it is written as).
 * @throws {WireError} `wire_malformed` for a value that is not an object of JSON values, or
 * that nests deeper than the bound.
 */
export function parametersText(parameters: unknown): string {
  if (!isObject(parameters)) {
    const found = Array.isArray(parameters) ? "an array" : String(parameters);
    throw new WireError(
      "wire_malformed",
      `Cannot encode parameters: ${found} is not valid, expected ${EXPECTED}`,
      { field: "parameters", found, expected: EXPECTED },
    );
  }
  let text: string;
  try {
    text = JSON.stringify(parameters);
  } catch (error) {
    // A BigInt, a cycle, or nesting deep enough to exhaust the stack.
    throw new WireError(
      "wire_malformed",
      `Cannot encode parameters: not JSON (${(error as Error).name}), expected ${EXPECTED}`,
      { field: "parameters", found: (error as Error).name, expected: EXPECTED },
    );
  }
  if (jsonTextDepth(text, WIRE_LIMITS.parametersDepth) > WIRE_LIMITS.parametersDepth) {
    throw new WireError(
      "wire_malformed",
      `Cannot encode parameters: they nest more than ${WIRE_LIMITS.parametersDepth} levels deep`,
      { field: "parameters", expected: DEPTH },
    );
  }
  return text;
}

/**
 * The parameters of a decoded open's JSON text. Its depth is counted on the text before it is
 * parsed, so no deep value is ever built.
 *
 * @param text The field's text.
 * @param offset Where the field starts in the message.
 * @returns The parameters.
 * @throws {WireError} `wire_malformed` for text nested too deep, not JSON, or not an object.
 */
export function parseParameters(text: string, offset: number): WireParameters {
  if (jsonTextDepth(text, WIRE_LIMITS.parametersDepth) > WIRE_LIMITS.parametersDepth) {
    throw new WireError(
      "wire_malformed",
      `Cannot decode parameters: they nest more than ${WIRE_LIMITS.parametersDepth} levels deep`,
      { field: "parameters", offset, expected: DEPTH },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WireError(
      "wire_malformed",
      `Cannot decode parameters: not JSON, expected ${EXPECTED}`,
      { field: "parameters", offset, found: "not JSON", expected: EXPECTED },
    );
  }
  if (!isObject(value)) {
    const found = Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
    throw new WireError(
      "wire_malformed",
      `Cannot decode parameters: ${found} is not valid, expected ${EXPECTED}`,
      { field: "parameters", offset, found, expected: EXPECTED },
    );
  }
  return value as WireParameters;
}
