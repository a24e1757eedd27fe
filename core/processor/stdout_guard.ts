/**
 * Keeps stdout for a protocol: while reserved, what any code of this isolate prints with `console`
 * goes to stderr, queued so that a stderr nobody reads never blocks the isolate
 * (`./background_console.ts`), and Workers the runtime starts do the same. With the `divert`
 * option (the CLI passes ffi/stdio's) the process's stdout itself is pointed at stderr, so every
 * other path goes there too (`Deno.stdout.write`, native code, children that inherit stdout) and
 * only {@linkcode writeStdoutLine} and {@linkcode writeStdout} reach the original. `streamlib run
 * --json`, `dashboard --json`, `validate --json`, `nodes --json`, `serve --json` and `streamlib
 * mcp` on stdio reserve it, so a processor's print never lands between their JSON lines.
 * Processors log with `ctx.log` (see `core/processor/log.ts`).
 *
 * @module
 */

import { installBackgroundConsole } from "./background_console.ts";

type Printer = (...data: unknown[]) => void;

let restoreConsole: (() => void) | undefined;
let reservations = 0;
const realLog: Printer = console.log.bind(console);
let diverted: DivertedStdout | undefined;

/**
 * The original stdout, kept when the process's own stdout (fd 1) was pointed at stderr: what
 * `ffi/stdio/_stdout_divert.ts` gives. Then nothing printed by any path reaches the protocol.
 */
export interface DivertedStdout {
  /** Writes all of `bytes` to the original stdout, blocking until done. */
  writeSync(bytes: Uint8Array): void;
  /** Writes all of `bytes` to the original stdout without blocking the event loop. */
  write(bytes: Uint8Array): Promise<void>;
  /** Points the process's stdout back at the original (idempotent). */
  restore(): void;
}

/** Options of {@linkcode reserveStdout}. */
export interface ReserveStdoutOptions {
  /**
   * Points the process's stdout (fd 1) at stderr and returns the original, or `undefined` where
   * it cannot (the CLI passes `divertStdoutFd` of ffi/stdio). Called by the first reservation
   * only; the last release restores it. Without it only `console` is redirected.
   */
  readonly divert?: () => DivertedStdout | undefined;
}

/** A hold on stdout from {@linkcode reserveStdout}; releasing the last one restores `console`. */
export interface StdoutReservation extends Disposable {
  /** Gives stdout back (idempotent); `console` prints there again once nothing holds it. */
  release(): void;
}

/**
 * Reserves stdout for a protocol in this isolate: `console.log` and the other printing methods
 * write to stderr until released. Reservations nest.
 *
 * @returns The reservation.
 *
 * @example A print goes to stderr while stdout is reserved
 * ```ts
 * import assert from "node:assert/strict";
 * import { reserveStdout, stdoutReserved } from "@streamlib/streamlib";
 *
 * const before = console.log;
 * {
 *   using _held = reserveStdout();
 *   assert.equal(stdoutReserved(), true);
 *   assert.notEqual(console.log, before); // now prints to stderr
 * }
 * assert.equal(stdoutReserved(), false);
 * assert.equal(console.log, before);
 * ```
 */
export function reserveStdout(options: ReserveStdoutOptions = {}): StdoutReservation {
  if (reservations++ === 0) {
    diverted = options.divert?.();
    // Every printing method to stderr, queued: never blocking this isolate on a stderr nobody
    // reads, while the protocol on stdout must go on (./background_console.ts).
    restoreConsole = installBackgroundConsole();
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    if (--reservations > 0) return;
    restoreConsole?.();
    restoreConsole = undefined;
    diverted?.restore();
    diverted = undefined;
  };
  return { release, [Symbol.dispose]: release };
}

/**
 * Whether stdout is reserved in this isolate (a Worker host starts its Workers with their
 * `console` on stderr then).
 *
 * @returns Whether a reservation is held.
 *
 * @example Held only between reserve and release
 * ```ts
 * import assert from "node:assert/strict";
 * import { reserveStdout, stdoutReserved } from "@streamlib/streamlib";
 *
 * const held = reserveStdout();
 * assert.equal(stdoutReserved(), true);
 * held.release();
 * assert.equal(stdoutReserved(), false);
 * ```
 */
export function stdoutReserved(): boolean {
  return reservations > 0;
}

/**
 * Writes one line to stdout whether or not it is reserved: for the protocol's owner (the CLI's
 * JSON lines), never for processors.
 *
 * @param text The line, without its newline.
 *
 * @example A JSON line on stdout while processors' prints go to stderr
 * ```ts
 * import { reserveStdout, writeStdoutLine } from "@streamlib/streamlib";
 *
 * using _held = reserveStdout();
 * console.log("a processor's print"); // stderr
 * writeStdoutLine(JSON.stringify({ event: "started" })); // stdout
 * ```
 */
export function writeStdoutLine(text: string): void {
  if (diverted) diverted.writeSync(encoder.encode(`${text}\n`));
  else realLog(text);
}

const encoder = new TextEncoder();

/**
 * Writes bytes to stdout whether or not it is reserved, without blocking the event loop: for a
 * protocol's owner (MCP on stdio), never for processors.
 *
 * @param bytes What to write; all of it is written.
 * @returns When it is written.
 *
 * @example A protocol message
 * ```ts
 * import { writeStdout } from "@streamlib/streamlib";
 *
 * await writeStdout(new TextEncoder().encode('{"jsonrpc":"2.0","method":"ping"}\n'));
 * ```
 */
export async function writeStdout(bytes: Uint8Array): Promise<void> {
  if (diverted) return await diverted.write(bytes);
  for (let done = 0; done < bytes.length;) {
    done += await Deno.stdout.write(bytes.subarray(done));
  }
}
