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
   * Lines printed while a command runs (a node's log and errors, a session's start and end): on
   * the console they go to stderr without ever blocking (a stderr nobody reads holds 256 KiB of
   * them, then they are dropped and counted), and {@linkcode flushConsoleLog} waits for them.
   * Absent: `err`.
   */
  readonly log?: (text: string) => void;
  /**
   * The live status line on a terminal: each call replaces the previous line in place. Absent
   * when the output is not a terminal (a pipe, a file, a test); status then goes to `out`, one
   * line per update.
   */
  readonly status?: (text: string) => void;
}

import { stdoutReserved, writeStdoutLine } from "../core/processor/stdout_guard.ts";
import { BackgroundLines } from "../core/processor/background_lines.ts";
import { flushBackgroundConsole } from "../core/processor/background_console.ts";
import { errorLine } from "./_error_line.ts";
import { noteStdoutClosed, stdoutClosed } from "./wait_for_stop.ts";

const encoder = new TextEncoder();
let live = false;
const consoleLog = new BackgroundLines();

/**
 * Waits until what {@linkcode CONSOLE}'s `log` queued is written, or `timeoutMs` passed (a stderr
 * nobody reads never takes it): the command line's entry points call it before they exit.
 *
 * @param timeoutMs The longest wait. Default 1 000 ms.
 */
export async function flushConsoleLog(timeoutMs = 1_000): Promise<void> {
  await Promise.all([consoleLog.flush(timeoutMs), flushBackgroundConsole(timeoutMs)]);
}

function clearLive(): void {
  if (!live) return;
  Deno.stdout.writeSync(encoder.encode("\r\x1b[2K"));
  live = false;
}

/** The process's stdout and stderr, with a live status line when stdout is a terminal. */
export const CONSOLE: CliOutput = {
  out: (text) => {
    clearLive();
    if (stdoutClosed()) return; // its reader is gone: the command is stopping
    try {
      writeStdoutLine(text); // stdout even while reserved for JSON lines (processors' prints are not)
    } catch (error) {
      // Any failed write to stdout is for good (`EPIPE`: `run --json | head -1`; `ENOSPC`: a full
      // disk or `/dev/full`; `EIO`, `EBADF`): not a crash. The command stops as on SIGTERM and
      // exits 1.
      const why = stdoutWriteProblem(error);
      consoleLog.line(errorLine("stdout_closed", `${why}; stopping as on SIGTERM (exit 1)`), true);
      noteStdoutClosed();
    }
  },
  err: (text) => {
    clearLive();
    // Behind log lines still queued, so stderr keeps their order; else at once. While stdout is
    // reserved, console prints are queued (processors may flood them): errors are never dropped.
    if (consoleLog.busy || stdoutReserved()) consoleLog.line(text, true);
    else {
      try {
        console.error(text);
      } catch {
        // stderr cannot be written (`2>/dev/full`, closed): nothing left to say it on, and a
        // command must not end on its diagnostics' channel (a server goes on serving).
      }
    }
  },
  log: (text) => {
    clearLive();
    consoleLog.line(text);
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

/**
 * What a failed write to stdout means, for an `stdout_closed` error line.
 *
 * @param error What the write threw.
 * @returns One sentence.
 */
export function stdoutWriteProblem(error: unknown): string {
  return error instanceof Deno.errors.BrokenPipe
    ? "Cannot write to stdout: its reader closed it"
    : (error as Error)?.message ?? String(error);
}

function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 120;
  }
}
