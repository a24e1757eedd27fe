/**
 * Quoting what a caller gave in an error message: every error that names a value it rejects
 * (an id, a name, a field) quotes it through {@linkcode quote}, so a message stays small however
 * large the input was (a 1 MB id gives a message of about a hundred characters).
 *
 * @module
 */

/** Longest string (an id, a type, a field name) a message quotes in full. */
export const MAX_QUOTED_CHARS = 64;

/** Most names a message lists (available nodes, near matches); the rest are counted. */
export const MAX_LISTED_NAMES = 20;

/**
 * A string for a message: itself when it has at most {@linkcode MAX_QUOTED_CHARS} characters,
 * else its start, `...` and how many characters were left out.
 *
 * @param text The string (anything else is turned into one first).
 * @returns The string, shortened.
 *
 * @example A long id
 * ```ts
 * import assert from "node:assert/strict";
 * import { quote } from "./quote.ts";
 *
 * assert.equal(quote("tone_1"), "tone_1");
 * assert.equal(quote("x".repeat(1000)), `${"x".repeat(64)}... (936 more characters)`);
 * ```
 */
export function quote(text: unknown): string {
  const s = typeof text === "string" ? text : String(text);
  if (s.length <= MAX_QUOTED_CHARS) return s;
  return `${s.slice(0, MAX_QUOTED_CHARS)}... (${s.length - MAX_QUOTED_CHARS} more characters)`;
}

/**
 * Names for a message, comma-separated: at most {@linkcode MAX_LISTED_NAMES}, each through
 * {@linkcode quote}, the rest counted; `none` when there are none.
 *
 * @param names The names.
 * @returns The list.
 *
 * @example A long list
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteList } from "./quote.ts";
 *
 * assert.equal(quoteList([]), "none");
 * assert.equal(quoteList(Array.from({ length: 22 }, (_, i) => `n${i}`)).endsWith("n19 and 2 more"), true);
 * ```
 */
export function quoteList(names: readonly string[]): string {
  if (names.length === 0) return "none";
  const listed = names.slice(0, MAX_LISTED_NAMES).map(quote).join(", ");
  const rest = names.length - MAX_LISTED_NAMES;
  return rest > 0 ? `${listed} and ${rest} more` : listed;
}
