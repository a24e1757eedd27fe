/**
 * Native plugins: Rust (or any C ABI) libraries whose processors run on native threads. A plugin
 * is loaded with {@linkcode NativePlugin.load}, checked against the plugin ABI version, and its
 * processor types become ordinary node definitions for `rt.use(plugin)`.
 *
 * @module
 */

import type { CrossIsolateTransport } from "../../core/transport/cross_isolate.ts";
import type { JsonSchema } from "../../core/schema/json_schema.ts";
import type { NodeDefinition } from "../../core/registry/node_definition.ts";
import { createNodeHandle, type NodeHandle } from "../../core/ports/port_ref.ts";
import { PortTable } from "../../core/ports/port_table.ts";
import { Processor } from "../../core/processor/processor.ts";
import type { PortDescriptor, ProcessorDescriptor } from "../../core/schema/descriptor.ts";
import type { RequiredIsolate } from "../../core/isolates/required_isolate.ts";
import { lastNativeError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { NativePluginHost } from "./host.ts";
import {
  NativePluginError,
  OLDEST_PLUGIN_ABI_VERSION,
  PLUGIN_ABI_VERSION,
  PluginAbiMismatchError,
  PluginPlacementError,
  pluginStatusError,
} from "./native_plugin_errors.ts";
import type { NativeLibrary } from "../native/symbols.ts";
import { WorkerBackend } from "../workers/backend.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Options of {@linkcode NativePlugin.load}.
 *
 * @example Host the plugin in an explicitly loaded library
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadNativeLibrary, NativePlugin } from "@streamlib/streamlib/ffi";
 * import { type NativePluginLoadOptions } from "./native_plugin.ts";
 *
 * const options: NativePluginLoadOptions = { library: loadNativeLibrary() };
 * const path = new URL("../../crates/target/release/libstreamlib_example_plugin.so", import.meta.url);
 * const plugin = NativePlugin.load(path.pathname, options);
 * assert.equal(plugin.version, "0.1.0");
 * plugin.close();
 * ```
 */
export interface NativePluginLoadOptions {
  /** The streamlib native library to host the plugin (default: `loadNativeLibrary()`). */
  readonly library?: NativeLibrary;
}

/** A port as a plugin's descriptor JSON states it. */
interface PortJson {
  name: string;
  type: string;
  description?: string;
  required?: boolean;
}

/** A processor as a plugin's descriptor JSON states it. */
interface ProcessorJson {
  name: string;
  description?: string;
  tags?: string[];
  inputs: PortJson[];
  outputs: PortJson[];
  config?: JsonSchema;
}

/** What `sl_plugin_describe` returns. */
interface PluginJson {
  name: string;
  version: string;
  abi: number;
  path: string;
  processors: ProcessorJson[];
}

/**
 * A loaded native plugin: its name, version and processor types. Iterable over its node
 * definitions, so `rt.use(plugin)` registers them; their nodes run on native threads of the
 * plugin (one per node), in the isolate `native:<plugin name>`, and exchange frames with the
 * rest of the graph through the runtime's native rings and frame pool without copying.
 *
 * @example Load the example plugin and list its processors
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativePlugin } from "@streamlib/streamlib/ffi";
 *
 * const path = new URL("../../crates/target/release/libstreamlib_example_plugin.so", import.meta.url);
 * const plugin = NativePlugin.load(path.pathname);
 * assert.equal(plugin.name, "streamlib_example_plugin");
 * assert.deepEqual(
 *   plugin.definitions.map((d) => d.descriptor.name),
 *   ["NativeInvert", "NativeGain", "NativeTone"],
 * );
 * assert.equal(plugin.abi, 2);
 * plugin.close();
 * ```
 */
export class NativePlugin implements Iterable<NodeDefinition> {
  /** The plugin's name (from its descriptor). */
  readonly name: string;
  /** The plugin's own version. */
  readonly version: string;
  /** The file it was loaded from. */
  readonly path: string;
  /** The plugin ABI version it was built for (1 or 2; see `docs/native_abi.md`). */
  readonly abi: number;
  /** Its processor types, in descriptor order. */
  readonly definitions: readonly NodeDefinition[];
  /** The isolate its nodes run in (`native:<name>`). */
  readonly isolate: RequiredIsolate;
  readonly #lib: NativeLibrary;
  #handle: number;

