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
import { type NodeRegistry, Runtime, validateManifest } from "../mod.ts";
import { reserveProtocolStdout } from "./protocol_stdout.ts";
import { checkManifestInputs } from "../core/manifest/input_check.ts";
import type { ManifestIssue } from "../core/manifest/issue.ts";
import { manifestWarnings } from "../core/manifest/validation.ts";
import { packageRegistry } from "../processors/mod.ts";
import { type CliOutput, CONSOLE, flushConsoleLog } from "./cli_output.ts";
import { readManifestFile } from "./_manifest_file.ts";
import {
  declaredPlugins,
  LOAD_PLUGINS_FLAG,
  LOAD_PLUGINS_USAGE,
  loadPluginsOf,
  pluginErrorCode,
} from "./manifest_plugins.ts";
import { issueLines, issuesForJson, plural } from "./manifest_report.ts";
import { argsErrorText, manifestArgumentError } from "./parse_command.ts";
import { errorLine, usageErrorText } from "./_error_line.ts";
import { terminalSafe } from "../core/processor/terminal_text.ts";
import { explainUnknownProcessors } from "./_project_hint.ts";

/**
 * The usage text of `validate`.
 *
 * @param program How the command is invoked (`deno task validate`, `streamlib validate`).
 * @returns The text.
 */
export function validateUsage(program = "deno task validate"): string {
  return `Usage: ${program} <pipeline.json> [--json] [--load-plugins]
  Checks a pipeline manifest against the processors and lists every problem; for a valid one, every
  warning (a required input nothing is connected to; warnings do not make it invalid). It runs no
  code of the manifest's: without --load-plugins, nodes whose type is not a known processor are
  listed as not checked (their processors may come from the plugins) instead of as problems.
Options:
  --json          print { path, valid, issues, issueCount, issuesNotListed, warnings, unchecked,
                  pluginsLoaded } (or { path, valid: false, error, code }) on stdout
${LOAD_PLUGINS_USAGE}
  -h, --help      this text
Exit codes: 0 valid, 1 invalid (or not JSON, too large, too deep), 2 usage error or missing or
unreadable file (a folder, device or FIFO is refused).`;
}

/** Options of {@linkcode main} for the `streamlib` command. */
export interface ValidateOptions {
  /**
   * The processors the manifest may use besides the package's (built-in ones and
   * `SubprocessProcessor`). Default: none.
   */
  readonly registry?: NodeRegistry;
  /** How the command is invoked, for the usage text. Default `deno task validate`. */
  readonly program?: string;
  /**
   * Processors the project's plugins provide, by name, to the plugin that lists them (read from
   * their metadata; validate does not load plugins): nodes of these types are listed as not
   * checked instead of as unknown. Default none.
   */
  readonly pluginProcessors?: ReadonlyMap<string, string>;
}

/**
 * The processors the plugins' metadata lists, by name, to their plugin's name.
 *
 * @param plugins From `discoverPlugins()`.
 * @returns The map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pluginProcessorNames } from "./validate.ts";
 *
 * const plugins = [{ metadata: { name: "flip", processors: ["Flip"] } }];
 * assert.equal(pluginProcessorNames(plugins).get("Flip"), "flip");
 * ```
 */
