/**
 * Where a node runs: the main isolate or a named Worker.
 *
 * @module
 */

/**
 * How a Worker's thread waits for frames: `"event-loop"` (the default) returns to its event loop
 * and is woken through it; `"block"` blocks the thread (`Atomics.wait`) on the Worker's doorbell,
 * which every channel into or out of it and every command rings, for Workers whose processors
 * need no event loop of their own (`needsEventLoop: false`; see `docs/workers.md`).
 */
export type WorkerWait = "event-loop" | "block";

/** Every {@linkcode WorkerWait}, in the order messages list them. */
export const WORKER_WAITS: readonly WorkerWait[] = ["event-loop", "block"];

/**
 * The isolate a node runs in. `"main"` is the isolate that created the runtime; `{ worker }`
 * names a Worker, and every node with the same worker name shares it; `wait` says how that
 * Worker waits for frames (every node of one Worker must ask for the same). Connections between
 * nodes of one isolate are `LocalConnection`s; connections between isolates go through a
 * `CrossIsolateTransport`.
 */
export type Placement = "main" | { readonly worker: string; readonly wait?: WorkerWait };

/**
 * The name of the runtime's own isolate.
 */
export const MAIN_ISOLATE = "main";

/**
 * The isolate name of a placement: `"main"` or `"worker:<name>"`.
 *
 * @param placement The placement.
 * @returns The isolate name.
 *
 * @example Group nodes by isolate
 * ```ts
 * import assert from "node:assert/strict";
 * import { isolateOf } from "./placement.ts";
 *
 * assert.equal(isolateOf({ worker: "video" }), "worker:video");
 * ```
 */
export function isolateOf(placement: Placement): string {
  return placement === "main" ? MAIN_ISOLATE : `worker:${placement.worker}`;
}

/**
 * Checks that a JSON value is a placement.
 *
 * @param value The value (from `add()` options or a manifest).
 * @returns A phrase saying what is wrong, or `undefined` when it is a placement.
 *
 * @example Check manifest input
 * ```ts
 * import assert from "node:assert/strict";
 * import { placementProblem } from "./placement.ts";
 *
 * assert.match(placementProblem({ worker: "" }) ?? "", /^worker name must be a non-empty string/);
 * assert.match(placementProblem({ worker: "w".repeat(65) }) ?? "", /at most 64 .*\(65 characters\)/);
 * assert.equal(placementProblem("main"), undefined);
 * ```
 */
export function placementProblem(value: unknown): string | undefined {
  if (value === "main") return undefined;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const { worker, wait } = value as { worker?: unknown; wait?: unknown };
    const known = keys.every((key) => key === "worker" || key === "wait");
    if (known && "worker" in value) {
      if (typeof worker !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(worker)) {
        const given = typeof worker === "string" && worker.length > 64
          ? `${JSON.stringify(worker.slice(0, 64))}... (${worker.length} characters)`
          : JSON.stringify(worker)?.slice(0, 200);
        return `worker name must be a non-empty string of at most 64 letters, digits, '_' or ` +
          `'-', got ${given}`;
      }
      if ("wait" in value && !(WORKER_WAITS as readonly unknown[]).includes(wait)) {
        return `wait must be one of ${WORKER_WAITS.map((w) => `"${w}"`).join(", ")}, got ${
          JSON.stringify(wait)
        }`;
      }
      return undefined;
    }
  }
  return `expected "main" or { "worker": "<name>", "wait"?: "event-loop" | "block" }, got ${
    JSON.stringify(value)
  }`;
}

/**
 * How the isolate of a placement waits for frames: `"event-loop"` unless it is a Worker asked
 * to `"block"`.
 *
 * @param placement The placement.
 * @returns The wait.
 *
 * @example The main isolate never blocks
 * ```ts
 * import assert from "node:assert/strict";
 * import { waitOf } from "./placement.ts";
 *
 * assert.equal(waitOf("main"), "event-loop");
 * assert.equal(waitOf({ worker: "hop", wait: "block" }), "block");
 * ```
 */
export function waitOf(placement: Placement): WorkerWait {
  return placement === "main" ? "event-loop" : placement.wait ?? "event-loop";
}