  private constructor(lib: NativeLibrary, handle: number, json: PluginJson) {
    this.#lib = lib;
    this.#handle = handle;
    this.name = json.name;
    this.version = json.version;
    this.path = json.path;
    this.abi = json.abi;
    const isolate: RequiredIsolate = {
      name: `native:${json.name}`,
      createHost: (transport) => new NativePluginHost(this, nativeTransportOf(transport)),
    };
    this.isolate = isolate;
    this.definitions = json.processors.map((p, i) => nativeDefinition(json, p, i, isolate));
  }

  /**
   * Loads the plugin library at `path` and checks it.
   *
   * @param path The plugin's shared library (`.so`, `.dylib`, `.dll`).
   * @param options The host library.
   * @returns The plugin.
   * @throws {NativePluginError} When the file is missing, cannot be loaded, is not a streamlib
   * plugin, or describes its processors badly.
   * @throws {PluginAbiMismatchError} When it was built for another plugin ABI version (both
   * versions are in the message).
   *
   * @example Refuse a library that is not a plugin
   * ```ts
   * import assert from "node:assert/strict";
   * import { NativePlugin, NativePluginError } from "@streamlib/streamlib/ffi";
   *
   * try {
   *   NativePlugin.load("/definitely/missing/libnothing.so");
   * } catch (error) {
   *   assert.ok(error instanceof NativePluginError);
   * }
   * ```
   */
  static load(path: string, options: NativePluginLoadOptions = {}): NativePlugin {
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(1);
    const bytes = encoder.encode(path);
    const status = lib.symbols.sl_plugin_load(bytes, bytes.length, out);
    if (status < 0) throw pluginStatusError(status, lastNativeError(lib), path);
    const handle = out[0];
    try {
      return new NativePlugin(lib, handle, describe(lib, handle, path));
    } catch (error) {
      lib.symbols.sl_plugin_free(handle);
      throw error;
    }
  }

  /** The host library (for hosts and tests). */
  get library(): NativeLibrary {
    return this.#lib;
  }

  /** The native plugin handle; throws once closed. */
  get handle(): number {
    if (this.#handle < 0) {
      throw new NativePluginError(`Native plugin '${this.name}' is closed`, this.path);
    }
    return this.#handle;
  }

  /** The definitions. */
  [Symbol.iterator](): Iterator<NodeDefinition> {
    return this.definitions[Symbol.iterator]();
  }

  /**
   * Frees the plugin handle. Nodes already made keep the library loaded until they are removed;
   * new nodes cannot be made. Idempotent.
   */
  close(): void {
    if (this.#handle < 0) return;
    this.#lib.symbols.sl_plugin_free(this.#handle);
    this.#handle = -1;
  }
}

function describe(lib: NativeLibrary, handle: number, path: string): PluginJson {
  let buf = new Uint8Array(4096);
  let n = lib.symbols.sl_plugin_describe(handle, buf, buf.length);
  if (n > buf.length) {
    buf = new Uint8Array(n);
    n = lib.symbols.sl_plugin_describe(handle, buf, buf.length);
  }
  if (n < 0) throw pluginStatusError(n, lastNativeError(lib), path);
  const json = JSON.parse(decoder.decode(buf.subarray(0, n))) as PluginJson;
  if (!(json.abi >= OLDEST_PLUGIN_ABI_VERSION && json.abi <= PLUGIN_ABI_VERSION)) {
    throw new PluginAbiMismatchError(path, json.abi, PLUGIN_ABI_VERSION);
  }
  for (const [i, p] of json.processors.entries()) checkProcessor(path, json.abi, i, p);
  return json;
}

function checkProcessor(path: string, abi: number, index: number, p: ProcessorJson): void {
  const bad = (problem: string) =>
    new NativePluginError(
      `Native plugin '${path}': processor ${index} (${
        JSON.stringify(p?.name)
      }) has a bad descriptor: ${problem}`,
      path,
    );
  if (typeof p.name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name)) {
    throw bad("name must be an identifier such as NativeInvert");
  }
  for (const key of ["inputs", "outputs"] as const) {
    for (const port of p[key]) {
      if (typeof port?.name !== "string" || typeof port.type !== "string") {
        throw bad(`every entry of ${key} needs a string name and type`);
      }
    }
  }
  if (p.inputs.length === 0 && abi < 2) {
    throw bad(
      `it has no inputs, and plugin ABI ${abi} has no sources: rebuild the plugin against a streamlib_plugin crate of ABI version ${PLUGIN_ABI_VERSION}, which runs sources`,
    );
  }
  if (p.inputs.length === 0 && p.outputs.length === 0) {
    throw bad("it has neither inputs nor outputs");
  }
  if (p.config !== undefined && (typeof p.config !== "object" || p.config.type !== "object")) {
    throw bad('config must be a JSON Schema of type "object"');
  }
}

