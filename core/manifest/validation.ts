/**
 * `validateManifest()`: every problem of a manifest, each naming the node or connection at
 * fault and the valid choices.
 *
 * @module
 */

import { ConfigValidationError, validateConfig } from "../config/validation.ts";
import { type FileNode, filePathConflicts } from "../graph/file_path_conflicts.ts";
import { Graph } from "../graph/graph.ts";
import { InvalidNodeIdError } from "../graph/errors.ts";
import { checkConnections } from "./connections.ts";
import { checkAppPorts } from "./app_ports.ts";
import { checkParameters } from "./parameters.ts";
import { isObject, IssueList, type ManifestIssue, show } from "./issue.ts";
import { excerpt, jsonDepth, MAX_MANIFEST_DEPTH } from "./limits.ts";
import { MAX_NODE_ID_LENGTH } from "../graph/node_id.ts";
import { checkManifestUi } from "./ui.ts";
import type { NodeRegistry } from "../registry/node_registry.ts";
import { operationIssues } from "../operations/check.ts";
import { MANIFEST_NODE_SCHEMA } from "../operations/schemas.ts";
import { unconnectedRequiredInputs } from "../graph/required_inputs.ts";

const ROOT_FIELDS = [
  "version",
  "plugins",
  "pluginFolders",
  "nodes",
  "connections",
  "inputs",
  "outputs",
  "parameters",
  "ui",
];

/**
 * Checks a parsed manifest against a registry and returns every problem found (an empty array
 * when it is valid): structure and unknown fields, ids, processor types (with near matches),
 * configs (JSON path and expected type), the application `inputs` and `outputs` (`checkAppPorts()`), the `parameters` a caller may set (`checkParameters()`), the editor's `ui` metadata (`checkManifestUi()`), `plugins` entries (strings; their processors must already
 * be in `registry`, see `loadManifestPlugins()`), placements and error policies, and each connection's
 * ends, ports, directions, options, types, occupancy and cycles. A required input left
 * unconnected is not among them: {@linkcode manifestWarnings} reports it.
 *
 * @param manifest The parsed JSON.
 * @param registry The processors it may use.
 * @returns The issues, in manifest order.
 *
 * @example Report a misspelled processor
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateManifest } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const issues = validateManifest(
 *   { version: 1, nodes: [{ id: "mix", type: "AudioMixr" }], connections: [] },
 *   builtinRegistry,
 * );
 * assert.equal(issues[0].code, "processor_not_found");
 * assert.match(
 *   issues[0].message,
 *   /^nodes\[0\]\.type: unknown processor 'AudioMixr', did you mean AudioMixer\? available processors: .*AudioMixer, /,
 * );
 * ```
 */
export function validateManifest(manifest: unknown, registry: NodeRegistry): ManifestIssue[] {
  return checkManifest(manifest, registry).issues;
}

/**
 * What a manifest that loads may still get wrong, as issues of `severity: "warning"`: each
 * required input (`@input({ required: true })`) that no connection and no application input
 * (`inputs`) feeds
 * (`unconnected_required_input`, naming the node and the port). The runtime starts such a graph
 * (and emits a `node-warning` event for each); `deno task validate` lists them and still exits 0.
 * Nodes and connections with errors are left out, so call it on a manifest
 * {@linkcode validateManifest} accepts.
 *
 * @param manifest The parsed JSON.
 * @param registry The processors it may use.
 * @returns The warnings, in node order.
 *
 * @example A gain nothing feeds
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestWarnings } from "./validation.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const manifest = {
 *   version: 1,
 *   nodes: [{ id: "gain", type: "Gain" }, { id: "sink", type: "NullSink" }],
 *   connections: [{ from: "gain.out", to: "sink.in" }],
 * };
 * const [warning] = manifestWarnings(manifest, builtinRegistry);
 * assert.equal(warning.severity, "warning");
 * assert.equal(warning.code, "unconnected_required_input");
 * assert.equal(warning.node, "gain");
 * assert.equal(
 *   warning.message,
 *   "nodes[0]: required input 'in' of 'gain' (Gain) is not connected; it will get no frames",
 * );
 * ```
 */
