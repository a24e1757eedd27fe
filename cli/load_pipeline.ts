/**
 * Reading, validating and loading a manifest file into a runtime, for the commands that serve a
 * pipeline (`dashboard`, `mcp`).
 *
 * @module
 */

import { loadManifest, type Runtime, validateManifest } from "../mod.ts";
import type { CliOutput } from "./cli_output.ts";
import { readManifestFile } from "./_manifest_file.ts";
import { codeOf, errorLine } from "./_error_line.ts";
import {
  declaredPlugins,
  loadPluginsOf,
  pluginErrorCode,
  pluginsNeedFlagMessage,
} from "./manifest_plugins.ts";
import { issueLines } from "./manifest_report.ts";
import { explainUnknownProcessors } from "./_project_hint.ts";

/**
 * Loads the manifest at `path` into `rt`, or says why not. Its `plugins` are imported (their
 * code runs) only when `loadPlugins` is true; a manifest that names plugins is refused otherwise.
 *
 * @param rt The runtime (its registry decides which processors the manifest may use).
 * @param path The manifest file.
 * @param output Where to print problems.
 * @param loadPlugins Whether `--load-plugins` was given.
 * @param command The command's name, for the message about plugins.
 * @returns `undefined` when loaded; otherwise the exit code: 2 missing or unreadable file (or
 * plugins named without `--load-plugins`), 1 not JSON or invalid (issues listed, at most 50).
 */
export async function loadPipelineFile(
  rt: Runtime,
  path: string,
  output: CliOutput,
  loadPlugins = false,
  command = "this command",
): Promise<number | undefined> {
  const file = await readManifestFile(path);
  if (!file.ok) {
    output.err(errorLine(file.error.code, file.message));
    return file.code;
  }
  const plugins = declaredPlugins(file.manifest);
  if (plugins.length > 0 && !loadPlugins) {
    output.err(errorLine("plugins_not_allowed", pluginsNeedFlagMessage(path, plugins, command)));
    return 2;
  }
  try {
    await loadPluginsOf(rt, file.manifest, path);
  } catch (error) {
    output.err(errorLine(pluginErrorCode(error) ?? "plugin_load_failed", (error as Error).message));
    return 1;
  }
  const issues = explainUnknownProcessors(
    validateManifest(file.manifest, rt.registry),
    Deno.cwd(),
    path,
  );
  if (issues.length > 0) {
    for (const line of issueLines(path, issues)) output.err(line);
    return 1;
  }
  try {
    loadManifest(rt, file.manifest);
  } catch (error) {
    output.err(errorLine(codeOf(error, "invalid_manifest"), (error as Error).message));
    return 1;
  }
  return undefined;
}
