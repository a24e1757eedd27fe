/**
 * Loading a discovered plugin: one table from a plugin's `kind` to its loader. Adding a kind is
 * one row in {@linkcode PLUGIN_LOADERS}.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { NodeRegistry } from "../../core/registry/node_registry.ts";
import type { NodeDefinition } from "../../core/registry/node_definition.ts";
import type { DiscoveredPlugin } from "./discover.ts";

/** Loads one plugin's processors (this runs its code). */
export type PluginLoader = (plugin: DiscoveredPlugin) => Promise<NodeRegistry>;

/** Why a plugin could not be loaded. */
export type PluginLoadCode =
  | "plugin_kind_unsupported"
  | "plugin_entry_invalid"
  | "plugin_load_failed"
  | "plugin_processors_mismatch";

/**
 * Thrown when a discovered plugin cannot be loaded: no loader for its kind, no library for this
 * platform, its code failed to load, or it registered other processors than its metadata lists.
 *
 * @example A kind without a loader
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, loadPlugin, PluginLoaderError } from "@streamlib/streamlib/plugins";
 *
 * const [plugin] = await discoverPlugins(["tests/fixtures/plugin_folders/good/flip"]);
 * await assert.rejects(
 *   loadPlugin(plugin, {}),
 *   (error) => error instanceof PluginLoaderError && error.code === "plugin_kind_unsupported",
 * );
 * ```
 */
export class PluginLoaderError extends Error {
  /** Stable machine code. */
  readonly code: PluginLoadCode;
  /** The plugin's name. */
  readonly plugin: string;
  /** The plugin folder. */
  readonly folder: string;
  /** Valid alternatives (the kinds with a loader), when the kind is at fault. */
  readonly available: readonly string[] | undefined;
  /** The plugin, its folder and the alternatives. */
  get details(): { plugin: string; folder: string; available: string[] | null } {
    return {
      plugin: this.plugin,
      folder: this.folder,
      available: this.available ? [...this.available] : null,
    };
  }

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param plugin The plugin.
   * @param reason What went wrong.
   * @param options The underlying error and the alternatives.
   */
  constructor(
    code: PluginLoadCode,
    plugin: DiscoveredPlugin,
    reason: string,
    options: { cause?: unknown; available?: readonly string[] } = {},
  ) {
    super(`Cannot load plugin '${plugin.metadata.name}' (${plugin.folder}): ${reason}`, {
      cause: options.cause,
    });
    this.name = "PluginLoaderError";
    this.code = code;
    this.plugin = plugin.metadata.name;
    this.folder = plugin.folder;
    this.available = options.available;
  }
}

/**
 * A TypeScript plugin: `entry` is a module whose `registry` export (a generated
 * `registry.gen.ts`) holds its definitions.
 *
 * @param plugin The plugin.
 * @returns Its registry.
 * @throws {PluginLoaderError} When the module cannot be imported or exports no registry.
 *
 * @example Load a discovered TypeScript plugin without the metadata check
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, loadTypeScriptPlugin } from "@streamlib/streamlib/plugins";
 *
 * const [flip] = await discoverPlugins(["tests/fixtures/plugin_folders/good/flip"]);
 * assert.deepEqual((await loadTypeScriptPlugin(flip)).names, ["Polarity"]);
 * ```
 */
export async function loadTypeScriptPlugin(plugin: DiscoveredPlugin): Promise<NodeRegistry> {
  const url = pathToFileURL(entryOf(plugin)).href;
  let module: Record<string, unknown>;
  try {
    module = await import(url);
  } catch (error) {
    throw new PluginLoaderError(
      "plugin_load_failed",
      plugin,
      `importing ${url} threw: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const registry = module.registry as Iterable<NodeDefinition> | undefined;
  if (typeof registry?.[Symbol.iterator] !== "function") {
    throw new PluginLoaderError(
      "plugin_load_failed",
      plugin,
      `${url} has no \`registry\` export (run \`deno task codegen\` on the plugin folder)`,
    );
  }
  return registry instanceof NodeRegistry ? registry : new NodeRegistry(registry);
}

