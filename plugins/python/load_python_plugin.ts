/**
 * {@linkcode loadPythonPlugin}: a Python plugin folder becomes a registry of processors.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineNode, type NodeDefinition, NodeRegistry, type PortTable } from "../../mod.ts";
import type { PortDescriptor, ProcessorDescriptor } from "../../core/schema/descriptor.ts";
import { parsePortType } from "../../core/ports/port_type.ts";
import {
  describePythonPlugin,
  portKind,
  type PythonPortJson,
  type PythonProcessorJson,
} from "./_describe.ts";
import { DEFAULT_PYTHON } from "./_python_env.ts";
import { PythonPluginError } from "./python_plugin_error.ts";
import {
  type PythonPortSpec,
  PythonProcessor,
  type PythonProcessorSpec,
} from "./python_processor.ts";

/**
 * The fields of a plugin's `streamlib.plugin.json` a Python plugin needs (discovery parses and
 * checks the whole file).
 */
export interface PythonPluginMetadata {
  /** The plugin's name. */
  readonly name: string;
  /** The plugin's version. */
  readonly version: string;
  /** `"python"` (checked when present). */
  readonly kind?: string;
  /** The module file (`gain.py`) or package folder (`my_pkg`) to import, relative to the folder. */
  readonly entry: string;
  /**
   * The processors it declares, by name (or `{ "name": ... }`): when present, the package must
   * register exactly these.
   */
  readonly processors?: readonly (string | { readonly name: string })[];
}

/** Options of {@linkcode loadPythonPlugin}. */
export interface LoadPythonPluginOptions {
  /** The Python program (default `python3`, looked up on `PATH`). */
  readonly python?: string;
  /** How long describing the plugin (importing it once) may take, in ms (default 30000). */
  readonly describeTimeoutMs?: number;
  /** How long a node's child may take to import the plugin and run `setup()` (default 30000). */
  readonly startTimeoutMs?: number;
  /** How long one `process()` call of a node's child may take (default 5000). */
  readonly timeoutMs?: number;
}

/**
 * Loads a Python plugin: runs its entry once in describe mode (`python3 -m streamlib_processor
 * describe`, which imports it in a child process and prints what its `@processor` classes
 * declare) and returns a registry with one definition per class, whose ports and config schema
 * are the class's. `rt.use(registry)` then adds them by name, like built-in processors; each
 * node runs its class in a Python process of its own.
 *
 * @param folder The plugin folder (a path or `file:` URL).
 * @param metadata Its parsed `streamlib.plugin.json`.
 * @param options The Python program and deadlines.
 * @returns The plugin's processors.
 * @throws {PythonPluginError} When the metadata is not a Python plugin's, Python cannot start,
 * the entry fails to import, or it declares processors streamlib cannot run or other than the
 * metadata lists.
 *
 * @example Load a plugin and add its processor by name
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 * import { loadPythonPlugin } from "@streamlib/streamlib/plugins";
 *
 * const folder = new URL("../../tests/fixtures/plugins/python_pkg/", import.meta.url);
 * const registry = await loadPythonPlugin(folder, {
 *   name: "pkg",
 *   version: "1.0.0",
 *   kind: "python",
 *   entry: "pkg",
 * });
 * assert.ok(registry.names.includes("PyGain"));
 * const rt = createRuntime().use(registry);
 * assert.deepEqual(rt.registry.describe("PyGain").inputs.map((p) => p.portType), ["AudioFrame<2>"]);
 * ```
 */
export async function loadPythonPlugin(
  folder: string | URL,
  metadata: PythonPluginMetadata,
  options: LoadPythonPluginOptions = {},
): Promise<NodeRegistry> {
  const root = resolve(folder instanceof URL ? fileURLToPath(folder) : folder);
  const fail = (reason: string) => new PythonPluginError(root, reason);
  if (metadata.kind !== undefined && metadata.kind !== "python") {
    throw fail(`its kind is ${JSON.stringify(metadata.kind)}, not "python"`);
  }
  if (typeof metadata.entry !== "string" || metadata.entry === "") {
    throw fail("its metadata has no entry (the module or package to import)");
  }
  const python = options.python ?? DEFAULT_PYTHON;
  const described = await describePythonPlugin(
    python,
    root,
    metadata.entry,
    options.describeTimeoutMs ?? 30_000,
  );
  if (metadata.processors !== undefined) {
    const listed = metadata.processors.map((p) => typeof p === "string" ? p : p?.name);
    const names = described.map((p) => p.name);
    const missing = listed.filter((name) => !names.includes(name));
    const extra = names.filter((name) => !listed.includes(name));
    if (missing.length > 0 || extra.length > 0) {
      throw fail(
        `streamlib.plugin.json lists processors [${listed.join(", ")}], the package registers [${
          names.join(", ")
        }]`,
      );
    }
  }
  const base = {
    python,
    folder: root,
    entry: metadata.entry,
    timeoutMs: options.timeoutMs ?? 5_000,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
  };
  const source = `python plugin ${metadata.name} ${metadata.version} (${
    join(root, metadata.entry)
  })`;
  return new NodeRegistry(described.map((p) => pythonDefinition(p, base, source)));
}

function portSpec(port: PythonPortJson): PythonPortSpec {
  const argument = parsePortType(port.type)?.argument;
  const kind = portKind(port.type)!;
  return kind === "audio" && argument !== undefined
    ? { name: port.name, kind, channels: Number(argument) }
    : { name: port.name, kind };
}

function pythonDefinition(
  p: PythonProcessorJson,
  base: Omit<PythonProcessorSpec, "name" | "periodMs" | "inputs" | "outputs">,
  source: string,
): NodeDefinition {
  const port = (direction: "input" | "output") => (q: PythonPortJson): PortDescriptor => ({
    name: q.name,
    direction,
    portType: q.type,
    required: direction === "input" ? q.required ?? true : false,
    description: q.description ?? "",
  });
  const descriptor: ProcessorDescriptor = {
    name: p.name,
    description: p.description,
    tags: [...p.tags, "python"],
    // A source is called every periodMs by the runtime's loop; the rest when a frame arrives.
    mode: p.inputs.length === 0 ? "loop" : "push",
    inputs: p.inputs.map(port("input")),
    outputs: p.outputs.map(port("output")),
    config: p.config,
    source,
  };
  const spec: PythonProcessorSpec = {
    ...base,
    name: p.name,
    periodMs: p.inputs.length === 0 ? p.periodMs : null,
    inputs: p.inputs.map(portSpec),
    outputs: p.outputs.map(portSpec),
  };
  const processorClass = class extends PythonProcessor {
    protected override get spec(): PythonProcessorSpec {
      return spec;
    }
  };
  Object.defineProperty(processorClass, "name", { value: p.name });
  return defineNode({
    descriptor,
    processorClass,
    accessors: (ports: PortTable) => ({
      inputs: Object.fromEntries(p.inputs.map((q) => [q.name, ports.input(q.name)])),
      outputs: Object.fromEntries(p.outputs.map((q) => [q.name, ports.output(q.name)])),
    }),
  });
}
