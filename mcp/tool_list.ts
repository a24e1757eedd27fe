/**
 * The tools of the streamlib MCP server, in the order `tools/list` gives them.
 *
 * @module
 */

import type { McpTool } from "./tool.ts";
import {
  addProcessorTool,
  connectTool,
  disconnectTool,
  removeProcessorTool,
} from "./tools/graph_edit.ts";
import { getGraphTool, getStatsTool } from "./tools/graph_read.ts";
import { endOfStreamTool, pauseTool, resumeTool, startTool, stopTool } from "./tools/lifecycle.ts";
import { loadManifestTool, saveManifestTool } from "./tools/manifest.ts";
import { describeProcessorTool, listProcessorsTool } from "./tools/processors.ts";
import { setConfigTool } from "./tools/set_config.ts";

/**
 * Every tool: `list_processors`, `describe_processor`, `add_processor`, `remove_processor`,
 * `connect`, `disconnect`, `get_graph`, `start`, `pause`, `resume`, `stop`, `end_of_stream`, `set_config`,
 * `get_stats`, `load_manifest`, `save_manifest`.
 *
 * @example Run a tool without a server
 * ```ts
 * import assert from "node:assert/strict";
 * import { ControlPolicy, TOOLS } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const list = TOOLS.find((t) => t.name === "list_processors")!;
 * const control = new ControlPolicy();
 * const result = await list.run({ tag: "source" }, { runtime: createRuntime(), cwd: Deno.cwd(), control });
 * const types = (result.processors as { type: string }[]).map((p) => p.type);
 * assert.ok(types.includes("TestPattern") && types.includes("WavFileSource"));
 * assert.ok(!types.includes("WavWriter"));
 * ```
 */
export const TOOLS: readonly McpTool[] = [
  listProcessorsTool,
  describeProcessorTool,
  addProcessorTool,
  removeProcessorTool,
  connectTool,
  disconnectTool,
  getGraphTool,
  startTool,
  pauseTool,
  resumeTool,
  stopTool,
  endOfStreamTool,
  setConfigTool,
  getStatsTool,
  loadManifestTool,
  saveManifestTool,
];
