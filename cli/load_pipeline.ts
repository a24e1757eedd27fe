/**
 * Reading, validating and loading a manifest file into a runtime, for the commands that serve a
 * pipeline (`dashboard`, `mcp`).
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { loadManifest, loadManifestPlugins, type Runtime, validateManifest } from "../mod.ts";
import type { CliOutput } from "./cli_output.ts";
import { readManifestFile } from "./manifest_file.ts";

/**
 * Loads the manifest at `path` into `rt`, or says why not.
 *
 * @param rt The runtime (its registry decides which processors the manifest may use).
 * @param path The manifest file.
 * @param output Where to print problems.
 * @returns `undefined` when loaded; otherwise the exit code: 2 missing or unreadable file, 1 not
 * JSON or invalid (every issue printed).
 */
export async function loadPipelineFile(
  rt: Runtime,
  path: string,
  output: CliOutput,
): Promise<number | undefined> {
  const file = await readManifestFile(path);
  if (!file.ok) {
    output.err(file.message);
    return file.code;
  }
  try {
    await loadManifestPlugins(rt, file.manifest, pathToFileURL(resolve(path)));
  } catch (error) {
    output.err((error as Error).message);
    return 1;
  }
  const issues = validateManifest(file.manifest, rt.registry);
  if (issues.length > 0) {
    output.err(`${path}: ${issues.length} issue${issues.length === 1 ? "" : "s"}`);
    for (const issue of issues) output.err(`  ${issue.message}`);
    return 1;
  }
  try {
    loadManifest(rt, file.manifest);
  } catch (error) {
    output.err((error as Error).message);
    return 1;
  }
  return undefined;
}
