/**
 * The streamlib MCP server: an AI agent builds, runs, inspects and rewires pipelines through the
 * Model Context Protocol, over stdio (`streamlib mcp`) or streamable HTTP on loopback with a
 * bearer token (`streamlib mcp --http`, `streamlib dashboard`).
 *
 * Tools: `list_processors`, `describe_processor`, `add_processor`, `remove_processor`,
 * `connect`, `disconnect`, `get_graph`, `start`, `pause`, `resume`, `stop`, `set_config`,
 * `get_stats`, `load_manifest`, `save_manifest`. Resources: `processor://<type>` and
 * `graph://current`. Every failure is a tool result with `isError: true` that says what was
 * wrong, what is valid and which tool helps. See `docs/mcp.md`.
 *
 * @example Build and run a pipeline through the tools
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "npm:@modelcontextprotocol/sdk@1.32.2/client";
 * // @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/inMemory"
 * import { InMemoryTransport } from "npm:@modelcontextprotocol/sdk@1.32.2/inMemory.js";
 * import { createMcpServer } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
 * await createMcpServer(rt).connect(serverSide);
 * const client = new Client({ name: "example", version: "1.0.0" });
 * await client.connect(clientSide);
 * const call = (name: string, args: Record<string, unknown> = {}) =>
 *   client.callTool({ name, arguments: args });
 *
 * await call("add_processor", { type: "TestToneGenerator", id: "tone" });
 * await call("add_processor", { type: "NullSink", id: "sink" });
 * const bad = await call("connect", { from: "tone.audio", to: "sink.input" });
 * assert.ok(bad.isError); // "Cannot find input 'input' on 'sink': available inputs: in"
 * await call("connect", { from: "tone.audio", to: "sink.in" });
 * await call("start");
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await call("stop");
 * assert.ok(rt.stats().nodes.sink.framesIn > 0);
 * await client.close();
 * ```
 *
 * @module
 */

export { type ArgumentIssue, checkArguments, ToolArgumentsError } from "./arguments.ts";
export { failureText, type ToolFailure, toolFailure, UnknownToolError } from "./errors.ts";
export { createMcpEndpoint, type McpEndpoint, type McpEndpointOptions } from "./http_endpoint.ts";
export {
  type HttpMcpServer,
  type HttpServerOptions,
  MCP_MAX_SESSIONS,
  MCP_PATH,
  MCP_SESSION_IDLE_MS,
  serveHttp,
} from "./http.ts";
export {
  GRAPH_URI,
  listResources,
  readResource,
  type ResourceEntry,
  ResourceNotFoundError,
} from "./resources.ts";
export {
  createMcpServer,
  type McpServer,
  type McpServerOptions,
  type McpTransport,
  RESOURCE_NOT_FOUND,
} from "./server.ts";
export { serveStdio, type StdioServer, type StdioServerOptions } from "./stdio.ts";
export {
  InvalidMessageError,
  MCP_MAX_MESSAGE_BYTES,
  MessageTooLargeError,
} from "./stdio_transport.ts";
export type { McpTool, ToolAnnotations, ToolContext, ToolOutput } from "./tool.ts";
export {
  ControlPolicy,
  ControlPolicyError,
  type ControlPolicyOptions,
} from "../frontend/control_policy.ts";
export { TOOLS } from "./tool_list.ts";
export type { JsonRpcErrorReply } from "./message_gate.ts";
export type { RequestEnds } from "../core/operations/request_field.ts";
// The codes MCP failures carry: the runtime's and the front-ends' own (`frontend/`).
export {
  type ErrorCode as AnyErrorCode,
  FRONTEND_ERROR_CODES,
  type FrontendErrorCode,
} from "../frontend/error_codes.ts";