export function manifestWarnings(manifest: unknown, registry: NodeRegistry): ManifestIssue[] {
  const { graph, declared } = checkManifest(manifest, registry);
  const list = new IssueList();
  const fed = fedPorts(manifest);
  for (const { node, processor, port } of unconnectedRequiredInputs(graph)) {
    if (fed.has(`${node}.${port}`)) continue;
    list.report(
      `nodes[${declared.get(node)}]`,
      "unconnected_required_input",
      `required input '${port}' of '${node}' (${processor}) is not connected; it will get no frames`,
      { node, severity: "warning" },
    );
  }
  return list.issues;
}

/**
 * The inputs (`node.port`) a manifest feeds, as written: each connection's `to`, and each
 * application input's port (`"inputs": { "voice": "fx.in" }`: the application's frames come in
 * there). A connection counts even when its source is a node this registry does not know (a
 * project plugin's, which `streamlib validate` reads the metadata of but does not load).
 */
function fedPorts(manifest: unknown): Set<string> {
  const ports = new Set<string>();
  if (!isObject(manifest)) return ports;
  for (const c of Array.isArray(manifest.connections) ? manifest.connections : []) {
    if (isObject(c) && typeof c.to === "string") ports.add(c.to);
  }
  const inputs = manifest.inputs;
  if (!isObject(inputs)) return ports;
  for (const entry of Object.values(inputs)) {
    const port = typeof entry === "string" ? entry : isObject(entry) ? entry.port : undefined;
    if (typeof port === "string") ports.add(port);
  }
  return ports;
}

function checkManifest(
  manifest: unknown,
  registry: NodeRegistry,
): { issues: ManifestIssue[]; graph: Graph; declared: Map<string, number> } {
  const list = new IssueList();
  const graph = new Graph();
  const declared = new Map<string, number>();
  if (!isObject(manifest)) {
    list.report(
      "",
      "malformed",
      `expected an object with version, nodes and connections, got ${show(manifest)}`,
    );
    return { issues: list.issues, graph, declared };
  }
  if (jsonDepth(manifest, MAX_MANIFEST_DEPTH) > MAX_MANIFEST_DEPTH) {
    list.report(
      "",
      "too_deep",
      `nests arrays and objects more than ${MAX_MANIFEST_DEPTH} levels deep, the most a manifest may`,
    );
    return { issues: list.issues, graph, declared };
  }
  list.unknownFields(manifest, ROOT_FIELDS, "");
  if (manifest.version !== 1) {
    list.report("version", "malformed", `must be 1, got ${show(manifest.version)}`);
  }
  array(manifest, "plugins", list, false).forEach((plugin, i) => {
    if (typeof plugin === "string" && plugin !== "") return;
    const native = (plugin as { native?: unknown } | null)?.native;
    const isObject = typeof plugin === "object" && plugin !== null && !Array.isArray(plugin);
    if (isObject && Object.keys(plugin).length === 1 && typeof native === "string" && native) {
      return;
    }
    list.report(
      `plugins[${i}]`,
      "malformed",
      `expected a module path or URL, or { "native": "<library path>" }, got ${show(plugin)}`,
    );
  });
  array(manifest, "pluginFolders", list, false).forEach((folder, i) => {
    if (typeof folder !== "string" || folder === "") {
      list.report(
        `pluginFolders[${i}]`,
        "malformed",
        `expected a folder path, got ${show(folder)}`,
      );
    }
  });
  array(manifest, "nodes", list, true).forEach((node, i) =>
    checkNode(node, `nodes[${i}]`, i, registry, graph, declared, list)
  );
  const connections = array(manifest, "connections", list, false);
  checkConnections(connections, graph, new Set(declared.keys()), list);
  checkAppPorts(manifest, graph, new Set(declared.keys()), list);
  const types = new Map(graph.nodes.map((node) => [node.id, node.descriptor.name]));
  checkParameters(manifest, types, registry, new Set(declared.keys()), list);
  checkFilePaths(manifest, graph, declared, list);
  checkManifestUi(manifest.ui, declared.keys(), list);
  return { issues: list.issues, graph, declared };
}

