/**
 * The shape of one `streamlib` subcommand.
 *
 * @module
 */

import type { CliOutput } from "./cli_output.ts";

/**
 * Options every subcommand gets from `streamlib`.
 *
 * @example Stop a running pipeline from the program that started it
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CommandOptions, main } from "@streamlib/streamlib/cli";
 *
 * const controller = new AbortController();
 * const options: CommandOptions = { signal: controller.signal };
 * const quiet = { out: () => {}, err: () => {} };
 * const done = main(["run", "tests/fixtures/manifests/tone_sink.json"], quiet, options);
 * setTimeout(() => controller.abort(), 100);
 * assert.equal(await done, 0);
 * ```
 */
export interface CommandOptions {
  /** Stops a long-running command (besides SIGINT/SIGTERM), for tests. */
  readonly signal?: AbortSignal;
  /**
   * Whether `run`, `dashboard` and `mcp` run themselves again in a child process with scoped
   * Deno permissions (`cli/scoped_child.ts`). Set by the `streamlib` program itself, never
   * when `main()` is called in process.
   */
  readonly scopePermissions?: boolean;
}

/** One subcommand: `run`, `validate`, `nodes`, `dashboard`, `mcp`, `codegen`. */
export interface CliCommand {
  /** Runs it with its own arguments; returns the exit code (0, 1 or 2). */
  readonly run: (
    args: readonly string[],
    output: CliOutput,
    options: CommandOptions,
  ) => Promise<number>;
}
