/**
 * Finding plugins: every folder with a `streamlib.plugin.json` directly in a plugin root (or the
 * root itself, when it has one) is a plugin. Discovery reads metadata only; it imports and loads
 * nothing, so `validate` can use it.
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import denoJson from "../../deno.json" with { type: "json" };
import { PLUGIN_METADATA_FILE, type PluginMetadata, readPluginMetadata } from "./metadata.ts";

/**
 * A plugin found in a plugin root: its metadata, its folder, and the files it loads.
 *
 * @example Find the fixture plugins
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, type DiscoveredPlugin } from "@streamlib/streamlib/plugins";
 *
 * const found: DiscoveredPlugin[] = await discoverPlugins(["tests/fixtures/plugin_folders/good"]);
 * assert.ok(found.some((p) => p.metadata.name === "flip"));
 * ```
 */
export interface DiscoveredPlugin {
  /** The metadata file, validated. */
  readonly metadata: PluginMetadata;
  /** The plugin folder (absolute, symlinks resolved). */
  readonly folder: string;
  /** The plugin root it was found in (absolute). */
  readonly root: string;
  /**
   * The file `entry` names for this platform (absolute, inside `folder`), or `undefined` when a
   * native plugin has no library for this platform (loading it says so).
   */
  readonly entryPath: string | undefined;
}

/** Why discovery failed: a root that is not a folder, a duplicate plugin, a too new one. */
export type PluginDiscoveryCode =
  | "plugin_folder_not_found"
  | "plugin_duplicate"
  | "plugin_runtime_too_old"
  | "plugin_entry_invalid";

/**
 * Thrown by {@linkcode discoverPlugins}: a plugin root that is not a folder, two plugins of one
 * name, a plugin that needs a newer streamlib, or an entry that is missing or leaves its folder.
 *
 * @example Two plugins of one name
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, PluginDiscoveryError } from "@streamlib/streamlib/plugins";
 *
 * await assert.rejects(
 *   discoverPlugins(["tests/fixtures/plugin_folders/good", "tests/fixtures/plugin_folders/duplicate"]),
 *   (error) => error instanceof PluginDiscoveryError && error.code === "plugin_duplicate",
 * );
 * ```
 */
export class PluginDiscoveryError extends Error {
  /** Stable machine code. */
  readonly code: PluginDiscoveryCode;
  /** The folders or files involved. */
  readonly paths: readonly string[];
  /** The plugin's name, when one is involved. */
  readonly plugin: string | undefined;
  /** The paths and plugin. */
  get details(): { paths: string[]; plugin: string | null } {
    return { paths: [...this.paths], plugin: this.plugin ?? null };
  }

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message The message.
   * @param paths The folders or files involved.
   * @param plugin The plugin's name.
   */
  constructor(
    code: PluginDiscoveryCode,
    message: string,
    paths: readonly string[],
    plugin?: string,
  ) {
    super(message);
    this.name = "PluginDiscoveryError";
    this.code = code;
    this.paths = paths;
    this.plugin = plugin;
  }
}

/** The running streamlib's version, which `minRuntime` is compared with. */
export const RUNTIME_VERSION: string = denoJson.version;

/**
 * Finds every plugin in `roots`, in root order then folder name order, and checks each one's
 * metadata, entry and `minRuntime`. Runs no plugin code.
 *
 * @param roots Plugin roots (folders), relative to `base`.
 * @param base Where relative roots resolve from. Default: the working directory.
 * @returns The plugins.
 * @throws {PluginDiscoveryError} For a root that is not a folder, two plugins of one name, an
 * entry that is missing or outside its folder, or a plugin needing a newer streamlib.
 * @throws {PluginMetadataError} For a missing field or a bad one.
 *
 * @example A root that does not exist
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins } from "@streamlib/streamlib/plugins";
 *
 * await assert.rejects(discoverPlugins(["no/such/folder"]), { code: "plugin_folder_not_found" });
 * ```
 */
