/**
 * Parsing a subcommand's flags with `node:util`'s `parseArgs`, turning unknown flags and missing
 * values into a usage error (exit code 2) that names the flag and shows the usage.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { nearMatches } from "../core/errors/near_matches.ts";
import type { CliOutput } from "./cli_output.ts";
import { UsageError, type UsageErrorCode, usageErrorText } from "./_error_line.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags and positionals, or the exit code when parsing ended the command. */
export type Parsed<O extends Options> =
  | {
    readonly values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>["values"];
    readonly positionals: string[];
  }
  | { readonly exit: number };

/**
 * Parses `args` with `options` plus `-h`/`--help`. `--help` prints `usage` and ends with 0; an
 * unknown flag or a missing value prints the problem and `usage` on stderr and ends with 2.
 *
 * @param args The subcommand's arguments.
 * @param options Its flags.
 * @param usage Its usage text.
 * @param output Where to write.
 * @returns The flags and positionals, or `{ exit }`.
 */
export function parseCommand<O extends Options>(
  args: readonly string[],
  options: O,
  usage: string,
  output: CliOutput,
): Parsed<O> {
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(args, options),
      allowPositionals: true,
      options: { ...options, help: { type: "boolean", short: "h", default: false } },
    });
    if ((parsed.values as { help?: boolean }).help) {
      output.out(usage);
      return { exit: 0 };
    }
    return parsed as unknown as Parsed<O>;
  } catch (error) {
    output.err(argsErrorText(error, Object.keys(options), usage));
    return { exit: 2 };
  }
}

/**
 * `--flag -1` as `--flag=-1` for string flags, so a negative number reaches the flag's own
 * validation (and its message) instead of `parseArgs`'s "argument is ambiguous".
 *
 * @param args The arguments as given.
 * @param options The flags they are parsed with.
 * @returns The arguments, with negative values joined to their string flag.
 */
export function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : undefined;
    const next = args[i + 1];
    if (
      name !== undefined && options[name]?.type === "string" && next !== undefined &&
      /^-(\d|\.\d|Infinity)/.test(next)
    ) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else {
      joined.push(args[i]);
    }
  }
  return joined;
}

/**
 * The message of a `parseArgs` error, with near matches for an unknown option.
 *
 * @param error What `parseArgs` threw.
 * @param known The command's option names (without `--`).
 * @returns The message.
 *
 * @example An unknown option
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * import { argsProblem } from "./parse_command.ts";
 *
 * assert.throws(
 *   () => parseArgs({ args: ["--secnds", "3"], options: { seconds: { type: "string" } } }),
 *   (error) => {
 *     assert.equal(
 *       argsProblem(error, ["seconds"]),
 *       "Unknown option '--secnds': did you mean --seconds? options: --seconds, --help",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export function argsProblem(error: unknown, known: readonly string[]): string {
  const message = (error as Error).message;
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
  if (unknown === undefined) return message;
  const options = [...known, "help"].map((name) => `--${name}`);
  const near = nearMatches(unknown, options);
  const hint = near.length > 0 ? `did you mean ${near.join(" or ")}? ` : "";
  return `Unknown option '${unknown}': ${hint}options: ${options.join(", ")}`;
}

/**
 * The code of a `parseArgs` error (or of a {@linkcode UsageError} thrown while checking flags):
 * `unknown_flag`, `unexpected_argument` for a positional a command takes none of, and
 * `invalid_flag` for the rest (a flag without its value, a value out of range).
 *
 * @param error What was thrown.
 * @returns The code.
 *
 * @example A flag without its value
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * import { argsErrorCode } from "./parse_command.ts";
 *
 * assert.throws(
 *   () => parseArgs({ args: ["--seconds"], options: { seconds: { type: "string" } } }),
 *   (error) => argsErrorCode(error) === "invalid_flag",
 * );
 * ```
 */
