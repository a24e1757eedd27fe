/**
 * The `--load-plugins` gate: a manifest's `"plugins"` are modules whose code runs when they are
 * imported, so the command lines import them only when told to, never while validating by
 * default.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { loadManifestPlugins, type Runtime } from "../mod.ts";
import { terminalSafe } from "./terminal_text.ts";

/** The `parseArgs` option of the flag. */
export const LOAD_PLUGINS_FLAG = { "load-plugins": { type: "boolean", default: false } } as const;

/** The usage lines of the flag. */
export const LOAD_PLUGINS_USAGE =
  `  --load-plugins  import the modules the manifest's "plugins" names, which RUNS THEIR CODE with
                  this process's permissions; without it no plugin code is imported or run`;

/**
 * The entries of a manifest's `plugins` array (the strings among them).
 *
 * @param manifest The parsed JSON.
 * @returns The entries, possibly none.
 */
export function declaredPlugins(manifest: unknown): string[] {
  const plugins = (manifest as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(plugins)) return [];
  return plugins.filter((p): p is string => typeof p === "string" && p !== "");
}

/**
 * Why a manifest's plugins were not loaded, for a command that needs them (`run`, `dashboard`,
 * `mcp`): names the entries (at most 5) and the flag.
 *
 * @param path The manifest file.
 * @param plugins Its plugin entries.
 * @param command The command's name.
 * @returns The message.
 */
export function pluginsNeedFlagMessage(
  path: string,
  plugins: readonly string[],
  command: string,
): string {
  const names = plugins.slice(0, 5).map((p) => `'${terminalSafe(p, 200)}'`).join(", ");
  const more = plugins.length > 5 ? ` and ${plugins.length - 5} more` : "";
  return `${terminalSafe(path)}: the manifest names plugins (${names}${more}); ${command} ` +
    "imports and runs plugin code only with --load-plugins";
}

/**
 * Imports the manifest's plugins into `rt` (`loadManifestPlugins`), relative to the manifest
 * file.
 *
 * @param rt The runtime.
 * @param manifest The parsed JSON.
 * @param path The manifest file.
 * @returns The module URLs loaded.
 * @throws {PluginLoadError} When one cannot be loaded.
 */
export function loadPluginsOf(rt: Runtime, manifest: unknown, path: string): Promise<string[]> {
  return loadManifestPlugins(rt, manifest, pathToFileURL(resolve(path)));
}
