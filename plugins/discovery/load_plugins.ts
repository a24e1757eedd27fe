/**
 * Loading every discovered plugin into one registry, with where each processor came from, and
 * the plugins as the control API lists them (`GET /api/v1/plugins`).
 *
 * @module
 */

import { relative, resolve } from "node:path";
import { DuplicateProcessorError, NodeRegistry } from "../../core/registry/node_registry.ts";
import type { ProcessorOrigin } from "../../core/registry/processor_origin.ts";
import type { DiscoveredPlugin } from "./discover.ts";
import { loadPlugin, PLUGIN_LOADERS, type PluginLoader } from "./loaders.ts";
import type { PluginKind } from "./metadata.ts";

/** The plugins loaded: their joined registry and the origin of each processor, by name. */
export interface LoadedPlugins {
  /** Every plugin's processors (join it into a runtime with `rt.use(registry)`). */
  readonly registry: NodeRegistry;
  /** The plugin each processor came from, by processor name. */
  readonly origins: ReadonlyMap<string, ProcessorOrigin>;
  /** The plugins, in discovery order. */
  readonly plugins: readonly DiscoveredPlugin[];
}

/**
 * Loads every plugin (this runs their code) through the loader of its kind, in order.
 *
 * @param plugins From `discoverPlugins()`.
 * @param loaders The kind table. Default: `PLUGIN_LOADERS`.
 * @returns Their joined registry and the processors' origins.
 * @throws {PluginLoaderError} When one cannot be loaded.
 * @throws {DuplicateProcessorError} When two plugins register one processor name.
 *
 * @example Load a folder of plugins into a runtime
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 * import { discoverPlugins, loadPlugins } from "@streamlib/streamlib/plugins";
 *
 * const found = await discoverPlugins(["tests/fixtures/plugin_folders/good"]);
 * const { registry, origins } = await loadPlugins(found);
 * const rt = createRuntime().use(registry);
 * assert.ok(rt.registry.has("Polarity"));
 * assert.equal(origins.get("Polarity")?.plugin, "flip");
 * ```
 */
export async function loadPlugins(
  plugins: readonly DiscoveredPlugin[],
  loaders: Readonly<Partial<Record<string, PluginLoader>>> = PLUGIN_LOADERS,
): Promise<LoadedPlugins> {
  let registry = new NodeRegistry();
  const origins = new Map<string, ProcessorOrigin>();
  for (const plugin of plugins) {
    const own = await loadPlugin(plugin, loaders);
    try {
      registry = registry.with(own);
    } catch (error) {
      if (!(error instanceof DuplicateProcessorError)) throw error;
      const name = error.processor;
      throw new DuplicateProcessorError(name, [
        definedAt(registry.describe(name).source, origins.get(name)),
        definedAt(own.describe(name).source, pluginOrigin(plugin)),
      ]);
    }
    for (const name of own.names) origins.set(name, pluginOrigin(plugin));
  }
  return { registry, origins, plugins };
}

/**
 * Where a definition is, for an error a person reads: a plugin's source (relative to its folder)
 * as a path from the working directory with the plugin's name, a project's as it is.
 *
 * @param source The descriptor's `source`.
 * @param origin Where its processor came from.
 * @returns The text.
 *
 * @example A plugin's processor
 * ```ts
 * import assert from "node:assert/strict";
 * import { definedAt } from "./load_plugins.ts";
 *
 * const origin = { kind: "plugin", plugin: "trem", version: "1.0.0", pluginKind: "typescript", folder: `${Deno.cwd()}/plugins/trem` } as const;
 * assert.equal(definedAt("tremolo.ts", origin), "plugins/trem/tremolo.ts (plugin trem)");
 * assert.equal(definedAt("processors/tremolo.ts", { kind: "project" }), "processors/tremolo.ts (the project's)");
 * ```
 */
export function definedAt(source: string | undefined, origin: ProcessorOrigin | undefined): string {
  const file = source ?? "(no source)";
  if (origin?.kind === "plugin" && origin.folder !== undefined) {
    const path = relative(Deno.cwd(), resolve(origin.folder, file)) || file;
    return `${path} (plugin ${origin.plugin})`;
  }
  if (origin?.kind === "project") return `${file} (the project's)`;
  if (origin?.kind === "builtin") return `${file} (built in)`;
  return file;
}