function checkNode(
  node: unknown,
  at: string,
  index: number,
  registry: NodeRegistry,
  graph: Graph,
  declared: Map<string, number>,
  list: IssueList,
): void {
  if (!isObject(node)) {
    return list.report(at, "malformed", `expected an object with id and type, got ${show(node)}`);
  }
  const { id, type } = node;
  const who = typeof id === "string" ? { node: id } : {};
  // The node's own fields by the schema the control API's POST /nodes and MCP's add_processor
  // use (with id required): the same codes and fields for the same mistakes.
  const issues = operationIssues(MANIFEST_NODE_SCHEMA, node);
  for (const issue of issues) list.operation(at, issue, who.node);
  const bad = new Set(issues.map((issue) => issue.field));
  let usable = typeof id === "string"; // if not, reported above (missing_field, invalid_field)
  if (typeof id !== "string") {
    usable = false;
  } else if (declared.has(id)) {
    list.report(
      `${at}.id`,
      "node_id_taken",
      `duplicate id '${excerpt(id)}', first used by nodes[${declared.get(id)}]`,
      { node: id },
    );
    usable = false;
  } else {
    declared.set(id, index);
    try {
      graph.checkNodeId(id);
    } catch (error) {
      if (!(error instanceof InvalidNodeIdError)) throw error;
      const text = error.reason === "too_long"
        ? `'${
          excerpt(id)
        }': an id has at most ${MAX_NODE_ID_LENGTH} characters, this one ${id.length}`
        : `'${excerpt(id)}': an id is a letter or '_' followed by letters, digits, '_' or '-'`;
      list.report(`${at}.id`, "invalid_node_id", text, { node: id });
      usable = false;
    }
  }
  if (typeof type !== "string") return; // reported above
  if (!registry.has(type)) {
    const what = `unknown processor '${excerpt(type)}'`;
    const listing = "available processors";
    return list.unknown(
      `${at}.type`,
      "processor_not_found",
      what,
      type,
      registry.names,
      listing,
      who.node,
    );
  }
  const descriptor = registry.describe(type);
  if (bad.has("config")) return; // not an object: reported above
  try {
    validateConfig(descriptor.config, node.config, type);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    for (const issue of error.issues) {
      const path = issue.field === "" ? `${at}.config` : `${at}.config.${issue.field}`;
      const text = issue.reason === "missing"
        ? `missing, expected ${issue.expected}`
        : issue.reason === "unknown"
        ? `unknown field of ${type}, ${issue.expected}`
        : `must be ${issue.expected}, got ${issue.actual}`;
      const available = issue.choices ? { available: [...issue.choices] } : {};
      list.report(path, "invalid_config", text, { ...who, ...available });
    }
  }
  if (usable) graph.addNode({ id: id as string, descriptor });
}

/** File writers of valid nodes that would clobber each other or a file a source reads. */
function checkFilePaths(
  manifest: Record<string, unknown>,
  graph: Graph,
  declared: Map<string, number>,
  list: IssueList,
): void {
  const nodes = manifest.nodes as readonly Record<string, unknown>[];
  const files: FileNode[] = [];
  for (const [id, index] of declared) {
    if (!graph.hasNode(id)) continue;
    files.push({ id, tags: graph.node(id).descriptor.tags, config: nodes[index].config });
  }
  for (const conflict of filePathConflicts(files)) {
    list.report(
      `nodes[${declared.get(conflict.writer)}].config.path`,
      "file_path_conflict",
      conflict.message,
      { node: conflict.writer },
    );
  }
}

function array(
  root: Record<string, unknown>,
  field: string,
  list: IssueList,
  required: boolean,
): unknown[] {
  const value = root[field];
  if (value === undefined && !required) return [];
  if (Array.isArray(value)) return value;
  list.report(field, "malformed", `expected an array, got ${show(value)}`);
  return [];
}
