/**
 * `load_manifest` and `save_manifest`: moving graphs between the runtime and JSON manifests.
 *
 * @module
 */

import { resolve } from "node:path";
import { type JsonValue, loadManifest, saveManifest } from "../../mod.ts";
import { ToolArgumentsError } from "../arguments.ts";
import type { McpTool, ToolOutput } from "../tool.ts";

/** `load_manifest`: adds a manifest's processors and connections. */
export const loadManifestTool: McpTool = {
  name: "load_manifest",
  title: "Load a manifest",
  description:
    "Adds the processors and connections of a pipeline manifest to the graph: pass the manifest " +
    "JSON itself as 'manifest', or a file as 'path' (relative to the server's working " +
    "directory). Format: { version: 1, nodes: [{ id, type, config? }], connections: [{ from: " +
    "'node.port', to: 'node.port', capacity?, policy? }] }. With 'replace' true, every processor " +
    "in the graph is removed first. Either everything is added or nothing: an invalid manifest " +
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
    },
    additionalProperties: false,
  },
  annotations: { openWorldHint: true },
  run: async ({ manifest, path, replace }, { runtime, cwd }) => {
    if ((manifest === undefined) === (path === undefined)) {
      throw new ToolArgumentsError("load_manifest", [{
        argument: "",
        problem: "must have exactly one of 'manifest' and 'path'",
      }]);
    }
    let parsed: unknown = manifest;
    if (typeof path === "string") {
      const text = await Deno.readTextFile(resolve(cwd, path));
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new ToolArgumentsError("load_manifest", [{
          argument: "path",
          problem: `must name a JSON file, '${path}' is not valid JSON: ${
            (error as Error).message
          }`,
        }]);
      }
    }
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
        .filter((c) => ids.has(c.from.split(".")[0]) || ids.has(c.to.split(".")[0]))
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
  annotations: { openWorldHint: true },
  run: async ({ path }, { runtime, cwd }): Promise<ToolOutput> => {
    const manifest = saveManifest(runtime) as unknown as JsonValue;
    if (typeof path !== "string") return { manifest };
    const file = resolve(cwd, path);
    await Deno.writeTextFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest, path: file };
  },
};
