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
 *
 * @example Place a node on a Worker
 * ```ts
 * import { type Placement } from "@streamlib/streamlib";
 * import { isolateOf } from "./placement.ts";
 *
 * const placement: Placement = { worker: "analysis" };
 * console.log(isolateOf(placement), isolateOf("main")); // worker:analysis main
 * ```
 */
export type Placement = "main" | { readonly worker: string };

/**
 * The name of the runtime's own isolate.
 *
 * @example List the nodes of the runtime's own isolate
 * ```ts
 * import { Runtime } from "@streamlib/streamlib";
 * import { MAIN_ISOLATE } from "./placement.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("Gain", {}, { id: "gain" });
 * console.log(MAIN_ISOLATE, rt.describe().isolates[MAIN_ISOLATE]); // main [ "gain" ]
 * ```
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
 * import { isolateOf } from "./placement.ts";
 *
 * console.log(isolateOf({ worker: "video" })); // worker:video
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
 * import { placementProblem } from "./placement.ts";
 *
 * console.log(placementProblem({ worker: "" })); // worker name must be a non-empty string...
 * console.log(placementProblem("main")); // undefined
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
