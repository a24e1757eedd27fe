/**
 * Where plugins are looked for: the folders a project lists in its `deno.json`
 * (`"streamlib": { "pluginFolders": [...] }`) and those a manifest lists (`"pluginFolders"`).
 * Nothing outside them is discovered.
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stripJsonComments } from "../../codegen/project_config.ts";
import { PluginMetadataError } from "./metadata.ts";

/**
 * The plugin folders a project's `deno.json` (or `deno.jsonc`) lists, absolute; none when it has
 * no `"streamlib": { "pluginFolders" }` or no config file.
 *
 * @param root The project folder.
 * @returns The folders.
 * @throws {PluginMetadataError} When `pluginFolders` is not an array of non-empty strings (code
 * `plugin_metadata_invalid`, naming the config file and the field).
 *
 * @example This repository lists none
 * ```ts
 * import assert from "node:assert/strict";
 * import { projectPluginFolders } from "@streamlib/streamlib/plugins";
 *
 * assert.deepEqual(projectPluginFolders("."), []);
 * ```
 */
export function projectPluginFolders(root: string): string[] {
  const abs = resolve(root);
  const file = ["deno.json", "deno.jsonc"].map((n) => join(abs, n)).find(existsSync);
  if (!file) return [];
  let json: { streamlib?: { pluginFolders?: unknown } };
  try {
    json = JSON.parse(stripJsonComments(readFileSync(file, "utf8")));
  } catch {
    return []; // Deno itself reports a broken config; codegen's reader names it too.
  }
  return folderList(json?.streamlib?.pluginFolders, file, "streamlib.pluginFolders", abs);
}

/**
 * The plugin folders a manifest lists (`"pluginFolders"`), absolute, relative to the manifest
 * file.
 *
 * @param manifest The parsed manifest.
 * @param path The manifest file.
 * @returns The folders, possibly none.
 * @throws {PluginMetadataError} When `pluginFolders` is not an array of non-empty strings.
 *
 * @example Folders relative to the manifest file
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestPluginFolders } from "@streamlib/streamlib/plugins";
 *
 * const manifest = { version: 1, pluginFolders: ["./plugins"], nodes: [] };
 * assert.deepEqual(manifestPluginFolders(manifest, "/srv/p/pipeline.json"), ["/srv/p/plugins"]);
 * ```
 */
export function manifestPluginFolders(manifest: unknown, path: string): string[] {
  const value = (manifest as { pluginFolders?: unknown } | null)?.pluginFolders;
  return folderList(value, path, "pluginFolders", dirname(resolve(path)));
}

function folderList(value: unknown, file: string, field: string, base: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((f) => typeof f !== "string" || f === "")) {
    throw new PluginMetadataError(
      file,
      field,
      `is ${JSON.stringify(value)?.slice(0, 60)}`,
      'an array of folder paths such as ["./plugins"]',
    );
  }
  return [...new Set((value as string[]).map((f) => resolve(base, f)))];
}
