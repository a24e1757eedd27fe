/**
 * The limits on a manifest: its size as a file, how deeply its JSON may nest, and how much of a
 * value a message quotes.
 *
 * @module
 */

/** Largest manifest file the command lines and MCP's `load_manifest` read: 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Deepest nesting of arrays and objects a manifest may have (the root object is depth 1, a
 * node's `config` object depth 4). Deeper manifests are refused before anything else is
 * checked, so no check ever walks a value millions of levels deep.
 */
export const MAX_MANIFEST_DEPTH = 64;

import { MAX_QUOTED_CHARS, quote } from "../errors/quote.ts";

export { MAX_QUOTED_CHARS };

/**
 * How deeply a JSON value nests (a scalar is 0, `[]` is 1, `[[1]]` is 2), counting no further
 * than `limit + 1`: the walk stops there, so its cost is bounded by the limit and the number of
 * values above it, never by how deep the value goes.
 *
 * @param value A parsed JSON value.
 * @param limit The depth past which counting stops.
 * @returns The depth, or `limit + 1` when it is deeper than `limit`.
 *
 * @example A value nested past the limit
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonDepth } from "./limits.ts";
 *
 * let deep: unknown = 1;
 * for (let i = 0; i < 1000; i++) deep = [deep];
 * assert.equal(jsonDepth({ a: [1, { b: 2 }] }, 64), 3);
 * assert.equal(jsonDepth(deep, 64), 65);
 * ```
 */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    const here = depth + 1;
    if (here > limit) return limit + 1;
    if (here > deepest) deepest = here;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === "object" && child !== null) stack.push([child, here]);
    }
  }
  return deepest;
}

/**
 * How deeply the JSON text nests, counting no further than `limit + 1`, without parsing it: one
 * pass over the characters, skipping strings. Run it before `JSON.parse`, which would otherwise
 * build the whole deep value first.
 *
 * @param text JSON text (it need not be valid; the count is then only a bound).
 * @param limit The depth past which counting stops.
 * @returns The depth, or `limit + 1` when it is deeper than `limit`.
 *
 * @example Text nested past the limit
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonTextDepth } from "./limits.ts";
 *
 * assert.equal(jsonTextDepth('{"a": "[[[[", "b": [{}]}', 64), 3);
 * assert.equal(jsonTextDepth("[".repeat(100), 64), 65);
 * ```
 */
export function jsonTextDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return limit + 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * A string for a message, shortened to {@linkcode MAX_QUOTED_CHARS} characters: the one helper
 * every error message quotes input with (`quote` in core/errors/quote.ts).
 *
 * @param text The string.
 * @returns The string, shortened.
 *
 * @example A long id
 * ```ts
 * import assert from "node:assert/strict";
 * import { excerpt } from "./limits.ts";
 *
 * assert.equal(excerpt("tone_1"), "tone_1");
 * assert.equal(excerpt("x".repeat(1000)), `${"x".repeat(64)}... (936 more characters)`);
 * ```
 */
export function excerpt(text: string): string {
  return quote(text);
}
