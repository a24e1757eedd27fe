/**
 * `deno task validate pipeline.json`: checks a manifest against the built-in processors.
 *
 * Exit codes: 0 valid, 1 invalid (every issue listed), 2 usage error or unreadable file.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { validateManifest } from "../mod.ts";
import { builtinRegistry } from "../processors/mod.ts";
import { type CliOutput, CONSOLE } from "./cli_output.ts";
import { readManifestFile } from "./manifest_file.ts";

const USAGE = `Usage: deno task validate <pipeline.json>
  Checks a pipeline manifest against the built-in processors and lists every problem.
  Exit codes: 0 valid, 1 invalid, 2 usage error or unreadable file.`;

/**
 * Runs the command line.
 *
 * @param args The arguments (without the program name).
 * @param output Where to write.
 * @returns The exit code.
 */
export async function main(args: readonly string[], output: CliOutput = CONSOLE): Promise<number> {
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { help: { type: "boolean", short: "h", default: false } },
    });
    if (parsed.values.help) {
      output.out(USAGE);
      return 0;
    }
    positionals = parsed.positionals;
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (positionals.length !== 1) {
    output.err(`Expected one manifest file, got ${positionals.length}\n\n${USAGE}`);
    return 2;
  }
  const [path] = positionals;
  const file = await readManifestFile(path);
  if (!file.ok) {
    output.err(file.message);
    return file.code;
  }
  const issues = validateManifest(file.manifest, builtinRegistry);
  if (issues.length === 0) {
    output.out(`${path}: valid`);
    return 0;
  }
  output.err(`${path}: ${issues.length} issue${issues.length === 1 ? "" : "s"}`);
  for (const issue of issues) output.err(`  ${issue.message}`);
  return 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