/**
 * The class of every native plugin processor's definition. Its nodes never run in a JavaScript
 * isolate (the runtime sends them to the plugin's host), so `process()` only explains that, with a
 * coded error.
 *
 * @example It cannot run in JavaScript
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativeProcessor } from "./native_plugin.ts";
 * import { PluginPlacementError } from "./native_plugin_errors.ts";
 *
 * class Stand extends NativeProcessor {}
 * assert.throws(
 *   () => new Stand().process(),
 *   (e) => e instanceof PluginPlacementError && e.code === "placement_unavailable",
 * );
 * ```
 */
export class NativeProcessor extends Processor {
  /**
   * Always throws: a native plugin processor runs on its plugin's native thread.
   *
   * @throws {PluginPlacementError} Always (code `placement_unavailable`).
   */
  override process(): void {
    throw new PluginPlacementError(
      "",
      "native",
      "A native plugin processor runs on its plugin's native thread; add it to a runtime (rt.use(plugin)) instead of calling process()",
    );
  }
}

function nativeDefinition(
  plugin: PluginJson,
  p: ProcessorJson,
  index: number,
  isolate: RequiredIsolate,
): NodeDefinition & { readonly nativeIndex: number } {
  const port = (direction: "input" | "output") => (q: PortJson): PortDescriptor => ({
    name: q.name,
    direction,
    portType: q.type,
    required: direction === "input" ? q.required ?? true : false,
    description: q.description ?? "",
  });
  const descriptor: ProcessorDescriptor = {
    name: p.name,
    description: p.description ?? `${p.name}, from native plugin ${plugin.name}`,
    tags: [...(p.tags ?? []), "native"],
    // A source (no inputs, plugin ABI 2) is called by its node's thread on its own; the rest
    // when a frame arrives. Either way the plugin's host runs it, not a JavaScript scheduler.
    mode: p.inputs.length === 0 ? "loop" : "push",
    inputs: p.inputs.map(port("input")),
    outputs: p.outputs.map(port("output")),
    config: p.config ?? { type: "object", properties: {}, additionalProperties: false },
    source: `native plugin ${plugin.name} ${plugin.version} (${plugin.path})`,
  };
  return Object.freeze({
    descriptor,
    processorClass: NativeProcessor,
    isolate,
    nativeIndex: index,
    create(): Processor {
      return new NativeProcessor();
    },
    handle(node: string): NodeHandle {
      return createNodeHandle(node, descriptor);
    },
    ports(): PortTable {
      return new PortTable(descriptor);
    },
  });
}

/**
 * The index of a native definition's processor in its plugin, or `undefined` for other
 * definitions.
 *
 * @param definition A node definition.
 * @returns The processor index.
 *
 * @example Tell native definitions apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { nativeProcessorIndex } from "./native_plugin.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * assert.equal(nativeProcessorIndex(gainNode), undefined);
 * ```
 */
export function nativeProcessorIndex(definition: NodeDefinition): number | undefined {
  return (definition as { nativeIndex?: number }).nativeIndex;
}

/**
 * The transport a plugin host binds its rings to. `createRuntime()`'s Worker backend stands in
 * until a node is placed on a Worker (it imports the backend then); a plugin's host needs the
 * native transport at once, so the stand-in is made real here, with the `WorkerBackend` this
 * module imports anyway.
 */
function nativeTransportOf(transport: CrossIsolateTransport): CrossIsolateTransport {
  const deferred = transport as Partial<{
    materialize(backendClass: typeof WorkerBackend): CrossIsolateTransport;
  }>;
  return typeof deferred.materialize === "function"
    ? deferred.materialize(WorkerBackend)
    : transport;
}
