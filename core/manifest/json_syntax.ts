/**
 * {@linkcode jsonSyntaxError}: where a JSON text first goes wrong, by line and column, for the
 * messages of every reader of manifests (the CLI, `streamlib serve`'s folder).
 *
 * @module
 */

/** Where a JSON text first goes wrong: 1-based line and column, and what was expected. */
export interface JsonSyntaxError {
  /** The line, from 1. */
  readonly line: number;
  /** The column, from 1, in UTF-16 code units. */
  readonly column: number;
  /** What was found and what was expected there. */
  readonly problem: string;
}

/**
 * Where a JSON text first goes wrong, for a message a person can act on: `JSON.parse` names the
 * place only for some mistakes (a trailing comma, a missing value), never with a line. The text
 * is scanned as RFC 8259 JSON; nesting is bounded by the caller (a manifest is checked for depth
 * before it is parsed).
 *
 * @param text The text.
 * @returns The place and what was expected, or `undefined` when the text is valid JSON.
 *
 * @example A trailing comma on line 3
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonSyntaxError } from "./json_syntax.ts";
 *
 * assert.deepEqual(jsonSyntaxError('{\n  "a": 1,\n}'), {
 *   line: 3,
 *   column: 1,
 *   problem: "found '}', expected another property (JSON allows no ',' before '}')",
 * });
 * assert.equal(jsonSyntaxError('{ "a": [1, 2] }'), undefined);
 * ```
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  class Stop extends Error {}
  const fail = (expected: string): never => {
    const found = i >= text.length
      ? "the end of the text"
      : text[i] < " "
      ? JSON.stringify(text[i])
      : `'${text[i]}'`;
    throw Object.assign(new Stop(), { problem: `found ${found}, expected ${expected}` });
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail("a closing '\"' (a string cannot hold a raw line break or control)");
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("four hex digits after \\u");
          i += 4;
        } else if (i >= text.length || !'"\\/bfnrt'.includes(text[i])) {
          fail('an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX');
        }
      }
      i++;
    }
    if (i >= text.length) fail("a closing '\"'");
    i++;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === "{") {
      i++;
      space();
      if (text[i] === "}") return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail("a string (a property name)");
        string();
        space();
        if (text[i] !== ":") fail("':' after the property name");
        i++;
        value();
        space();
        if (text[i] === ",") {
          i++;
          space();
          if (text[i] === "}") fail("another property (JSON allows no ',' before '}')");
          continue;
        }
        if (text[i] === "}") return void i++;
        fail("',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      space();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ",") {
          i++;
          space();
          if (text[i] === "]") fail("another value (JSON allows no ',' before ']')");
          continue;
        }
        if (text[i] === "]") return void i++;
        fail("',' or ']'");
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (literal === null) fail("a value (an object, array, string, number, true, false or null)");
    i += literal![0].length;
  };
  try {
    value();
    space();
    if (i < text.length) fail("the end of the text (one JSON value only)");
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, i).split("\n");
    return {
      line: before.length,
      column: before[before.length - 1].length + 1,
      problem: (error as Stop & { problem: string }).problem,
    };
  }
}
