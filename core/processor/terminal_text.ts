/**
 * Text from outside (ids, paths, values and messages from manifests, processor names, error
 * messages, what a session's processors print) made safe to print on a terminal: one helper every
 * human-facing line of the command lines, and of a session's isolate, goes through.
 *
 * @module
 */

/** Longest text {@linkcode terminalSafe} prints by default; the rest is counted. */
export const MAX_TERMINAL_CHARS = 1000;

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC, CR, LF, TAB, BEL, ...),
 * DEL and C1 controls (including the 8-bit CSI, U+009B), the line and paragraph separators, and
 * the bidirectional overrides, embeddings, isolates and marks that reorder what is shown.
 */
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e" };

function escape(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` as one printable line: every control character, line break and bidirectional override
 * written as a visible escape (`\e`, `\r`, `\n`, `\x07`, `\u202e`), and text longer than
 * `maxChars` cut with a count of what was left out. Printing the result can neither move the
 * cursor, clear the screen, start a new line nor reorder what follows.
 *
 * @param text The text (anything; `String()` is applied).
 * @param maxChars Most characters kept from `text`. Default {@linkcode MAX_TERMINAL_CHARS}.
 * @returns The safe text.
 *
 * @example A screen clear and a forged line
 * ```ts
 * import assert from "node:assert/strict";
 * import { terminalSafe } from "./terminal_text.ts";
 *
 * assert.equal(terminalSafe("a\x1b[2J\r\nvalid: yes"), "a\\e[2J\\r\\nvalid: yes");
 * assert.equal(terminalSafe("evil\u202etxt.exe"), "evil\\u202etxt.exe");
 * assert.equal(terminalSafe("x".repeat(12), 5), "xxxxx... (7 more characters)");
 * ```
 */
export function terminalSafe(text: unknown, maxChars = MAX_TERMINAL_CHARS): string {
  let s = String(text);
  let more = "";
  if (s.length > maxChars) {
    more = `... (${s.length - maxChars} more characters)`;
    s = s.slice(0, maxChars);
  }
  return s.replace(UNSAFE, escape) + more;
}

/**
 * Multi-line text made safe line by line: each line as {@linkcode terminalSafe} makes it (no
 * length cap), the line breaks kept. For text the command itself laid out in lines (tables,
 * usage pages) whose cells come from processors.
 *
 * @param text The text.
 * @returns The safe text.
 *
 * @example A table cell with an escape sequence
 * ```ts
 * import assert from "node:assert/strict";
 * import { terminalSafeLines } from "./terminal_text.ts";
 *
 * assert.equal(terminalSafeLines("NAME\nGain\x1b[31m"), "NAME\nGain\\e[31m");
 * ```
 */
export function terminalSafeLines(text: string): string {
  return text.split("\n").map((line) => terminalSafe(line, Infinity)).join("\n");
}
