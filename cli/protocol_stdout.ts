/**
 * Stdout kept for a command's protocol (JSON lines, MCP on stdio): `console` redirected in every
 * isolate and, where the system allows, the process's stdout itself pointed at stderr.
 *
 * @module
 */

import { reserveStdout, type StdoutReservation } from "../core/processor/stdout_guard.ts";
import { divertStdoutFd } from "../ffi/stdio/_stdout_divert.ts";

/**
 * Reserves stdout for the command's own output: anything else printed, by any isolate, native
 * code or child process, goes to stderr until released.
 *
 * @returns The reservation (`using` releases it).
 */
export function reserveProtocolStdout(): StdoutReservation {
  return reserveStdout({ divert: divertStdoutFd });
}