/**
 * The origin of a plugin's processors.
 *
 * @param plugin The plugin.
 * @returns Its origin.
 *
 * @example The origin `streamlib nodes` shows
 * ```ts
 * import assert from "node:assert/strict";
 * import { originLabel } from "@streamlib/streamlib";
 * import { discoverPlugins, pluginOrigin } from "@streamlib/streamlib/plugins";
 *
 * const [flip] = await discoverPlugins(["tests/fixtures/plugin_folders/good"]);
 * assert.equal(originLabel(pluginOrigin(flip)), "plugin flip 1.2.0 (typescript)");
 * ```
 */
export function pluginOrigin(plugin: DiscoveredPlugin): ProcessorOrigin {
  const { name, version, kind } = plugin.metadata;
  return { kind: "plugin", plugin: name, version, pluginKind: kind, folder: plugin.folder };
}

/**
 * A plugin as `GET /api/v1/plugins` lists it: its metadata, its folder, its processors and,
 * when it ships a dashboard module, the URL the dashboard loads it from.
 */
export interface PluginInfo {
  /** The plugin's id. */
  readonly name: string;
  /** Its version. */
  readonly version: string;
  /** Its SPDX license. */
  readonly license: string;
  /** Its author. */
  readonly author: string;
  /** How it loads. */
  readonly kind: PluginKind;
  /** The plugin folder (absolute). */
  readonly folder: string;
  /** The processors it provides. */
  readonly processors: readonly string[];
  /** The oldest streamlib it runs on. */
  readonly minRuntime: string;
  /** Native plugins: the plugin ABI version. */
  readonly abi?: number;
  /** Its dashboard module: the path in the folder, the processors, and the URL it is served at. */
  readonly ui?: {
    readonly module: string;
    readonly processors: readonly string[];
    readonly url: string;
  };
}

/**
 * The URL the dashboard serves a plugin's UI module at:
 * `/api/v1/plugins/<name>/ui/<module path>`.
 *
 * @param plugin The plugin's name.
 * @param module The module's path in the plugin folder.
 * @returns The URL path.
 *
 * @example A module in a subfolder
 * ```ts
 * import assert from "node:assert/strict";
 * import { pluginUiUrl } from "@streamlib/streamlib/plugins";
 *
 * assert.equal(pluginUiUrl("spectrum", "ui/panel.js"), "/api/v1/plugins/spectrum/ui/ui/panel.js");
 * ```
 */
export function pluginUiUrl(plugin: string, module: string): string {
  const path = module.split("/").filter((p) => p !== "" && p !== ".").map(encodeURIComponent);
  return `/api/v1/plugins/${encodeURIComponent(plugin)}/ui/${path.join("/")}`;
}

/**
 * A discovered plugin as the control API lists it (JSON).
 *
 * @param plugin The plugin.
 * @returns Its info.
 *
 * @example What the control API lists for the fixture plugin
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverPlugins, pluginInfo } from "@streamlib/streamlib/plugins";
 *
 * const [flip] = await discoverPlugins(["tests/fixtures/plugin_folders/good/flip"]);
 * const info = pluginInfo(flip);
 * assert.deepEqual(info.processors, ["Polarity"]);
 * assert.equal(info.ui?.url, "/api/v1/plugins/flip/ui/ui/panel.js");
 * ```
 */
export function pluginInfo(plugin: DiscoveredPlugin): PluginInfo {
  const m = plugin.metadata;
  return {
    name: m.name,
    version: m.version,
    license: m.license,
    author: m.author,
    kind: m.kind,
    folder: plugin.folder,
    processors: [...m.processors],
    minRuntime: m.minRuntime,
    ...(m.abi !== undefined ? { abi: m.abi } : {}),
    ...(m.ui
      ? {
        ui: {
          module: m.ui.module,
          processors: [...m.ui.processors],
          url: pluginUiUrl(m.name, m.ui.module),
        },
      }
      : {}),
  };
}