export function argsErrorCode(error: unknown): UsageErrorCode {
  if (error instanceof UsageError) return error.code;
  switch ((error as { code?: unknown } | null)?.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return "unknown_flag";
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return "unexpected_argument";
    default:
      return "invalid_flag";
  }
}

/**
 * The text of a command line that did not parse: `error: <code>: <problem>`, then the usage.
 *
 * @param error What `parseArgs` (or a flag's check) threw.
 * @param known The command's option names (without `--`).
 * @param usage The command's usage text.
 * @returns The text.
 *
 * @example An unknown option
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * import { argsErrorText } from "./parse_command.ts";
 *
 * assert.throws(
 *   () => parseArgs({ args: ["--secnds", "3"], options: { seconds: { type: "string" } } }),
 *   (error) => {
 *     assert.equal(
 *       argsErrorText(error, ["seconds"], "Usage: x"),
 *       "error: unknown_flag: Unknown option '--secnds': did you mean --seconds? " +
 *         "options: --seconds, --help\n\nUsage: x",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export function argsErrorText(error: unknown, known: readonly string[], usage: string): string {
  return usageErrorText(argsErrorCode(error), argsProblem(error, known), usage);
}

/**
 * A number flag, or `undefined` when absent.
 *
 * @param name The flag's name, for the message.
 * @param value Its text.
 * @param valid Whether a number is acceptable.
 * @param expected What is acceptable, in words.
 * @returns The number.
 * @throws {UsageError} `invalid_flag` (a `RangeError`) when it is not a number or not
 * acceptable.
 */
export function numberFlag(
  name: string,
  value: string | undefined,
  valid: (n: number) => boolean,
  expected: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !valid(n)) {
    throw new UsageError("invalid_flag", `--${name} must be ${expected}, got '${value}'`);
  }
  return n;
}

/**
 * Longest `--seconds` accepted: 2147483 s (24 days, 20 h), the longest delay a timer can wait
 * (2^31 - 1 ms); a longer one would overflow and fire at once.
 */
export const MAX_SECONDS = 2147483;

/**
 * The `--seconds` flag: a number above 0 and at most {@linkcode MAX_SECONDS}, or `undefined`
 * when absent.
 *
 * @param value Its text.
 * @returns The seconds.
 * @throws {UsageError} When it is not a number in that range (`NaN`, `1e999`, `0`, `2147484`).
 *
 * @example The valid range
 * ```ts
 * import assert from "node:assert/strict";
 * import { secondsFlag } from "./parse_command.ts";
 *
 * assert.equal(secondsFlag("2.5"), 2.5);
 * assert.throws(() => secondsFlag("1e999"), /from above 0 to 2147483/);
 * assert.throws(() => secondsFlag("2147484"), /from above 0 to 2147483/);
 * ```
 */
export function secondsFlag(value: string | undefined): number | undefined {
  return numberFlag(
    "seconds",
    value,
    (n) => n > 0 && n <= MAX_SECONDS,
    `a number of seconds from above 0 to ${MAX_SECONDS} (24 days, 20 hours)`,
  );
}

/**
 * The error for a command given no manifest file, or more than one: `missing_argument` or
 * `unexpected_argument`, naming what to give.
 *
 * @param positionals The arguments that are not flags.
 * @param what What the one argument is. Default `manifest file`.
 * @returns The error to throw or report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestArgumentError } from "./parse_command.ts";
 *
 * assert.equal(manifestArgumentError([]).code, "missing_argument");
 * assert.equal(
 *   manifestArgumentError(["a.json", "b.json"]).message,
 *   "Expected one manifest file, got 2: a.json, b.json",
 * );
 * ```
 */
export function manifestArgumentError(
  positionals: readonly string[],
  what = "manifest file",
): UsageError {
  return positionals.length === 0
    ? new UsageError("missing_argument", `Expected one ${what}, got none`)
    : new UsageError(
      "unexpected_argument",
      `Expected one ${what}, got ${positionals.length}: ${positionals.join(", ")}`,
    );
}