export function pluginProcessorNames(
  plugins: readonly {
    readonly metadata: { readonly name: string; readonly processors: readonly string[] };
  }[],
): Map<string, string> {
  return new Map(plugins.flatMap((p) => p.metadata.processors.map((n) => [n, p.metadata.name])));
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
  let loadPlugins: boolean;
  try {
    const parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        ...LOAD_PLUGINS_FLAG,
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (parsed.values.help) {
      output.out(usage);
      return 0;
    }
    positionals = parsed.positionals;
    json = parsed.values.json;
    loadPlugins = parsed.values["load-plugins"];
  } catch (error) {
    output.err(argsErrorText(error, ["json", "load-plugins"], usage));
    return 2;
  }
  if (positionals.length !== 1) {
    const error = manifestArgumentError(positionals);
    output.err(usageErrorText(error.code, error.message, usage));
    return 2;
  }
  const [path] = positionals;
  // With --json, stdout carries one JSON object: a plugin module that prints goes to stderr.
  using _stdout = json ? reserveProtocolStdout() : undefined;
  const file = await readManifestFile(path);
  if (!file.ok) {
    if (json) {
      output.out(
        JSON.stringify({ path, valid: false, error: file.message, code: file.error.code }),
      );
    }
    output.err(errorLine(file.error.code, file.message));
    return file.code;
  }
  const rt = new Runtime({ registry: packageRegistry.with(options.registry ?? []) });
  const plugins = declaredPlugins(file.manifest);
  if (loadPlugins) {
    try {
      await loadPluginsOf(rt, file.manifest, path);
    } catch (error) {
      const message = `${path}: ${(error as Error).message}`;
      const code = pluginErrorCode(error);
      if (json) output.out(JSON.stringify({ path, valid: false, error: message, code }));
      output.err(errorLine(code ?? "plugin_load_failed", message));
      return 1;
    }
  }
  let issues = validateManifest(file.manifest, rt.registry);
  // Without the plugins, an unknown type may be one of theirs: not checked rather than wrong.
  const fromProject = options.pluginProcessors ?? new Map<string, string>();
  const ofProjectPlugin = (issue: ManifestIssue) =>
    issue.code === "processor_not_found" && fromProject.has(issueType(issue.message));
  const projectUnchecked = issues.filter(ofProjectPlugin);
  issues = issues.filter((issue) => !ofProjectPlugin(issue));
  const unchecked: ManifestIssue[] = !loadPlugins && plugins.length > 0
    ? issues.filter((issue) => issue.code === "processor_not_found")
    : [];
  if (unchecked.length > 0) issues = issues.filter((issue) => issue.code !== "processor_not_found");
  issues = explainUnknownProcessors(issues, Deno.cwd(), path);
  unchecked.push(...projectUnchecked);
  // A valid manifest's sources open their files as setup() would (headers only), so a file
  // they cannot play fails here rather than in a run that would wait for it.
  if (issues.length === 0) issues = await checkManifestInputs(file.manifest, rt.registry);
  // Warnings only for a valid manifest: an invalid one's broken connections would show as
  // unconnected inputs.
  const warnings = issues.length === 0 ? manifestWarnings(file.manifest, rt.registry) : [];
  if (json) {
    output.out(JSON.stringify({
      path,
      valid: issues.length === 0,
      ...issuesForJson(issues),
      warnings: warnings.slice(0, 50),
      unchecked: unchecked.slice(0, 50).map((issue) => issue.path),
      pluginsLoaded: loadPlugins && plugins.length > 0,
    }));
  }
  const uncheckedLines = () => {
    if (projectUnchecked.length > 0) {
      const owners = [
        ...new Set(projectUnchecked.map((i) => fromProject.get(issueType(i.message)))),
      ];
      output.err(
        `  not checked: ${plural(projectUnchecked.length, "node")} of types from the project's ` +
          `plugins (${owners.join(", ")}), which validate reads the metadata of but does not load`,
      );
    }
    const manifestUnchecked = unchecked.length - projectUnchecked.length;
    if (manifestUnchecked === 0) return;
    output.err(
      `  not checked: ${plural(manifestUnchecked, "node")} of types that may come from the ` +
        `manifest's ${plural(plugins.length, "plugin")}, which validate does not import or run; ` +
        "pass --load-plugins to import them (this runs their code) and check these nodes too",
    );
    for (const issue of unchecked.filter((i) => !projectUnchecked.includes(i)).slice(0, 10)) {
      output.err(`    ${terminalSafe(issue.path)}: '${terminalSafe(issueType(issue.message))}'`);
    }
    if (manifestUnchecked > 10) output.err(`    ... and ${manifestUnchecked - 10} more`);
  };
  if (issues.length === 0) {
    if (!json) {
      output.out(
        `${terminalSafe(path)}: valid${
          warnings.length > 0 ? `, ${plural(warnings.length, "warning")}` : ""
        }${unchecked.length > 0 ? `, ${unchecked.length} not checked` : ""}`,
      );
    }
    for (const warning of warnings.slice(0, 50)) {
      output.err(`  warning: ${terminalSafe(`${warning.code}: ${warning.message}`)}`);
    }
    if (warnings.length > 50) {
      output.err(`  ... and ${plural(warnings.length - 50, "more warning")}`);
    }
    uncheckedLines();
    return 0;
  }
  for (const line of issueLines(path, issues)) output.err(line);
  uncheckedLines();
  return 1;
}

/** The processor name an `unknown-processor` message quotes. */
function issueType(message: string): string {
  return /unknown processor '([^']*)'/.exec(message)?.[1] ?? message;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  await flushConsoleLog(); // lines queued while stdout was reserved (--json)
  Deno.exit(code);
}
