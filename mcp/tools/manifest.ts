/**
 * `load_manifest` and `save_manifest`: moving graphs between the runtime and JSON manifests.
 *
 * @module
 */

import { applyParameters, loadManifest, saveManifest, validateManifest } from "../../mod.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { ToolArgumentsError } from "../arguments.ts";
import { MAX_MANIFEST_BYTES } from "../../core/manifest/limits.ts";
import { openRegularFile, readAtMost } from "../../processors/formats/regular_file.ts";
import type { ControlPolicy } from "../../frontend/control_policy.ts";
import type { McpTool, ToolOutput } from "../tool.ts";
import { nodeOf } from "../../core/ports/port_end.ts";

/** `load_manifest`: adds a manifest's processors and connections. */
export const loadManifestTool: McpTool = {
  name: "load_manifest",
  title: "Load a manifest",
  description:
    "Adds the processors and connections of a pipeline manifest to the graph: pass the manifest " +
    "JSON itself as 'manifest', or a file as 'path' (relative to the server's working " +
    "directory). Format: { version: 1, nodes: [{ id, type, config? }], connections: [{ from: " +
    "'node.port', to: 'node.port', capacity?, policy? }] }. With 'replace' true, every processor " +
    "in the graph is removed first. 'parameters' sets the manifest's declared parameters " +
    "({ name: value }: the config fields its 'parameters' section names). Either everything is " +
    "added or nothing: an invalid manifest " +
    "fails listing every issue (path, code, message). Returns the ids added.",
  inputSchema: {
    type: "object",
    properties: {
      manifest: { type: "object", description: "The manifest JSON" },
      path: { type: "string", description: "A manifest file to read instead" },
      replace: {
        type: "boolean",
        default: false,
        description: "Remove every processor in the graph first",
      },
      parameters: {
        type: "object",
        description: "Values of the manifest's parameters, by name",
      },
    },
    additionalProperties: false,
  },
  // It reads or writes files; load_manifest with replace removes every processor, save_manifest
  // replaces its file.
  annotations: { openWorldHint: true, destructiveHint: true },
  run: async ({ manifest, path, replace, parameters }, { runtime, control }) => {
    if (manifest === undefined && path === undefined) {
      throw new ToolArgumentsError("load_manifest", [{
        argument: "manifest",
        problem: "is missing: give 'manifest' (the manifest JSON) or 'path' (a manifest file)",
        reason: "missing",
        choices: ["manifest", "path"],
      }]);
    }
    if (manifest !== undefined && path !== undefined) {
      throw new ToolArgumentsError("load_manifest", [{
        argument: "path",
        problem: "cannot be given with 'manifest': give the manifest JSON or a file, not both",
      }]);
    }
    let parsed: unknown = manifest;
    if (typeof path === "string") {
      const text = await readManifestFile(await control.checkPath(path), path);
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        // The parser's message quotes the file; only where it failed is said.
        const at = /position (\d+)/.exec((error as Error).message)?.[1];
        throw new ToolArgumentsError("load_manifest", [{
          argument: "path",
          problem: `must name a JSON file, '${path}' is not valid JSON${
            at === undefined ? "" : ` (at byte ${at})`
          }`,
        }]);
      }
    }
    // The values go in before the control policy sees the configs: a parameter may name a file.
    if (parameters !== undefined && validateManifest(parsed, runtime.registry).length === 0) {
      parsed = applyParameters(parsed, parameters, runtime.registry);
    }
    await checkManifestNodes(parsed, control);
    if (replace) {
      for (const n of runtime.describe().nodes) runtime.remove(n.id);
      await runtime.settled();
    }
    const handles = loadManifest(runtime, parsed);
    await runtime.settled();
    const ids = new Set(Object.keys(handles));
    return {
      added: [...ids],
      connections: runtime.describe().connections
        .filter((c) => ids.has(nodeOf(c.from)) || ids.has(nodeOf(c.to)))
        .map((c) => c.id),
      state: runtime.state,
    };
  },
};

/** `save_manifest`: the graph as a manifest, optionally written to a file. */
export const saveManifestTool: McpTool = {
  name: "save_manifest",
  title: "Save the graph as a manifest",
  description:
    "Returns the graph as a pipeline manifest (every processor with its full config, every " +
    "connection with its capacity and policy) that load_manifest, `streamlib run` and " +
    "`streamlib validate` accept. With 'path' it is also written to that file (relative to the " +
    "server's working directory), replacing it.",
  inputSchema: {
    type: "object",
    properties: { path: { type: "string", description: "A file to write it to" } },
    additionalProperties: false,
  },
  // It reads or writes files; load_manifest with replace removes every processor, save_manifest
  // replaces its file.
  annotations: { openWorldHint: true, destructiveHint: true },
  run: async ({ path }, { runtime, control }): Promise<ToolOutput> => {
    const manifest = saveManifest(runtime) as unknown as JsonValue;
    if (typeof path !== "string") return { manifest };
    const file = await control.checkPath(path);
    await Deno.writeTextFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest, path: file };
  },
};

/**
 * Runs the control policy over a manifest's nodes (types, ids, config paths) before anything
 * is added. A manifest that is malformed is left to `loadManifest()` to report.
 */
async function checkManifestNodes(manifest: unknown, control: ControlPolicy): Promise<void> {
  const nodes = (manifest as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return;
  for (const node of nodes) {
    if (typeof node !== "object" || node === null) continue;
    const { type, config, id } = node as { type?: unknown; config?: unknown; id?: unknown };
    if (typeof type === "string") await control.checkNode(type, config, id);
    else control.checkId(id);
  }
}

/** Reads a manifest file: a regular file of at most {@linkcode MAX_MANIFEST_BYTES}. */
async function readManifestFile(file: string, path: string): Promise<string> {
  const refuse = (problem: string) =>
    new ToolArgumentsError("load_manifest", [{ argument: "path", problem }]);
  // A FIFO, device or folder is refused before it is opened (a FIFO's open would wait).
  using handle = await openRegularFile(
    file,
    () => refuse(`must name a regular file, '${path}' is not one`),
  );
  const info = await handle.stat();
  if (info.size > MAX_MANIFEST_BYTES) {
    throw refuse(
      `must name a file of at most ${MAX_MANIFEST_BYTES} bytes, '${path}' has ${info.size}`,
    );
  }
  const bytes = await readAtMost(handle, MAX_MANIFEST_BYTES);
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw refuse(`must name a file of at most ${MAX_MANIFEST_BYTES} bytes, '${path}' grew past it`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw refuse(`must name a UTF-8 JSON file, '${path}' is not UTF-8`);
  }
}