export async function discoverPlugins(
  roots: readonly string[],
  base: string = Deno.cwd(),
): Promise<DiscoveredPlugin[]> {
  const found: DiscoveredPlugin[] = [];
  const byName = new Map<string, string>();
  for (const given of roots) {
    const root = await realFolder(resolve(base, given), given);
    for (const folder of await pluginFolders(root)) {
      const metadata = await readPluginMetadata(folder);
      const earlier = byName.get(metadata.name);
      if (earlier !== undefined) {
        throw new PluginDiscoveryError(
          "plugin_duplicate",
          `Cannot load plugin '${metadata.name}' twice: found in ${earlier} and ${folder}, ` +
            "rename one or remove it from the plugin folders",
          [earlier, folder],
          metadata.name,
        );
      }
      byName.set(metadata.name, folder);
      if (compareVersions(metadata.minRuntime, RUNTIME_VERSION) > 0) {
        throw new PluginDiscoveryError(
          "plugin_runtime_too_old",
          `Cannot load plugin '${metadata.name}' (${folder}): it needs streamlib ` +
            `${metadata.minRuntime} or newer, this is ${RUNTIME_VERSION}`,
          [folder],
          metadata.name,
        );
      }
      const entryPath = await checkedEntry(folder, metadata);
      found.push({ metadata, folder, root, entryPath });
    }
  }
  return found;
}

/**
 * The entry of a plugin for this platform: `entry` itself, or for a map the key
 * `<os>-<arch>` (`linux-x86_64`), else `<os>`.
 *
 * @param metadata The plugin's metadata.
 * @param build The platform. Default: `Deno.build`.
 * @returns The relative path, or `undefined` when the map has none for this platform.
 *
 * @example OS and architecture first, then OS alone
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformEntry } from "./discover.ts";
 *
 * const entry = { "linux-x86_64": "lib/x.so", darwin: "lib/x.dylib" };
 * const metadata = { entry } as Parameters<typeof platformEntry>[0];
 * assert.equal(platformEntry(metadata, { os: "darwin", arch: "aarch64" }), "lib/x.dylib");
 * assert.equal(platformEntry(metadata, { os: "windows", arch: "x86_64" }), undefined);
 * ```
 */
export function platformEntry(
  metadata: Pick<PluginMetadata, "entry">,
  build: { readonly os: string; readonly arch: string } = Deno.build,
): string | undefined {
  const entry = metadata.entry;
  if (typeof entry === "string") return entry;
  return entry[`${build.os}-${build.arch}`] ?? entry[build.os];
}

/** Compares two `major.minor.patch` versions (pre-release suffixes are ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[-+]/)[0].split(".").map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

async function realFolder(path: string, given: string): Promise<string> {
  try {
    const real = await Deno.realPath(path);
    if ((await Deno.stat(real)).isDirectory) return real;
  } catch {
    // Reported below.
  }
  throw new PluginDiscoveryError(
    "plugin_folder_not_found",
    `Cannot find plugin folder '${given}' (${path}): it is not a folder; plugin folders are ` +
      'listed in deno.json\'s "streamlib": { "pluginFolders": [...] } or a manifest\'s ' +
      '"pluginFolders"',
    [path],
  );
}

/** The root itself when it holds metadata, else its subfolders that do, by name. */
async function pluginFolders(root: string): Promise<string[]> {
  if (await isFile(join(root, PLUGIN_METADATA_FILE))) return [root];
  const folders: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || entry.name.startsWith(".")) continue;
    const folder = join(root, entry.name);
    if (await isFile(join(folder, PLUGIN_METADATA_FILE))) folders.push(folder);
  }
  return folders.sort();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Resolves the entry (and the UI module) and checks each is a file inside the folder once
 * symlinks are resolved: nothing outside the listed folders is loaded.
 */
async function checkedEntry(folder: string, metadata: PluginMetadata): Promise<string | undefined> {
  const file = join(folder, PLUGIN_METADATA_FILE);
  const inside = async (path: string, field: string, folderOk: boolean) => {
    let real: string;
    try {
      real = await Deno.realPath(join(folder, path));
    } catch {
      throw new PluginDiscoveryError(
        "plugin_entry_invalid",
        `Cannot load plugin '${metadata.name}': ${file} field '${field}' names '${path}', ` +
          `which does not exist in ${folder}`,
        [file],
        metadata.name,
      );
    }
    const rel = relative(folder, real);
    const info = await Deno.stat(real);
    if (rel.startsWith("..") || rel.startsWith("/") || (!info.isFile && !folderOk)) {
      throw new PluginDiscoveryError(
        "plugin_entry_invalid",
        `Cannot load plugin '${metadata.name}': ${file} field '${field}' names '${path}', which ` +
          `is ${info.isFile || info.isDirectory ? `outside ${folder}` : "not a regular file"}`,
        [file],
        metadata.name,
      );
    }
    return real;
  };
  if (metadata.ui) await inside(metadata.ui.module, "ui.module", false);
  const entry = platformEntry(metadata);
  // A Python entry may be a package (a folder).
  return entry === undefined ? undefined : await inside(entry, "entry", metadata.kind === "python");
}
