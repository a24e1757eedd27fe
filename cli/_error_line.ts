/**
 * How the command lines report an error on stderr: one line `error: <code>: <message>`, the code
 * a stable word a script can match and a reader can look up, the message what was wrong and what
 * is valid. A usage error (the command line itself is wrong) is followed by the command's usage;
 * any other (a file, a port, a manifest) is not, so the message stays the last thing printed.
 *
 * @module
 */

import { terminalSafe } from "../core/processor/terminal_text.ts";

/** The codes of a command line that is itself wrong (exit code 2). */
export type UsageErrorCode =
  | "missing_command"
  | "unknown_command"
  | "unknown_flag"
  | "invalid_flag"
  | "missing_argument"
  | "unexpected_argument";

/**
 * A command line that is wrong: an unknown flag, a flag's value out of range, an argument
 * missing or extra. A `RangeError`, as the flag checks threw before they had a code.
 *
 * @example A flag value out of range
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./_error_line.ts";
 *
 * const error = new UsageError("invalid_flag", "--port must be an integer, got 'x'");
 * assert.ok(error instanceof RangeError);
 * assert.equal(error.code, "invalid_flag");
 * ```
 */
export class UsageError extends RangeError {
  /** What was wrong. */
  readonly code: UsageErrorCode;

  /**
   * Creates the error.
   *
   * @param code What was wrong.
   * @param message What was wrong and what is valid.
   */
  constructor(code: UsageErrorCode, message: string) {
    super(message);
    this.name = "UsageError";
    this.code = code;
  }
}

/**
 * The line that reports an error: `error: <code>: <message>`, made safe for the terminal.
 *
 * @param code The stable code.
 * @param message What was wrong and what is valid.
 * @returns The line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorLine } from "./_error_line.ts";
 *
 * assert.equal(
 *   errorLine("not_found", "Cannot read 'p.json': no such file"),
 *   "error: not_found: Cannot read 'p.json': no such file",
 * );
 * ```
 */
export function errorLine(code: string, message: string): string {
  return terminalSafe(`error: ${code}: ${message}`);
}

/**
 * The code an error carries (`error.code`, when it is a code word), else `fallback`.
 *
 * @param error What was thrown.
 * @param fallback The code when it has none.
 * @returns The code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeOf } from "./_error_line.ts";
 *
 * assert.equal(codeOf(Object.assign(new Error("x"), { code: "invalid_manifest" }), "e"), "invalid_manifest");
 * assert.equal(codeOf(new Error("x"), "load_failed"), "load_failed");
 * ```
 */
export function codeOf(error: unknown, fallback: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[a-z][a-z0-9_]*$/.test(code) ? code : fallback;
}

/**
 * The text of a usage error: its line, a blank line, then the command's usage.
 *
 * @param code The stable code.
 * @param message What was wrong and what is valid.
 * @param usage The command's usage text.
 * @returns The text.
 */
export function usageErrorText(code: UsageErrorCode, message: string, usage: string): string {
  return `${errorLine(code, message)}\n\n${usage}`;
}
