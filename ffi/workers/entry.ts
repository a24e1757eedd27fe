/**
 * The module a {@linkcode WorkerHost} starts its Worker with (`node:worker_threads`): it attaches
 * the shared frame pool, runs a {@linkcode WorkerServer} and wires it to the parent port.
 * Imported anywhere else (outside a Worker started with `WorkerInit` data), it does nothing.
 *
 * @module
 */

import { type MessagePort, parentPort, threadId, workerData } from "node:worker_threads";
import { FramePool } from "../transport/frame_pool.ts";
import type { WorkerCommand, WorkerInit, WorkerReport } from "./protocol.ts";
import { WorkerServer } from "./server.ts";
import { reserveStdout } from "../../core/processor/stdout_guard.ts";

function serve(port: MessagePort, init: WorkerInit): void {
  // The main isolate speaks a protocol on stdout (`run --json`, MCP on stdio): print elsewhere.
  if (init.console === "stderr") reserveStdout();
  // Deno's node:worker_threads Workers have no `self`; processors written for the main isolate
  // (where `self === globalThis`) must not change with their placement.
  const global = globalThis as { self?: typeof globalThis };
  if (global.self === undefined) global.self = globalThis;

  const pool = FramePool.attach(init.pool);
  const post = (report: WorkerReport) => port.postMessage(report);
  const server = new WorkerServer({
    isolate: init.isolate,
    pool,
    holdings: init.holdings,
    registries: init.registries,
    frameMemory: init.frameMemory,
    wake: init.wake,
    post,
  });
  port.on("message", (command: WorkerCommand) => {
    server.handle(command);
    if (command.op === "close") void server.idle().then(() => globalThis.close());
  });
  setInterval(() => {
    if (server.active) post({ type: "snapshot", snapshot: server.snapshot() });
  }, init.statsIntervalMs);
  post({ type: "ready", threadId });
}

const init = workerData as WorkerInit | undefined;
if (parentPort !== null && typeof init?.isolate === "string") serve(parentPort, init);
