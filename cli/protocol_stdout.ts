/**
 * Stdout kept for a command's protocol (JSON lines, MCP on stdio): `console` redirected in every
 * isolate and, where the system allows, the process's stdout itself pointed at stderr.
 *
 * @module
 */

import { reserveStdout, type StdoutReservation } from "../core/processor/stdout_guard.ts";
import { divertStdoutFd } from "../ffi/stdio/_stdout_divert.ts";

/**
 * Where the process's stdout is diverted when this isolate is not the one that writes the
 * protocol lines (the serving Worker of `streamlib serve`, whose lines the main isolate writes):
 * it asks that isolate to hold the diversion, and gets a function that gives it back.
 */
let divertElsewhere: (() => () => void) | undefined;

/**
 * Makes {@linkcode reserveProtocolStdout} in this isolate redirect only its own `console`, and
 * ask `hold` to divert the process's stdout in the isolate that writes the protocol lines (the
 * one whose `writeStdoutLine` must reach the original stdout).
 *
 * @param hold Diverts it there; returns the release.
 */
export function divertStdoutIn(hold: () => () => void): void {
  divertElsewhere = hold;
}

/**
 * Reserves stdout for the command's own output: anything else printed, by any isolate, native
 * code or child process, goes to stderr until released.
 *
 * @returns The reservation (`using` releases it).
 */
export function reserveProtocolStdout(): StdoutReservation {
  if (divertElsewhere === undefined) return reserveStdout({ divert: divertStdoutFd });
  const giveBack = divertElsewhere();
  const own = reserveStdout();
  const release = () => {
    own.release();
    giveBack();
  };
  return { release, [Symbol.dispose]: release };
}
