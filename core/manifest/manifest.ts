/**
 * Pipeline manifests: a graph as JSON, loaded into and saved from a runtime.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import {
  DEFAULT_ERROR_POLICY,
  DEFAULT_MAX_RESTARTS,
  type ErrorPolicy,
} from "../lifecycle/error_policy.ts";
import type { JsonValue } from "../schema/json_schema.ts";
import type { ManifestIssue } from "./issue.ts";
import { excerpt } from "./limits.ts";
import type { NodeDefinition } from "../registry/node_definition.ts";
import { validateManifest } from "./validation.ts";
import type { Placement } from "../graph/placement.ts";
import type { NodeHandle } from "../ports/port_ref.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";
import type { Runtime } from "../runtime.ts";
import { splitPortEnd } from "../ports/port_end.ts";
import { appPortOf, type ManifestAppPort } from "./app_ports.ts";
import {
  applyParameters,
  changeParameters,
  type ManifestParameter,
  type ParameterValues,
} from "./parameters.ts";

/**
 * A node of a {@linkcode Manifest}.
 *
 * @example A node that restarts when it throws
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateManifest } from "@streamlib/streamlib";
 * import { type ManifestNode } from "./manifest.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const node: ManifestNode = {
 *   id: "gain_1",
 *   type: "Gain",
 *   config: { gain: 0.5 },
 *   onError: "restart",
 *   maxRestarts: 2,
 * };
 * assert.deepEqual(validateManifest({ version: 1, nodes: [node] }, builtinRegistry), []);
 * ```
 */
export interface ManifestNode {
  /** The node's id, unique in the manifest (`tone_1`). */
  readonly id: string;
  /** The processor name (`TestToneGenerator`). */
  readonly type: string;
  /** Plain JSON config; missing fields take their defaults. */
  readonly config?: JsonValue;
  /** Where the node runs. Default `"main"`. */
  readonly placement?: Placement;
  /** What happens when the processor throws. Default `"stop-processor"`. */
  readonly onError?: ErrorPolicy;
  /** Restarts per run under `onError: "restart"`. Default 3. */
  readonly maxRestarts?: number;
}

/**
 * A connection of a {@linkcode Manifest}.
 */
export interface ManifestConnection {
  /** The output, `"node.port"`. */
  readonly from: string;
  /** The input, `"node.port"`. */
  readonly to: string;
  /** Frames the buffer holds. Default: by frame type. */
  readonly capacity?: number;
  /** What a write into a full buffer does. Default: by frame type. */
  readonly policy?: DeliveryPolicy;
}

/**
 * A pipeline as JSON: what `deno task run` and `deno task validate` read.
 *
 * @example A tone into a sink
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Manifest } from "@streamlib/streamlib";
 *
 * const manifest: Manifest = {
 *   version: 1,
 *   nodes: [
 *     { id: "tone_1", type: "TestToneGenerator", config: { frequency: 440 } },
 *     { id: "sink_1", type: "NullSink" },
 *   ],
 *   connections: [{ from: "tone_1.audio", to: "sink_1.in", capacity: 8, policy: "fifo" }],
 * };
 * assert.equal(manifest.nodes.length, 2);
 * ```
 */
export interface Manifest {
  /** The format version: 1. */
  readonly version: 1;
  /**
   * Processor packages to use before the nodes are added: module paths (relative to the manifest
   * file) or URLs whose `registry` export (a generated `registry.gen.ts`) is joined into the
   * runtime's registry by {@linkcode loadManifestPlugins}, or `{ "native": path }` for a native
   * plugin library (relative to the manifest file), loaded by the loader the caller injects.
   * Default none.
   */
  readonly plugins?: readonly ManifestPlugin[];
  /**
   * Plugin folders (relative to the manifest file): every plugin folder in them (one with a
   * `streamlib.plugin.json`) is discovered and loaded by the front-end before the nodes are
   * added (`streamlib run --load-plugins`). Default none.
   */
  readonly pluginFolders?: readonly string[];
  /** The nodes. */
  readonly nodes: readonly ManifestNode[];
  /** The connections. Default none. */
  readonly connections?: readonly ManifestConnection[];
  /**
   * The graph's application inputs, by name: the input port each feeds (`{ "audio": "fx.in" }`),
   * or `{ port, capacity?, policy? }`; `rt.input(name)` sends into it. Default none.
   */
  readonly inputs?: Readonly<Record<string, ManifestAppPort>>;
  /**
   * The graph's application outputs, by name: the output port each reads
   * (`{ "audio": "fx.out" }`), or `{ port, capacity?, policy? }`; `rt.output(name)` iterates it.
   * Default none.
   */
  readonly outputs?: Readonly<Record<string, ManifestAppPort>>;
  /**
   * The config fields a caller may choose when it runs the manifest, by name: `"node.field"`
   * (`{ "gain": "fx.gain" }`), or `{ target, description? }`. A session's client and
   * `streamlib run --param` set them; no other field can be set from outside. Default none.
   */
  readonly parameters?: Readonly<Record<string, ManifestParameter>>;
  /**
   * Editor metadata (the dashboard's node positions); checked by `validateManifest()`, never read
   * by the runtime. Default none.
   */
  readonly ui?: {
    /** Where each node is drawn (its top-left corner), by node id. */
    readonly positions?: Readonly<Record<string, { readonly x: number; readonly y: number }>>;
  };
}

