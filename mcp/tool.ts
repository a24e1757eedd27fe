/**
 * The shape of one MCP tool: its name, description and JSON input schema, and the function that
 * runs it against a runtime.
 *
 * @module
 */

import type { ControlPolicy } from "../frontend/control_policy.ts";
import type { Runtime } from "../mod.ts";
import type { JsonSchema, JsonValue } from "../core/schema/json_schema.ts";

/**
 * What every tool runs against.
 *
 * @example Run a tool directly
 * ```ts
 * import assert from "node:assert/strict";
 * import { ControlPolicy, TOOLS, type ToolContext } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const ctx: ToolContext = { runtime: createRuntime(), cwd: Deno.cwd(), control: new ControlPolicy() };
 * const graph = await TOOLS.find((t) => t.name === "get_graph")!.run({}, ctx);
 * assert.equal(graph.state, "stopped");
 * ```
 */
export interface ToolContext {
  /** The runtime the tools build, run and inspect. */
  readonly runtime: Runtime;
  /** The directory relative `path` arguments resolve against. */
  readonly cwd: string;
  /** What the agent may do: checked before a tool adds, reconfigures or touches a file. */
  readonly control: ControlPolicy;
}

/**
 * Hints an MCP client may show or use to ask before calling (they are not enforced). A hint left
 * out means false: `tools/list` states all four (MCP itself would read an absent
 * `destructiveHint` or `openWorldHint` as true).
 */
export interface ToolAnnotations {
  /** The tool changes nothing. */
  readonly readOnlyHint?: boolean;
  /** The tool may remove or replace something. */
  readonly destructiveHint?: boolean;
  /** Calling it twice with the same arguments does what calling it once does. */
  readonly idempotentHint?: boolean;
  /** The tool reaches outside the runtime (files). */
  readonly openWorldHint?: boolean;
}

/**
 * A JSON object a tool returns (the result's `structuredContent`).
 *
 * @example A tool's output
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ToolOutput } from "@streamlib/streamlib/mcp";
 *
 * const output: ToolOutput = { state: "running", failed: [] };
 * assert.deepEqual(output, {"state":"running","failed":[]});
 * ```
 */
export type ToolOutput = { readonly [key: string]: JsonValue };

/**
 * One tool of the streamlib MCP server.
 *
 * @example A tool that reports the runtime's state
 * ```ts
 * import assert from "node:assert/strict";
 * import type { McpTool } from "@streamlib/streamlib/mcp";
 *
 * const state: McpTool = {
 *   name: "get_state",
 *   title: "Get the runtime state",
 *   description: "Returns the runtime's lifecycle state.",
 *   inputSchema: { type: "object", properties: {}, additionalProperties: false },
 *   annotations: { readOnlyHint: true },
 *   run: (_args, { runtime }) => ({ state: runtime.state }),
 * };
 * assert.equal(state.name, "get_state");
 * ```
 */
export interface McpTool {
  /** The tool's name, snake_case (`add_processor`). */
  readonly name: string;
  /** A short human title. */
  readonly title: string;
  /** What it does, what it returns and when it fails: written for the agent that calls it. */
  readonly description: string;
  /** The JSON Schema of its arguments (an object schema). */
  readonly inputSchema: JsonSchema;
  /** Client hints. */
  readonly annotations?: ToolAnnotations;
  /**
   * Runs the tool. Arguments have been checked against `inputSchema` (defaults filled in).
   * Throwing is how a tool fails: the server turns the error into a tool result with `isError`.
   */
  readonly run: (
    args: Record<string, JsonValue>,
    ctx: ToolContext,
  ) => ToolOutput | Promise<ToolOutput>;
}
