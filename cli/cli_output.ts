/**
 * Where the command lines write, so tests can capture it.
 *
 * @module
 */

/**
 * Where a command line writes.
 *
 * @example Capture a command's output
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CliOutput, main } from "@streamlib/streamlib/cli";
 *
 * const lines: string[] = [];
 * const output: CliOutput = { out: (t) => lines.push(t), err: (t) => lines.push(t) };
 * await main(["--version"], output);
 * assert.ok(lines[0].startsWith("streamlib "));
 * ```
 */
export interface CliOutput {
  /** Normal output. */
  readonly out: (text: string) => void;
  /** Errors and diagnostics. */
  readonly err: (text: string) => void;
  /**
   * The live status line on a terminal: each call replaces the previous line in place. Absent
   * when the output is not a terminal (a pipe, a file, a test); status then goes to `out`, one
   * line per update.
   */
  readonly status?: (text: string) => void;
}

import { writeStdoutLine } from "../core/processor/stdout_guard.ts";

const encoder = new TextEncoder();
let live = false;

function clearLive(): void {
  if (!live) return;
  Deno.stdout.writeSync(encoder.encode("\r\x1b[2K"));
  live = false;
}

/** The process's stdout and stderr, with a live status line when stdout is a terminal. */
export const CONSOLE: CliOutput = {
  out: (text) => {
    clearLive();
    writeStdoutLine(text); // stdout even while reserved for JSON lines (processors' prints are not)
  },
  err: (text) => {
    clearLive();
    console.error(text);
  },
  status: Deno.stdout.isTerminal()
    ? (text) => {
      const width = terminalWidth();
      const line = text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
      Deno.stdout.writeSync(encoder.encode(`\r\x1b[2K${line}`));
      live = true;
    }
    : undefined,
};

function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 120;
  }
}
