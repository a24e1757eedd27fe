/**
 * `streamlib serve` run in a Worker of its own, the main isolate starting the session isolates
 * ([decision 0075](../docs/decisions/0075-serve-runs-in-a-worker.md)).
 *
 * `new Worker()` blocks the thread that calls it until the new isolate exists (17-21 ms on this
 * machine's 2 cores). When that thread also serves the sessions, every session start and every
 * pool refill held every open session's frames that long. The serving code now runs in a Worker
 * ({@linkcode command}, `_serve_worker.ts`, which runs `commands/serve.ts` unchanged), and the
 * main isolate starts the session isolates for it (`sessions/_isolate.ts`,
 * `hostSessionIsolates`): a session isolate started by a Worker would run its first line about
 * 500 ms late in Deno 2.9 (decision 0064). The main isolate writes what the serving Worker prints
 * (through the command's `output`), forwards a stop (the command's `signal`, SIGINT, SIGTERM or
 * SIGHUP, stdout's reader going away), and returns its exit code.
 *
 * @module
 */

import type { CliCommand } from "./command.ts";
import type { CliOutput } from "./cli_output.ts";
import { hostSessionIsolates } from "../sessions/_isolate.ts";
import { reserveProtocolStdout } from "./protocol_stdout.ts";
import { onStdoutClosed, stopSignalNoted } from "./wait_for_stop.ts";

/** What the serving Worker sends the main isolate. */
export type FromServing =
  | { readonly t: "out" | "err" | "log"; readonly text: string }
  | { readonly t: "reserve-stdout" | "release-stdout" }
  | { readonly t: "done"; readonly code: number }
  | {
    readonly t: "threw";
    readonly name: string;
    readonly message: string;
    readonly stack?: string;
    readonly code?: string;
  };

/** What the main isolate sends the serving Worker. */
export type ToServing =
  | {
    readonly t: "run";
    readonly args: readonly string[];
    readonly isolates: MessagePort;
    readonly log: boolean;
  }
  | { readonly t: "stop" }
  | { readonly t: "stdout-closed" };

const WORKER_URL = new URL("./_serve_worker.ts", import.meta.url);

/** `streamlib serve`, its serving code in a Worker (`commands/serve.ts` runs there). */
export const command: CliCommand = {
  run: async (args, output, { signal }) => {
    const worker = new Worker(WORKER_URL, { type: "module" });
    const channel = new MessageChannel();
    const closeIsolates = hostSessionIsolates(channel.port1);
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    // `--json`: the serving Worker reserves stdout for the line this isolate writes; the process's
    // stdout is diverted here, where `output.out` writes to the original.
    const reserved: Disposable[] = [];
    worker.onmessage = (event: MessageEvent<FromServing>) => {
      const message = event.data;
      switch (message.t) {
        case "out":
        case "err":
          return output[message.t](message.text);
        case "log":
          return (output.log ?? output.err)(message.text);
        case "reserve-stdout":
          return void reserved.push(reserveProtocolStdout());
        case "release-stdout":
          return reserved.pop()?.[Symbol.dispose]();
        case "done":
          return resolve(message.code);
        case "threw":
          return reject(rebuilt(message));
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      reject(new Error(event.message || "the serving Worker ended on an error it did not catch"));
    };
    const stop = () => worker.postMessage({ t: "stop" } satisfies ToServing);
    // The serving Worker listens for these itself once its command module is loaded; listening
    // here from the start keeps a signal sent while it loads from killing the process. Only for
    // the first one: a second signal during the stop ends the process at once, as documented
    // (the Worker stops listening once it is stopping, too).
    const signals: Deno.Signal[] = Deno.build.os === "windows"
      ? ["SIGINT"]
      : ["SIGINT", "SIGTERM", "SIGHUP"];
    const unlisten = () => {
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
    };
    const onSignal = () => {
      unlisten();
      stop();
    };
    for (const s of signals) Deno.addSignalListener(s, onSignal);
    signal?.addEventListener("abort", stop);
    const offStdout = onStdoutClosed(() =>
      worker.postMessage({ t: "stdout-closed" } satisfies ToServing)
    );
    worker.postMessage(
      {
        t: "run",
        args,
        isolates: channel.port2,
        log: output.log !== undefined,
      } satisfies ToServing,
      [channel.port2],
    );
    if (signal?.aborted || stopSignalNoted()) stop();
    try {
      return await promise;
    } finally {
      unlisten();
      signal?.removeEventListener("abort", stop);
      offStdout();
      await closeIsolates();
      worker.terminate();
      for (const held of reserved.splice(0)) held[Symbol.dispose]();
    }
  },
};

/** The serving Worker's output, sent to the main isolate's. */
export function outputTo(post: (message: FromServing) => void, log: boolean): CliOutput {
  return {
    out: (text) => post({ t: "out", text }),
    err: (text) => post({ t: "err", text }),
    ...(log && { log: (text: string) => post({ t: "log", text }) }),
  };
}

/** An error the serving Worker threw, as the command would have thrown it in this isolate. */
function rebuilt(message: Extract<FromServing, { t: "threw" }>): Error {
  const error = new Error(message.message);
  error.name = message.name;
  if (message.stack !== undefined) error.stack = message.stack;
  if (message.code !== undefined) Object.assign(error, { code: message.code });
  return error;
}
