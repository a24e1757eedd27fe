/**
 * The processors a project's commands see: the package's, the project's codegen folders' and
 * the plugins its `deno.json` lists (`"streamlib": { "pluginFolders": [...] }`), with where each
 * came from; and a manifest's own plugins (`"plugins"`, `{ "native": path }` entries and
 * `"pluginFolders"`), which are loaded only with `--load-plugins`.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { loadManifestPlugins, type NodeRegistry, type Runtime } from "../mod.ts";
import type { ProcessorOrigin } from "../core/registry/processor_origin.ts";
import { loadProjectRegistry } from "../codegen/nodes_command.ts";
import { type DiscoveredPlugin, discoverPlugins } from "../plugins/discovery/discover.ts";
import { definedAt, loadPlugins } from "../plugins/discovery/load_plugins.ts";
import { DuplicateProcessorError } from "../core/registry/node_registry.ts";
import { manifestPluginFolders, projectPluginFolders } from "../plugins/discovery/roots.ts";
import type { CliOutput } from "./cli_output.ts";
import { readManifestFile } from "./_manifest_file.ts";
import { terminalSafe } from "../core/processor/terminal_text.ts";
import { ProjectImportError } from "./_project_import_error.ts";

/** A project's processors, their origins and its plugins. */
export interface ProjectProcessors {
  /** The package's, the project's and (when loaded) its plugins' processors. */
  readonly registry: NodeRegistry;
  /** Where each processor came from, by name. */
  readonly origins: ReadonlyMap<string, ProcessorOrigin>;
  /** The plugins of the project's plugin folders (discovered; loaded when asked). */
  readonly plugins: readonly DiscoveredPlugin[];
}

/**
 * The processors of the project at `root`. Plugins of its `deno.json` plugin folders are found
 * and checked; their code runs only when `load` is true (`validate` passes false).
 *
 * @param root The project folder.
 * @param load Whether to load the plugins (run their code). Default true.
 * @returns The registry, the origins and the plugins.
 * @throws {PluginDiscoveryError} For a plugin folder that is missing, a duplicate plugin.
 * @throws {PluginMetadataError} For a bad `streamlib.plugin.json`.
 * @throws {PluginLoaderError} When a plugin cannot be loaded.
 * @throws {ProjectImportError} When the project's generated registries do not import.
 */
export async function projectProcessors(root: string, load = true): Promise<ProjectProcessors> {
  let project: NodeRegistry;
  try {
    project = await loadProjectRegistry(root);
  } catch (error) {
    throw new ProjectImportError(root, error);
  }
  const { registry: packaged } = await import("../processors/registry.gen.ts");
  const { registry: packagePlugins } = await import("../plugins/registry.gen.ts");
  const origins = new Map<string, ProcessorOrigin>();
  for (const name of project.names) {
    const builtin = packaged.has(name) || (packagePlugins as NodeRegistry).has(name);
    origins.set(name, { kind: builtin ? "builtin" : "project" });
  }
  const plugins = await discoverPlugins(projectPluginFolders(root), resolve(root));
  if (!load || plugins.length === 0) return { registry: project, origins, plugins };
  const loaded = await loadPlugins(plugins);
  let registry: NodeRegistry;
  try {
    registry = project.with(loaded.registry);
  } catch (error) {
    if (!(error instanceof DuplicateProcessorError)) throw error;
    const name = error.processor;
    throw new DuplicateProcessorError(name, [
      definedAt(project.describe(name).source, origins.get(name)),
      definedAt(loaded.registry.describe(name).source, loaded.origins.get(name)),
    ]);
  }
  for (const [name, origin] of loaded.origins) origins.set(name, origin);
  return { registry, origins, plugins };
}