/** A manifest's `plugins` entry: a module path or URL, or `{ "native": path }`. */
export type ManifestPlugin = string | { readonly native: string };

/**
 * Thrown by {@linkcode loadManifest} when a manifest is invalid; `issues` lists every problem.
 *
 * @example Read every issue
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManifestError } from "@streamlib/streamlib";
 *
 * const error = new ManifestError([
 *   { path: "nodes[0].type", code: "processor_not_found", message: "nodes[0].type: unknown processor 'Tone'" },
 * ]);
 * assert.equal(error.code, "invalid_manifest");
 * assert.deepEqual(error.issues.map((issue) => issue.message), [
 *   "nodes[0].type: unknown processor 'Tone'",
 * ]);
 * ```
 */
export class ManifestError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "invalid_manifest";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { issues: this.issues.map((i) => ({ ...i }) as unknown as JsonValue) };
  }
  /** Every problem found, in manifest order. */
  readonly issues: readonly ManifestIssue[];

  /**
   * Creates the error; the message names the first issue and counts the others.
   *
   * @param issues The problems, at least one.
   */
  constructor(issues: readonly ManifestIssue[]) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(`Cannot load the manifest: ${issues[0].message}${more}`);
    this.name = "ManifestError";
    this.issues = issues;
  }
}

/**
 * Thrown by {@linkcode loadManifestPlugins} when a plugin module cannot be imported or has no
 * registry.
 *
 * @example A plugin that is not there
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadManifestPlugins, Runtime } from "@streamlib/streamlib";
 * import { PluginLoadError } from "./manifest.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const manifest = { version: 1, plugins: ["./plugins/missing.ts"], nodes: [] };
 *   await assert.rejects(
 *     loadManifestPlugins(new Runtime(), manifest, new URL(`file://${dir}/pipeline.json`)),
 *     (error) => error instanceof PluginLoadError && error.plugin === "./plugins/missing.ts",
 *   );
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class PluginLoadError extends Error {
  /** The entry as written in the manifest. */
  readonly plugin: string;
  /** The module URL it resolved to. */
  readonly url: string;
  /**
   * Why: `plugin_not_regular_file` (a local entry that is missing, a folder, a device or a FIFO:
   * checked before importing, so nothing blocks), `plugin_import_failed` (the import threw) or
   * `plugin_no_registry` (the module exports no `registry`) or `plugin_native_unsupported` (a
   * `{ "native": path }` entry and no native loader was given).
   */
  readonly code:
    | "plugin_not_regular_file"
    | "plugin_import_failed"
    | "plugin_no_registry"
    | "plugin_native_unsupported";
  /** The entry and the module URL it resolved to. */
  get details(): ErrorDetails {
    return { plugin: this.plugin, url: this.url };
  }

  /**
   * Creates the error.
   *
   * @param plugin The manifest entry.
   * @param url The resolved module URL.
   * @param reason What went wrong.
   * @param cause The underlying error, if any.
   * @param code Why. Default `plugin_import_failed`.
   */
  constructor(
    plugin: string,
    url: string,
    reason: string,
    cause?: unknown,
    code: PluginLoadError["code"] = "plugin_import_failed",
  ) {
    super(`Cannot load plugin '${excerpt(plugin)}' (${excerpt(url)}): ${reason}`, { cause });
    this.name = "PluginLoadError";
    this.plugin = plugin;
    this.url = url;
    this.code = code;
  }
}

/**
 * Options of {@linkcode loadManifestPlugins}.
 *
 * @example Load native entries with the FFI's loader
 * ```ts ignore
 * import { NativePlugin } from "@streamlib/streamlib/ffi";
 * import type { ManifestPluginOptions } from "./manifest.ts";
 *
 * const options: ManifestPluginOptions = { native: (path) => NativePlugin.load(path) };
 * ```
 */
