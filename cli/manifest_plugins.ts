/**
 * The `--load-plugins` gate: a manifest's `"plugins"` are modules whose code runs when they are
 * imported, so the command lines import them only when told to, never while validating by
 * default.
 *
 * @module
 */

import type { Runtime } from "../mod.ts";
import { loadManifestCode, manifestCode } from "./project_plugins.ts";
import { terminalSafe } from "../core/processor/terminal_text.ts";

/** The `parseArgs` option of the flag. */
export const LOAD_PLUGINS_FLAG = { "load-plugins": { type: "boolean", default: false } } as const;

/** The usage lines of the flag. */
export const LOAD_PLUGINS_USAGE =
  `  --load-plugins  load what the manifest's "plugins" and "pluginFolders" name (modules, native
                  libraries, plugin folders), which RUNS THEIR CODE with this process's
                  permissions; without it no plugin code of the manifest's is imported or run`;

/**
 * What a manifest names that runs code: its `plugins` entries (`native:<path>` for a native
 * library) and its `pluginFolders` (`folder:<path>`).
 *
 * @param manifest The parsed JSON.
 * @returns The entries, possibly none.
 */
export function declaredPlugins(manifest: unknown): string[] {
  return manifestCode(manifest);
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
 * Loads the manifest's plugins into `rt` (`loadManifestCode`): its modules, native libraries and
 * plugin folders, relative to the manifest file.
 *
 * @param rt The runtime.
 * @param manifest The parsed JSON.
 * @param path The manifest file.
 * @returns The module and library URLs loaded.
 * @throws {PluginLoadError} When an entry cannot be loaded.
 * @throws {PluginDiscoveryError} For a plugin folder that is missing, a duplicate plugin.
 * @throws {PluginMetadataError} For a bad `streamlib.plugin.json`.
 * @throws {PluginLoaderError} When a plugin of a folder cannot be loaded.
 */
export async function loadPluginsOf(
  rt: Runtime,
  manifest: unknown,
  path: string,
): Promise<string[]> {
  return (await loadManifestCode(rt, manifest, path)).urls;
}

/**
 * The machine code of an error from loading plugins (`PluginLoadError`, `PluginMetadataError`,
 * `PluginDiscoveryError`, `PluginLoaderError`, `DuplicateProcessorError`), for `--json` output.
 *
 * @param error What was thrown.
 * @returns Its `code`, or `undefined`.
 */
export function pluginErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" ? code : undefined;
}
