/**
 * `deno task validate pipeline.json [--json]` (also `streamlib validate`): checks a manifest
 * against the built-in processors (and a project's own, when given).
 *
 * Exit codes: 0 valid (warnings, such as a required input left unconnected, are listed on stderr
 * and do not change it), 1 invalid (every issue listed; a file that is not JSON too), 2 usage
 * error or missing or unreadable file.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import {
  loadManifestPlugins,
  manifestWarnings,
  type NodeRegistry,
  Runtime,
  validateManifest,
} from "../mod.ts";
import { builtinRegistry } from "../processors/mod.ts";
import { type CliOutput, CONSOLE } from "./cli_output.ts";
import { readManifestFile } from "./manifest_file.ts";
import { argsProblem } from "./parse_command.ts";

/**
 * The usage text of `validate`.
 *
 * @param program How the command is invoked (`deno task validate`, `streamlib validate`).
 * @returns The text.
 */
export function validateUsage(program = "deno task validate"): string {
  return `Usage: ${program} <pipeline.json> [--json]
  Checks a pipeline manifest against the processors and lists every problem; for a valid one, every
  warning (a required input nothing is connected to; warnings do not make it invalid).
Options:
  --json        print { path, valid, issues, warnings } (or { path, valid: false, error }) on stdout
  -h, --help    this text
Exit codes: 0 valid, 1 invalid (or not JSON), 2 usage error or missing or unreadable file.`;
}

/** Options of {@linkcode main} for the `streamlib` command. */
export interface ValidateOptions {
  /** The processors the manifest may use. Default: the built-in ones. */
  readonly registry?: NodeRegistry;
  /** How the command is invoked, for the usage text. Default `deno task validate`. */
  readonly program?: string;
}

/**
 * Runs the command line.
 *
 * @param args The arguments (without the program name).
 * @param output Where to write.
 * @param options Processors and program name.
 * @returns The exit code.
 */
export async function main(
  args: readonly string[],
  output: CliOutput = CONSOLE,
  options: ValidateOptions = {},
): Promise<number> {
  const usage = validateUsage(options.program);
  let positionals: string[];
  let json: boolean;
  try {
    const parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (parsed.values.help) {
      output.out(usage);
      return 0;
    }
    positionals = parsed.positionals;
    json = parsed.values.json;
  } catch (error) {
    output.err(`${argsProblem(error, ["json"])}\n\n${usage}`);
    return 2;
  }
  if (positionals.length !== 1) {
    output.err(`Expected one manifest file, got ${positionals.length}\n\n${usage}`);
    return 2;
  }
  const [path] = positionals;
  const file = await readManifestFile(path);
  if (!file.ok) {
    if (json) output.out(JSON.stringify({ path, valid: false, error: file.message }));
    output.err(file.message);
    return file.code;
  }
  const rt = new Runtime({ registry: options.registry ?? builtinRegistry });
  try {
    await loadManifestPlugins(rt, file.manifest, pathToFileURL(resolve(path)));
  } catch (error) {
    const message = `${path}: ${(error as Error).message}`;
    if (json) output.out(JSON.stringify({ path, valid: false, error: message }));
    output.err(message);
    return 1;
  }
  const issues = validateManifest(file.manifest, rt.registry);
  // Warnings only for a valid manifest: an invalid one's broken connections would show as
  // unconnected inputs.
  const warnings = issues.length === 0 ? manifestWarnings(file.manifest, rt.registry) : [];
  if (json) output.out(JSON.stringify({ path, valid: issues.length === 0, issues, warnings }));
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (issues.length === 0) {
    if (!json) {
      output.out(
        `${path}: valid${warnings.length > 0 ? `, ${plural(warnings.length, "warning")}` : ""}`,
      );
    }
    for (const warning of warnings) output.err(`  warning: ${warning.message}`);
    return 0;
  }
  output.err(`${path}: ${plural(issues.length, "issue")}`);
  for (const issue of issues) output.err(`  ${issue.message}`);
  return 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