export interface ManifestPluginOptions {
  /**
   * Loads a `{ "native": path }` entry's library (an absolute file path): `NativePlugin.load`
   * of `@streamlib/streamlib/ffi`. The core does not load native code itself; without this a
   * native entry is refused with `plugin_native_unsupported`.
   */
  readonly native?: (path: string) => Iterable<NodeDefinition> | Promise<Iterable<NodeDefinition>>;
}

/**
 * Imports every module of a manifest's `plugins` array and joins its `registry` export into the
 * runtime's registry (`rt.use()`), so `validateManifest()` and {@linkcode loadManifest} know its
 * processors; a `{ "native": path }` entry goes through `options.native`. Call it before those.
 * A manifest without `plugins` is left alone.
 *
 * @param rt The runtime.
 * @param manifest The parsed JSON.
 * @param base Where relative entries resolve from: the manifest file's URL (a `file:` URL).
 * @param options The native loader.
 * @returns The resolved module (or library) URLs, in manifest order.
 * @throws {PluginLoadError} When a module cannot be imported or exports no `registry`.
 * @throws {DuplicateProcessorError} When a plugin redefines a processor name already registered.
 *
 * @example A manifest without plugins
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadManifestPlugins, Runtime } from "@streamlib/streamlib";
 *
 * const rt = new Runtime();
 * assert.deepEqual(await loadManifestPlugins(rt, { version: 1, nodes: [] }, import.meta.url), []);
 * ```
 */
export async function loadManifestPlugins(
  rt: Runtime,
  manifest: unknown,
  base: string | URL,
  options: ManifestPluginOptions = {},
): Promise<string[]> {
  const plugins = (manifest as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(plugins)) return [];
  const urls: string[] = [];
  for (const plugin of plugins) {
    const native = (plugin as { native?: unknown } | null)?.native;
    if (typeof native === "string" && native !== "") {
      urls.push(await loadNativeEntry(rt, native, base, options));
      continue;
    }
    if (typeof plugin !== "string" || plugin === "") continue; // validateManifest reports it
    const url = new URL(plugin, base).href;
    if (url.startsWith("file:")) await checkPluginFile(plugin, url);
    let module: Record<string, unknown>;
    try {
      module = await import(url);
    } catch (error) {
      throw new PluginLoadError(plugin, url, (error as Error).message, error);
    }
    const registry = module.registry as Iterable<NodeDefinition> | undefined;
    if (typeof registry?.[Symbol.iterator] !== "function") {
      throw new PluginLoadError(
        plugin,
        url,
        "the module has no `registry` export (run `deno task codegen` on the package)",
        undefined,
        "plugin_no_registry",
      );
    }
    rt.use(registry);
    urls.push(url);
  }
  return urls;
}

/** Loads a `{ "native": path }` entry through the injected loader and joins it into `rt`. */
async function loadNativeEntry(
  rt: Runtime,
  native: string,
  base: string | URL,
  options: ManifestPluginOptions,
): Promise<string> {
  const url = new URL(native, base).href;
  const entry = `{ native: ${native} }`;
  if (!url.startsWith("file:")) {
    throw new PluginLoadError(
      entry,
      url,
      "a native plugin is a local library file, not a URL",
      undefined,
      "plugin_not_regular_file",
    );
  }
  if (!options.native) {
    throw new PluginLoadError(
      entry,
      url,
      "this front-end loads no native plugins (pass a native loader, NativePlugin.load of " +
        "@streamlib/streamlib/ffi, to loadManifestPlugins)",
      undefined,
      "plugin_native_unsupported",
    );
  }
  await checkPluginFile(entry, url);
  let definitions: Iterable<NodeDefinition>;
  try {
    definitions = await options.native(decodeURIComponent(new URL(url).pathname));
  } catch (error) {
    throw new PluginLoadError(entry, url, (error as Error).message, error);
  }
  rt.use(definitions);
  return url;
}

/**
 * Refuses a local plugin entry that is not a regular file before importing it: importing a FIFO
 * would wait forever, a device file would be read without end.
 */
async function checkPluginFile(plugin: string, url: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await Deno.stat(new URL(url))).isFile;
  } catch (error) {
    throw new PluginLoadError(
      plugin,
      url,
      `no such module file (${(error as Error).name})`,
      error,
      "plugin_not_regular_file",
    );
  }
  if (!isFile) {
    throw new PluginLoadError(
      plugin,
      url,
      "not a regular file (a plugin is a module file, not a folder, device or FIFO)",
      undefined,
      "plugin_not_regular_file",
    );
  }
}

