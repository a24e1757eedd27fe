/**
 * {@linkcode installBackgroundConsole}: `console` printing to stderr without ever blocking the
 * isolate, for the time stdout is reserved for a protocol (`./stdout_guard.ts`).
 *
 * Deno's `console` writes synchronously: when stderr is a pipe nobody reads (a program that
 * starts `streamlib run --json` or `streamlib mcp` and reads only stdout, which Python's
 * `subprocess.Popen(..., stderr=PIPE)` makes easy), the first print after about 64 KiB of them
 * blocks the whole isolate, and a running pipeline, its timers, its signal handlers and its
 * protocol with it. While stdout is reserved, every printing method of `console` formats its line
 * here and queues it for stderr ({@linkcode BackgroundLines}, at most 256 KiB waiting; past that,
 * lines are dropped and their count is written once stderr takes lines again).
 *
 * @module
 */

import { BackgroundLines } from "./background_lines.ts";

type Printer = (...data: unknown[]) => void;

/** The `console` methods replaced, each restored by the function {@linkcode installBackgroundConsole} returns. */
export const BACKGROUND_CONSOLE_METHODS = [
  "log",
  "info",
  "debug",
  "dir",
  "dirxml",
  "table",
  "error",
  "warn",
  "trace",
  "assert",
  "count",
  "countReset",
  "time",
  "timeLog",
  "timeEnd",
  "group",
  "groupCollapsed",
  "groupEnd",
] as const;

let lines: BackgroundLines | undefined;

/**
 * Replaces `console`'s printing methods in this isolate with ones that queue their lines for
 * stderr and return at once.
 *
 * @returns A function that puts the original methods back (lines already queued are still
 *   written).
 *
 * @example Prints go on while nobody reads stderr
 * ```ts
 * import { flushBackgroundConsole, installBackgroundConsole } from "./background_console.ts";
 *
 * const restore = installBackgroundConsole();
 * console.log("queued for stderr:", { n: 1 });
 * console.error("so is this");
 * restore();
 * await flushBackgroundConsole(1_000);
 * ```
 */
export function installBackgroundConsole(): () => void {
  lines ??= new BackgroundLines(Deno.stderr, undefined, "console line");
  const queue = lines;
  const c = console as unknown as Record<string, Printer>;
  const saved = new Map<string, Printer>();
  for (const method of BACKGROUND_CONSOLE_METHODS) saved.set(method, c[method]);
  const colors = stderrIsTerminal();
  let indent = "";
  const print = (text: string) => {
    queue.line(indent === "" ? text : text.replace(/^/gm, indent));
  };
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const printer: Printer = (...data) => print(formatConsoleArgs(data, colors));
  Object.assign(c, {
    log: printer,
    info: printer,
    debug: printer,
    error: printer,
    warn: printer,
    dirxml: printer,
    dir: (value: unknown, options?: Deno.InspectOptions) =>
      print(Deno.inspect(value, { colors, ...options })),
    table: (data: unknown) => print(Deno.inspect(data, { colors })),
    trace: (...data: unknown[]) => {
      const stack = (new Error().stack ?? "").split("\n").slice(2).join("\n");
      print(`Trace${data.length > 0 ? `: ${formatConsoleArgs(data, colors)}` : ""}\n${stack}`);
    },
    assert: (condition?: unknown, ...data: unknown[]) => {
      if (condition) return;
      print(
        `Assertion failed${data.length > 0 ? `: ${formatConsoleArgs(data, colors)}` : ""}`,
      );
    },
    count: (label = "default") => {
      const n = (counts.get(String(label)) ?? 0) + 1;
      counts.set(String(label), n);
      print(`${label}: ${n}`);
    },
    countReset: (label = "default") => counts.delete(String(label)),
    time: (label = "default") => timers.set(String(label), performance.now()),
    timeLog: (label = "default", ...data: unknown[]) => {
      const started = timers.get(String(label));
      if (started === undefined) return print(`Timer '${label}' does not exist`);
      const extra = data.length > 0 ? ` ${formatConsoleArgs(data, colors)}` : "";
      print(`${label}: ${(performance.now() - started).toFixed(3)}ms${extra}`);
    },
    timeEnd: (label = "default") => {
      const started = timers.get(String(label));
      if (started === undefined) return print(`Timer '${label}' does not exist`);
      timers.delete(String(label));
      print(`${label}: ${(performance.now() - started).toFixed(3)}ms`);
    },
    group: (...label: unknown[]) => {
      if (label.length > 0) printer(...label);
      indent += "  ";
    },
    groupCollapsed: (...label: unknown[]) => {
      if (label.length > 0) printer(...label);
      indent += "  ";
    },
    groupEnd: () => {
      indent = indent.slice(2);
    },
  });
  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    for (const [method, original] of saved) c[method] = original;
  };
}

/**
 * Waits until the lines queued by the background console are written, or `timeoutMs` passed (a
 * stderr nobody reads never takes them): before the process exits.
 *
 * @param timeoutMs The longest wait.
 */
export async function flushBackgroundConsole(timeoutMs: number): Promise<void> {
  await lines?.flush(timeoutMs);
}

/**
 * One line of `console.log(...data)`: strings as they are, other values as `Deno.inspect` shows
 * them, separated by spaces; a first string's `%s`, `%d`, `%i`, `%f`, `%o`, `%O`, `%j` and `%c`
 * take the next values as `console.log` does, `%%` is a `%`.
 *
 * @param data What was printed.
 * @param colors Whether values are shown with colours (a terminal).
 * @returns The line.
 *
 * @example Format a print
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatConsoleArgs } from "./background_console.ts";
 *
 * assert.equal(formatConsoleArgs(["%s has %d frames", "in", 3, { more: true }]), "in has 3 frames { more: true }");
 * ```
 */
export function formatConsoleArgs(data: readonly unknown[], colors = false): string {
  const show = (value: unknown) =>
    typeof value === "string" ? value : Deno.inspect(value, { colors });
  if (data.length === 0) return "";
  let rest = 0;
  const parts: string[] = [];
  const first = data[0];
  if (typeof first === "string" && first.includes("%")) {
    let next = 1;
    parts.push(first.replace(/%[sdifoOjc%]/g, (spec) => {
      if (spec === "%%") return "%";
      if (next >= data.length) return spec;
      const value = data[next++];
      switch (spec) {
        case "%s":
          return typeof value === "string" ? value : Deno.inspect(value, { colors, depth: 1 });
        case "%d":
        case "%i":
          return typeof value === "bigint"
            ? `${value}n`
            : String(spec === "%i" ? Math.trunc(Number(value)) : Number(value));
        case "%f":
          return String(Number(value));
        case "%j":
          try {
            return JSON.stringify(value);
          } catch {
            return "[Circular]";
          }
        case "%c":
          return "";
        default:
          return Deno.inspect(value, { colors });
      }
    }));
    rest = next;
  } else {
    parts.push(show(first));
    rest = 1;
  }
  for (let i = rest; i < data.length; i++) parts.push(show(data[i]));
  return parts.join(" ");
}

function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal() && Deno.noColor !== true;
  } catch {
    return false;
  }
}
