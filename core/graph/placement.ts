/**
 * Where a node runs: the main isolate or a named Worker.
 *
 * @module
 */

/**
 * The isolate a node runs in. `"main"` is the isolate that created the runtime; `{ worker }`
 * names a Worker, and every node with the same worker name shares it. Connections between nodes
 * of one isolate are `LocalConnection`s; connections between isolates go through a
 * `CrossIsolateTransport`.
 */
export type Placement = "main" | { readonly worker: string };

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
 * assert.equal(placementProblem("main"), undefined);
 * ```
 */
export function placementProblem(value: unknown): string | undefined {
  if (value === "main") return undefined;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const worker = (value as { worker?: unknown }).worker;
    if (keys.length === 1 && typeof worker === "string" && /^[A-Za-z0-9_-]+$/.test(worker)) {
      return undefined;
    }
    if (keys.length === 1 && "worker" in value) {
      return `worker name must be a non-empty string of letters, digits, '_' or '-', got ${
        JSON.stringify(worker)
      }`;
    }
  }
  return `expected "main" or { "worker": "<name>" }, got ${JSON.stringify(value)}`;
}