/**
 * A native plugin: `entry` (for this platform) is a shared library built with the
 * `streamlib_plugin` SDK, loaded with `NativePlugin.load` (which checks its plugin ABI).
 *
 * @param plugin The plugin.
 * @returns Its registry.
 * @throws {PluginLoaderError} When it has no library for this platform or it cannot be loaded
 * (the cause is the `NativePluginError` or `PluginAbiMismatchError`).
 *
 * @example A native plugin folder holding the example plugin
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, loadNativePlugin } from "@streamlib/streamlib/plugins";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.copyFile("crates/target/release/libstreamlib_example_plugin.so", `${dir}/libexample.so`);
 * await Deno.writeTextFile(`${dir}/streamlib.plugin.json`, JSON.stringify({
 *   name: "example", version: "0.1.0", license: "MIT", author: "streamlib", kind: "native",
 *   entry: { linux: "libexample.so" }, processors: ["NativeGain", "NativeInvert", "NativeTone"],
 *   minRuntime: "0.1.0", abi: 2,
 * }));
 * const [plugin] = await discoverPlugins([dir]);
 * assert.deepEqual((await loadNativePlugin(plugin)).names, ["NativeGain", "NativeInvert", "NativeTone"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadNativePlugin(plugin: DiscoveredPlugin): Promise<NodeRegistry> {
  const path = entryOf(plugin);
  // Imported here so that discovery and TypeScript plugins never load the native library.
  const { NativePlugin } = await import("../../ffi/plugins/native_plugin.ts");
  let native;
  try {
    native = NativePlugin.load(path);
  } catch (error) {
    throw new PluginLoaderError("plugin_load_failed", plugin, (error as Error).message, {
      cause: error,
    });
  }
  return new NodeRegistry(native.definitions);
}

/**
 * Loads a `python` plugin: its package described in a child process (`loadPythonPlugin`), each
 * processor then run in a process of its own.
 *
 * @param plugin The plugin, from `discoverPlugins()`.
 * @returns Its registry.
 * @throws {PluginLoaderError} `plugin_load_failed` when describing the package fails.
 */
async function loadPythonPackage(plugin: DiscoveredPlugin): Promise<NodeRegistry> {
  const { metadata } = plugin;
  if (typeof metadata.entry !== "string") {
    throw new PluginLoaderError(
      "plugin_entry_invalid",
      plugin,
      "a python plugin's entry is one module or package path, not a map by platform",
    );
  }
  // Imported here so that discovery of other kinds never loads the Python bridge.
  const { loadPythonPlugin } = await import("../python/load_python_plugin.ts");
  try {
    return await loadPythonPlugin(plugin.folder, { ...metadata, entry: metadata.entry });
  } catch (error) {
    throw new PluginLoaderError("plugin_load_failed", plugin, (error as Error).message, {
      cause: error,
    });
  }
}

/**
 * The loader of each plugin kind. A kind's loader is one row here; a kind with none is refused
 * with `plugin_kind_unsupported`.
 */
export const PLUGIN_LOADERS: Readonly<Partial<Record<string, PluginLoader>>> = {
  typescript: loadTypeScriptPlugin,
  native: loadNativePlugin,
  python: loadPythonPackage,
};

/**
 * Loads one plugin through the loader of its kind and checks it registered exactly the
 * processors its metadata lists.
 *
 * @param plugin The plugin, from `discoverPlugins()`.
 * @param loaders The table. Default {@linkcode PLUGIN_LOADERS}.
 * @returns Its registry.
 * @throws {PluginLoaderError} When its kind has no loader, it fails to load, or it registers
 * other processors than `processors` lists.
 *
 * @example Load a TypeScript plugin
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, loadPlugin } from "@streamlib/streamlib/plugins";
 *
 * const [plugin] = await discoverPlugins(["tests/fixtures/plugin_folders/good/flip"]);
 * const registry = await loadPlugin(plugin);
 * assert.deepEqual(registry.names, ["Polarity"]);
 * ```
 */
export async function loadPlugin(
  plugin: DiscoveredPlugin,
  loaders: Readonly<Partial<Record<string, PluginLoader>>> = PLUGIN_LOADERS,
): Promise<NodeRegistry> {
  const kind = plugin.metadata.kind;
  const loader = Object.hasOwn(loaders, kind) ? loaders[kind] : undefined;
  if (!loader) {
    const available = Object.keys(loaders);
    throw new PluginLoaderError(
      "plugin_kind_unsupported",
      plugin,
      `no loader for kind '${kind}' in this streamlib, available kinds: ${available.join(", ")}`,
      { available },
    );
  }
  const registry = await loader(plugin);
  const declared = [...plugin.metadata.processors].sort();
  const registered = registry.names;
  const missing = declared.filter((n) => !registered.includes(n));
  const extra = registered.filter((n) => !declared.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new PluginLoaderError(
      "plugin_processors_mismatch",
      plugin,
      `its streamlib.plugin.json lists processors ${declared.join(", ")} but it registers ` +
        `${registered.join(", ") || "none"}` +
        (missing.length > 0 ? `; missing: ${missing.join(", ")}` : "") +
        (extra.length > 0 ? `; not listed: ${extra.join(", ")}` : ""),
      { available: registered },
    );
  }
  return registry;
}

function entryOf(plugin: DiscoveredPlugin): string {
  if (plugin.entryPath === undefined) {
    throw new PluginLoaderError(
      "plugin_entry_invalid",
      plugin,
      `its entry has no library for this platform (${Deno.build.os}-${Deno.build.arch}); ` +
        `it has: ${Object.keys(plugin.metadata.entry).join(", ")}`,
    );
  }
  return plugin.entryPath;
}