/**
 * What a manifest names that runs code: its `plugins` entries (a `{ "native": path }` entry as
 * `native:<path>`) and its `pluginFolders` (as `folder:<path>`).
 *
 * @param manifest The parsed JSON.
 * @returns The entries, possibly none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestCode } from "./project_plugins.ts";
 *
 * const manifest = {
 *   plugins: ["./pkg/registry.gen.ts", { native: "./libfoo.so" }],
 *   pluginFolders: ["./plugins"],
 * };
 * assert.deepEqual(manifestCode(manifest), [
 *   "./pkg/registry.gen.ts", "native:./libfoo.so", "folder:./plugins",
 * ]);
 * ```
 */
export function manifestCode(manifest: unknown): string[] {
  const m = manifest as { plugins?: unknown; pluginFolders?: unknown } | null;
  const entries: string[] = [];
  for (const p of Array.isArray(m?.plugins) ? m.plugins : []) {
    const native = (p as { native?: unknown } | null)?.native;
    if (typeof p === "string" && p !== "") entries.push(p);
    else if (typeof native === "string" && native !== "") entries.push(`native:${native}`);
  }
  for (const f of Array.isArray(m?.pluginFolders) ? m.pluginFolders : []) {
    if (typeof f === "string" && f !== "") entries.push(`folder:${f}`);
  }
  return entries;
}

/**
 * Loads a manifest's plugins into `rt`: its `plugins` modules, its native libraries (with
 * `NativePlugin.load`) and every plugin in its `pluginFolders`. This runs their code.
 *
 * @param rt The runtime.
 * @param manifest The parsed JSON.
 * @param path The manifest file.
 * @returns The module and library URLs, and the plugins of its folders.
 * @throws {PluginLoadError} When a `plugins` entry cannot be loaded.
 * @throws {PluginDiscoveryError} For a plugin folder that is missing, a duplicate plugin.
 * @throws {PluginMetadataError} For a bad `streamlib.plugin.json`.
 * @throws {PluginLoaderError} When a plugin of a folder cannot be loaded.
 */
export async function loadManifestCode(
  rt: Runtime,
  manifest: unknown,
  path: string,
): Promise<{ urls: string[]; plugins: DiscoveredPlugin[] }> {
  const urls = await loadManifestPlugins(rt, manifest, pathToFileURL(resolve(path)), {
    native: async (library) => {
      const { NativePlugin } = await import("../ffi/plugins/native_plugin.ts");
      return NativePlugin.load(library);
    },
  });
  const plugins = await discoverPlugins(manifestPluginFolders(manifest, path));
  if (plugins.length > 0) rt.use((await loadPlugins(plugins)).registry);
  return { urls, plugins };
}

/**
 * {@linkcode projectProcessors} for a command: a plugin that cannot be found, checked or loaded,
 * or project processors that do not import, is printed (`error: <code>: <message>`) and the
 * command exits with 1.
 *
 * @param root The project folder.
 * @param output Where to print the problem.
 * @param load Whether to load the plugins (run their code). Default true.
 * @returns The processors, or the exit code 1.
 */
export async function projectProcessorsFor(
  root: string,
  output: CliOutput,
  load = true,
): Promise<ProjectProcessors | number> {
  try {
    return await projectProcessors(root, load);
  } catch (error) {
    const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
    const ours = typeof code === "string" &&
      (code.startsWith("plugin_") || code === "duplicate_processor");
    if (!ours) throw error;
    output.err(terminalSafe(`error: ${code}: ${(error as Error).message}`));
    return 1;
  }
}

/**
 * The files and folders a manifest's plugins load from, absolute: its `{ "native": path }`
 * libraries and its `pluginFolders` (for the scoped child's read permission). A manifest that
 * cannot be read or parsed gives none (the command reports it later).
 *
 * @param path The manifest file.
 * @returns The paths.
 */
export async function manifestPluginPaths(path: string): Promise<string[]> {
  const file = await readManifestFile(path);
  if (!file.ok) return [];
  const manifest = file.manifest;
  const base = resolve(path, "..");
  const natives = manifestCode(manifest).filter((e) => e.startsWith("native:"))
    .map((e) => resolve(base, e.slice("native:".length)));
  try {
    return [...natives, ...manifestPluginFolders(manifest, path)];
  } catch {
    return natives;
  }
}
