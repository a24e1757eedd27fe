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
 *
 * @example Restart a flaky source at most twice
 * ```ts ignore
 * rt.add("FlakySource", {}, { onError: "restart", maxRestarts: 2 });
 * ```
 */
export type ErrorPolicy = "stop-processor" | "stop-runtime" | "restart";

/** The error policies. */
export const ERROR_POLICIES: readonly ErrorPolicy[] = ["stop-processor", "stop-runtime", "restart"];

/** The default error policy. */
export const DEFAULT_ERROR_POLICY: ErrorPolicy = "stop-processor";

/** The default restart limit of the `restart` policy, per run. */
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
 * import { errorPolicyProblem } from "@streamlib/streamlib";
 *
 * console.log(errorPolicyProblem("retry", undefined));
 * // onError must be one of "stop-processor", "stop-runtime", "restart", got "retry"
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