/**
 * Validates a manifest against the runtime's registry and, when it is valid, adds its nodes and
 * connections. Either everything is added or nothing is.
 *
 * @param rt The runtime (any state; nodes added while running start right away).
 * @param manifest The parsed JSON.
 * @param options The caller's values of the manifest's `parameters`.
 * @returns The handles of the new nodes, by id.
 * @throws {ManifestError} When the manifest is invalid or an id is already in the runtime.
 * @throws {ParameterError} When a parameter value is not declared (`unknown_parameter`) or its
 * field refuses it (`invalid_parameter`).
 * @throws {PlacementUnavailableError} When a node asks for a Worker the runtime has no host for.
 *
 * @example Load a manifest
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadManifest, Runtime } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * const nodes = loadManifest(rt, {
 *   version: 1,
 *   nodes: [{ id: "tone", type: "TestToneGenerator" }, { id: "sink", type: "NullSink" }],
 *   connections: [{ from: "tone.audio", to: "sink.in" }],
 * });
 * assert.equal(nodes.tone.outputs.audio.portType, "AudioFrame<2>");
 * ```
 */
export function loadManifest(
  rt: Runtime,
  manifest: unknown,
  options: LoadManifestOptions = {},
): Record<string, NodeHandle> {
  const issues = validateManifest(manifest, rt.registry);
  const existing = new Set(rt.describe().nodes.map((n) => n.id));
  if (issues.length === 0) {
    (manifest as Manifest).nodes.forEach((node, i) => {
      if (!existing.has(node.id)) return;
      issues.push({
        path: `nodes[${i}].id`,
        code: "node_id_taken",
        message: `nodes[${i}].id: the runtime already has a node '${node.id}'`,
        node: node.id,
      });
    });
  }
  if (issues.length > 0) throw new ManifestError(issues);
  const m = applyParameters(manifest as Manifest, options.parameters, rt.registry);
  const handles: Record<string, NodeHandle> = {};
  const connections: string[] = [];
  try {
    for (const node of m.nodes) {
      handles[node.id] = rt.add(node.type, node.config, {
        id: node.id,
        placement: node.placement,
        onError: node.onError,
        maxRestarts: node.maxRestarts,
      });
    }
    for (const c of m.connections ?? []) {
      const { node: fromNode, port: fromPort } = splitPortEnd(c.from);
      const { node: toNode, port: toPort } = splitPortEnd(c.to);
      const { capacity, policy } = c;
      connections.push(
        rt.connectByName(fromNode, fromPort, toNode, toPort, { capacity, policy }).id,
      );
    }
    for (const [name, entry] of Object.entries(m.inputs ?? {})) {
      const { port, options } = appPortOf(entry);
      rt.addInput(name, port, options);
      handles[`app_in_${name}`] = rt.node(`app_in_${name}`);
    }
    for (const [name, entry] of Object.entries(m.outputs ?? {})) {
      const { port, options } = appPortOf(entry);
      rt.addOutput(name, port, options);
      handles[`app_out_${name}`] = rt.node(`app_out_${name}`);
    }
  } catch (error) {
    for (const id of connections.reverse()) rt.disconnect(id);
    for (const id of Object.keys(handles).reverse()) rt.remove(id);
    throw error;
  }
  if (m.parameters !== undefined) {
    const known = declaredParameters.get(rt) ?? {};
    declaredParameters.set(rt, { ...known, ...m.parameters });
  }
  return handles;
}

/** What {@linkcode loadManifest} takes beside the manifest. */
export interface LoadManifestOptions {
  /**
   * Values of the manifest's `parameters`, by name: each is written into the config field the
   * parameter targets, checked against that field's schema. Default none (the configs as written).
   */
  readonly parameters?: ParameterValues;
}

/** The `parameters` of the manifests each runtime loaded: what `saveManifest()` writes back. */
const declaredParameters = new WeakMap<Runtime, Record<string, ManifestParameter>>();

