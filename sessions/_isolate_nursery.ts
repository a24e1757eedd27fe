/**
 * The nursery: a Worker that starts session isolates for the main isolate, so that starting one
 * (`new Worker()` blocks its caller until the new isolate exists, 50-80 ms on 2 slow cores)
 * blocks this thread and not the one serving every session. Each isolate gets the main isolate's
 * end of a `MessageChannel` as its port; this Worker only reports its errors and exit, and ends
 * it when asked. Internal (`_isolate.ts`).
 *
 * @module
 */

import { parentPort, Worker } from "node:worker_threads";
import type { NurseryCommand, NurseryReport } from "./_isolate.ts";

const port = parentPort!;
const isolates = new Map<number, Worker>();

function report(message: NurseryReport): void {
  port.postMessage(message);
}

port.on("message", (command: NurseryCommand) => {
  if (command.t === "terminate") {
    isolates.get(command.id)?.terminate();
    return;
  }
  const { id } = command;
  let worker: Worker;
  try {
    worker = new Worker(new URL("./_session_worker.ts", import.meta.url));
  } catch (error) {
    report({ t: "error", id, name: (error as Error).name, message: (error as Error).message });
    report({ t: "exit", id, code: 1 });
    return;
  }
  isolates.set(id, worker);
  worker.on("error", (error: Error) => {
    report({ t: "error", id, name: error.name, message: error.message });
  });
  worker.on("exit", (code: number) => {
    isolates.delete(id);
    report({ t: "exit", id, code });
  });
  // deno-lint-ignore no-explicit-any -- node's MessagePort is transferable
  worker.postMessage({ t: "port", port: command.port }, [command.port as any]);
});
