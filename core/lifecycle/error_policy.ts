/**
 * What the runtime does when a processor throws.
 *
 * @module
 */

/**
 * What happens when a node's `setup()` or `process()` throws (or rejects):
 *
 * - `stop-processor` (default): the node goes to state `error`; the rest of the graph runs on.
 * - `stop-runtime`: the node goes to state `error` and the runtime stops (draining the others).
 * - `restart`: the node is torn down and set up again, at most `maxRestarts` times per run;
 *   after that it behaves as `stop-processor`.
 */
export type ErrorPolicy = "stop-processor" | "stop-runtime" | "restart";

/**
 * The error policies.
 *
 * @example Offer the policies in a form
 * ```ts
 * import assert from "node:assert/strict";
 * import { ERROR_POLICIES } from "./error_policy.ts";
 *
 * assert.equal(ERROR_POLICIES.join(" | "), "stop-processor | stop-runtime | restart");
 * ```
 */
export const ERROR_POLICIES: readonly ErrorPolicy[] = ["stop-processor", "stop-runtime", "restart"];

/**
 * The default error policy.
 */
export const DEFAULT_ERROR_POLICY: ErrorPolicy = "stop-processor";

/**
 * The default restart limit of the `restart` policy, per run.
 */
export const DEFAULT_MAX_RESTARTS = 3;

/**
 * Checks an error policy and restart limit from options or a manifest.
 *
 * @param onError The policy.
 * @param maxRestarts The restart limit.
 * @returns A phrase saying what is wrong, or `undefined` when both are valid (or absent).
 *
 * @example Reject an unknown policy
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorPolicyProblem } from "./error_policy.ts";
 *
 * assert.equal(
 *   errorPolicyProblem("retry", undefined),
 *   "onError must be one of \"stop-processor\", \"stop-runtime\", \"restart\", got \"retry\"",
 * );
 * ```
 */
export function errorPolicyProblem(onError: unknown, maxRestarts: unknown): string | undefined {
  if (onError !== undefined && !ERROR_POLICIES.includes(onError as ErrorPolicy)) {
    const choices = ERROR_POLICIES.map((p) => `"${p}"`).join(", ");
    return `onError must be one of ${choices}, got ${JSON.stringify(onError)}`;
  }
  if (
    maxRestarts !== undefined &&
    (typeof maxRestarts !== "number" || !Number.isInteger(maxRestarts) || maxRestarts < 0)
  ) {
    return `maxRestarts must be an integer of at least 0, got ${JSON.stringify(maxRestarts)}`;
  }
  return undefined;
}

/**
 * What a host does about a node that failed: restart it while the `restart` policy has restarts
 * left this run, otherwise stop the runtime or just the processor. Every isolate host (the
 * runtime's own, Workers', native plugins') decides with this one function.
 *
 * @param policy The node's error policy.
 * @param restartsThisRun Restarts already made in this run.
 * @param maxRestarts The node's restart limit.
 * @returns The action, as reported in the `node-error` event.
 *
 * @example A third failure with two restarts allowed stops the processor
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorAction } from "./error_policy.ts";
 *
 * assert.equal(errorAction("restart", 1, 2), "restart");
 * assert.equal(errorAction("restart", 2, 2), "stop-processor");
 * ```
 */
export function errorAction(
  policy: ErrorPolicy,
  restartsThisRun: number,
  maxRestarts: number,
): ErrorPolicy {
  if (policy === "restart" && restartsThisRun < maxRestarts) return "restart";
  return policy === "stop-runtime" ? "stop-runtime" : "stop-processor";
}
