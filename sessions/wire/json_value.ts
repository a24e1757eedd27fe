/**
 * A data frame's JSON as both transports read it: numbers past a 64-bit float's range, which
 * `JSON.parse` reads as Infinity and `JSON.stringify` then writes as null, are found so they can
 * be refused rather than silently changed.
 *
 * @module
 */

/** A number token that could be past a 64-bit float's range: an exponent of 3 digits or more, or 309 digits. */
const MAYBE_OVERFLOW = /\d[eE][+-]?\d{3}|\d{309}/;

/**
 * Whether JSON text (already parsed once) holds a number past a 64-bit float's range (about
 * ±1.8e308). Parsed again with a reviver only when the text has an exponent of 3 digits or a run
 * of 309 digits: a reviver costs a call per value.
 *
 * @param text JSON text that `JSON.parse` reads.
 * @returns Whether one of its numbers reads as Infinity.
 *
 * @example A number too large for a float
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonOverflows } from "./json_value.ts";
 *
 * assert.equal(jsonOverflows('{"big":1e400}'), true);
 * assert.equal(jsonOverflows('{"small":1e-400,"ok":1e308}'), false);
 * ```
 */
export function jsonOverflows(text: string): boolean {
  if (!MAYBE_OVERFLOW.test(text)) return false;
  let found = false;
  try {
    JSON.parse(text, (_key, value) => {
      if (typeof value === "number" && !Number.isFinite(value)) found = true;
      return value;
    });
  } catch {
    // Nested too deep for the reviver: the session's own depth bound refuses it.
  }
  return found;
}

/** What a transport says a data frame's numbers must be. */
export const JSON_NUMBER_RANGE =
  "one JSON value whose numbers fit a 64-bit float (at most about ±1.8e308): a larger one would " +
  "arrive as Infinity and leave as null";