/**
 * Changes parameters of the manifests a runtime loaded (`loadManifest()`), while it runs or not:
 * each value is checked first (a declared name, its field's schema and, for a node that runs, a
 * field its processor takes live, such as a Gain's `gain`); then all are applied through
 * `setConfig()`, so one refused value changes nothing. Nodes take the new values between their
 * runs: `await rt.settled()` waits until they did.
 *
 * @param rt The runtime.
 * @param values The new values, by parameter name.
 * @returns The names changed.
 * @throws {ParameterError} `unknown_parameter`, `invalid_parameter`, or `config_locked` for a
 * field its processor only takes at setup while its node runs.
 *
 * @example Turn a running gain down
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadManifest, setParameters } from "@streamlib/streamlib";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * await using rt = createRuntime();
 * loadManifest(rt, {
 *   version: 1,
 *   nodes: [{ id: "tone", type: "TestToneGenerator" }, { id: "fx", type: "Gain" }],
 *   connections: [{ from: "tone.audio", to: "fx.in" }],
 *   parameters: { level: "fx.gain" },
 * });
 * await rt.start();
 * setParameters(rt, { level: 0.5 });
 * assert.deepEqual(rt.describe().nodes[1].config, { gain: 0.5 });
 * ```
 */
export function setParameters(rt: Runtime, values: unknown): string[] {
  return changeParameters(declaredParameters.get(rt) ?? {}, values, {
    registry: rt.registry,
    nodes: () =>
      rt.describe().nodes.map((n) => ({
        id: n.id,
        type: n.type,
        config: n.config,
        running: n.state === "running" || n.state === "starting",
      })),
    setConfig: (node, patch) => rt.setConfig(node, patch),
  });
}

/**
 * The runtime's graph as a manifest: every node with its full config (defaults filled in),
 * placement and error policy when they are not the defaults, and every connection with its
 * capacity and policy. Loading it into an empty runtime gives the same graph.
 *
 * @param rt The runtime.
 * @returns The manifest.
 *
 * @example Save and reload
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadManifest, Runtime, saveManifest } from "@streamlib/streamlib";
 * import { builtinRegistry, Gain, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * const tone = rt.add(TestToneGenerator, { frequency: 220 });
 * const gain = rt.add(Gain, { gain: 0.5 });
 * rt.connect(tone.outputs.audio, gain.inputs.in);
 * const copy = new Runtime({ registry: builtinRegistry });
 * loadManifest(copy, JSON.parse(JSON.stringify(saveManifest(rt))));
 * assert.equal(copy.describe().connections[0].from, "test_tone_generator_1.audio");
 * ```
 */
export function saveManifest(rt: Runtime): Manifest {
  const graph = rt.describe();
  const app = new Set(
    graph.nodes.filter((n) => n.type === "AppInput" || n.type === "AppOutput").map((n) => n.id),
  );
  const inputs: Record<string, ManifestAppPort> = {};
  const outputs: Record<string, ManifestAppPort> = {};
  for (const c of graph.connections) {
    const from = splitPortEnd(c.from).node;
    const to = splitPortEnd(c.to).node;
    const options = { capacity: c.capacity, policy: c.policy };
    if (app.has(from)) inputs[from.slice("app_in_".length)] = { port: c.to, ...options };
    if (app.has(to)) outputs[to.slice("app_out_".length)] = { port: c.from, ...options };
  }
  // A loaded manifest's parameters whose field is still there (its node was not removed, or
  // replaced by one of a processor without that field).
  const types = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const parameters: Record<string, ManifestParameter> = {};
  for (const [name, entry] of Object.entries(declaredParameters.get(rt) ?? {})) {
    const target = typeof entry === "string" ? entry : entry.target;
    const dot = target.lastIndexOf(".");
    const type = types.get(target.slice(0, dot));
    if (type === undefined || !rt.registry.has(type)) continue;
    const fields = rt.registry.describe(type).config.properties ?? {};
    if (Object.hasOwn(fields, target.slice(dot + 1))) parameters[name] = entry;
  }
  return {
    version: 1,
    nodes: graph.nodes.filter((n) => !app.has(n.id)).map((n) => ({
      id: n.id,
      type: n.type,
      config: n.config,
      ...(n.placement === "main" ? {} : { placement: n.placement }),
      ...(n.onError === DEFAULT_ERROR_POLICY ? {} : { onError: n.onError }),
      ...(n.maxRestarts === DEFAULT_MAX_RESTARTS ? {} : { maxRestarts: n.maxRestarts }),
    })),
    connections: graph.connections.filter((c) =>
      !app.has(splitPortEnd(c.from).node) && !app.has(splitPortEnd(c.to).node)
    ).map((c) => ({
      from: c.from,
      to: c.to,
      capacity: c.capacity,
      policy: c.policy,
    })),
    ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
    ...(Object.keys(outputs).length > 0 ? { outputs } : {}),
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
  };
}
