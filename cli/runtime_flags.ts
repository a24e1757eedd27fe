/**
 * The flags `run`, `dashboard` and `mcp` share for the runtime's memory limits: `--memory-budget`
 * (admission control's budget) and `--max-frame` (the largest single frame), both in MiB.
 *
 * @module
 */

import type { RuntimeOptions } from "../mod.ts";
import { UsageError } from "./_error_line.ts";

/** The `parseArgs` options of the runtime flags. */
export const RUNTIME_FLAGS = {
  "memory-budget": { type: "string" },
  "max-frame": { type: "string" },
} as const;

/** The usage lines of the runtime flags. */
export const RUNTIME_USAGE =
  `  --memory-budget M    MiB of frames the graph's nodes may pin (default 512): a node, config or
                       connection that would go over it is refused (memory_budget_exceeded)
  --max-frame M        MiB one frame may hold (default 64; 8K RGBA needs 127)`;

/** The parsed values of the runtime flags. */
export interface RuntimeFlagValues {
  readonly "memory-budget"?: string;
  readonly "max-frame"?: string;
}

/** Largest value of either flag: 1 TiB in MiB. */
const MAX_MIB = 1024 * 1024;

/**
 * The runtime options the flags ask for.
 *
 * @param values The parsed flags.
 * @returns `memoryBudgetBytes` and `maxFrameBytes`, each only when its flag was given.
 * @throws {UsageError} `invalid_flag` (a `RangeError`) when a value is not a number of MiB above 0 (at most 1 TiB); the message
 *   names the flag.
 *
 * @example Raise the budget to 2 GiB
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeOptionsFromFlags } from "./runtime_flags.ts";
 *
 * assert.deepEqual(runtimeOptionsFromFlags({ "memory-budget": "2048" }), {
 *   memoryBudgetBytes: 2048 * 1024 * 1024,
 * });
 * assert.throws(() => runtimeOptionsFromFlags({ "max-frame": "0" }), /--max-frame/);
 * ```
 */
export function runtimeOptionsFromFlags(
  values: RuntimeFlagValues,
): Pick<RuntimeOptions, "memoryBudgetBytes" | "maxFrameBytes"> {
  const options: { memoryBudgetBytes?: number; maxFrameBytes?: number } = {};
  const budget = mibFlag("memory-budget", values["memory-budget"]);
  if (budget !== undefined) options.memoryBudgetBytes = budget;
  const frame = mibFlag("max-frame", values["max-frame"]);
  if (frame !== undefined) options.maxFrameBytes = frame;
  return options;
}

function mibFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mib = value.trim() === "" ? NaN : Number(value);
  if (!(mib > 0 && mib <= MAX_MIB)) {
    throw new UsageError(
      "invalid_flag",
      `--${name} must be a number of MiB above 0 and at most ${MAX_MIB}, got '${value}'`,
    );
  }
  return Math.max(1, Math.round(mib * 1024 * 1024));
}
