/**
 * The command line: `deno task codegen [--check] [--watch]` and `deno task nodes list|info`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ProcessorNotFoundError } from "../core/registry/node_registry.ts";
import { formatDiagnostic } from "./diagnostic.ts";
import { generate, type GenerateResult } from "./generate.ts";
import { formatNodeInfo, formatNodeList, loadProjectRegistry } from "./nodes_command.ts";
import { CodegenConfigError } from "./project_config.ts";
import { watch } from "./watch.ts";

const USAGE = `Usage:
  deno task codegen [folder...] [--check] [--watch] [--root DIR] [--no-cache]
      Generate *.gen.ts and registry.gen.ts for the folders listed in deno.json
      ("streamlib": { "codegen": [...] }) or given as arguments.
      --check   write nothing; exit 1 and name the files that are out of date
      --watch   regenerate whenever a source changes
  deno task nodes list [--json]
      One line per processor: name, tags, description, inputs, outputs.
  deno task nodes info <Processor> [--json]
      Ports with types and descriptions, config fields with defaults, config JSON Schema.`;

/**
 * Where the command line writes.
 */
export interface CliOutput {
  /** Normal output. */
  readonly out: (text: string) => void;
  /** Errors and diagnostics. */
  readonly err: (text: string) => void;
}

const CONSOLE: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/**
 * Runs the command line.
 *
 * @param args The arguments (without the program name).
 * @param output Where to write.
 * @returns The exit code: 0 success, 1 diagnostics or stale files or not found, 2 usage error.
 *
 * @example Check that generated files are up to date
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@streamlib/streamlib/codegen";
 *
 * // A project with one processor (`@streamlib/streamlib` mapped to this package).
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/src`);
 * await Deno.writeTextFile(
 *   `${root}/deno.json`,
 *   JSON.stringify({ imports: { "@streamlib/streamlib": import.meta.resolve("@streamlib/streamlib") } }),
 * );
 * await Deno.writeTextFile(
 *   `${root}/src/silence.ts`,
 *   `import { type AudioFrame, output, type OutputPort, Processor, processor } from "@streamlib/streamlib";
 * import type { SilenceTypes } from "./silence.gen.ts";
 *
 * @processor({ description: "Writes nothing", mode: "loop" })
 * export class Silence extends Processor<SilenceTypes> {
 *   @output({ description: "No audio" })
 *   audio!: OutputPort<AudioFrame<2>>;
 *
 *   process(): void {}
 * }
 * `,
 * );
 * const lines: string[] = [];
 * const output = { out: (text: string) => lines.push(text), err: (text: string) => lines.push(text) };
 * assert.equal(await main(["--check", "--root", root, "src"], output), 1); // nothing generated yet
 * assert.deepEqual(lines.slice(1, 3), ["  src/registry.gen.ts (missing)", "  src/silence.gen.ts (missing)"]);
 * assert.equal(await main(["--root", root, "src"], output), 0); // generate
 * assert.equal(await main(["--check", "--root", root, "src"], output), 0);
 * assert.match(lines.at(-1)!, /^codegen --check: 2 generated files up to date, 1 processor in src/);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function main(args: readonly string[], output: CliOutput = CONSOLE): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        check: { type: "boolean", default: false },
        watch: { type: "boolean", default: false },
        root: { type: "string", default: "." },
        "no-cache": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output.out(USAGE);
    return 0;
  }
  try {
    if (positionals[0] === "nodes") return await nodes(positionals.slice(1), values, output);
    const options = {
      root: values.root,
      folders: positionals,
      cache: !values["no-cache"],
    };
    if (values.watch) {
      await watch({ ...options, onResult: (result) => report(result, false, output) });
      return 0;
    }
    return report(await generate({ ...options, check: values.check }), values.check, output);
  } catch (error) {
    if (error instanceof CodegenConfigError || error instanceof ProcessorNotFoundError) {
      output.err(`error: ${error.code}: ${error.message}`);
      // A folder that is not there is an argument (or a deno.json entry) to fix: as a file
      // that cannot be read, exit 2; the rest are problems the project has, exit 1.
      return error.code === "codegen_folder_not_found" ? 2 : 1;
    }
    throw error;
  }
}

async function nodes(
  args: string[],
  values: { root: string; json: boolean },
  output: CliOutput,
): Promise<number> {
  const registry = await loadProjectRegistry(values.root);
  const [command, name] = args;
  if (command === "list" || command === undefined) {
    const list = registry.list();
    output.out(values.json ? JSON.stringify(list, null, 2) : formatNodeList(list));
    return 0;
  }
  if (command === "info" && name) {
    const descriptor = registry.describe(name);
    output.out(values.json ? JSON.stringify(descriptor, null, 2) : formatNodeInfo(descriptor));
    return 0;
  }
  output.err(`Unknown nodes command '${args.join(" ")}'\n\n${USAGE}`);
  return 2;
}

function report(result: GenerateResult, check: boolean, output: CliOutput): number {
  const ms = `${Math.round(result.durationMs)} ms`;
  for (const diagnostic of result.diagnostics) output.err(formatDiagnostic(diagnostic));
  if (result.diagnostics.length > 0) {
    const n = result.diagnostics.length;
    output.err(`codegen: ${n} problem${n === 1 ? "" : "s"}; no files written (${ms})`);
    return 1;
  }
  const found = `${result.processors} processor${result.processors === 1 ? "" : "s"} in ${
    result.folders.join(", ")
  }`;
  if (check) {
    if (result.stale.length > 0) {
      output.err(`codegen --check: ${result.stale.length} generated file(s) out of date:`);
      for (const { path, reason } of result.stale) output.err(`  ${path} (${reason})`);
      output.err("run `deno task codegen` to update them");
      return 1;
    }
    output.out(`codegen --check: ${result.generated} generated files up to date, ${found} (${ms})`);
    return 0;
  }
  const changes = result.written.length + result.removed.length;
  const detail = [
    ...result.written.map((p) => `  wrote ${p}`),
    ...result.removed.map((p) => `  removed ${p}`),
  ];
  output.out(
    `codegen: ${found}; ${
      changes === 0 ? "everything up to date" : `${changes} file(s) changed`
    }, ${result.parsed} parsed (${ms})`,
  );
  if (detail.length > 0) output.out(detail.join("\n"));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
