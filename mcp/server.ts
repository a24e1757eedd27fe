/**
 * `createMcpServer()`: an MCP server (the official SDK's `Server`) whose tools and resources
 * build, run and inspect one runtime.
 *
 * @module
 */

// deno-lint-ignore-file no-explicit-any
import { ControlPolicy } from "../frontend/control_policy.ts";
import { Server } from "@modelcontextprotocol/sdk/server";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import denoJson from "../deno.json" with { type: "json" };
import type { Runtime, RuntimeEvent } from "../mod.ts";
import { checkArguments } from "./arguments.ts";
import { failureText, toolFailure, UnknownToolError } from "./errors.ts";
import { looseRequest, protocolError, stringParam } from "./loose_request.ts";
import {
  GRAPH_URI,
  listResources,
  PROCESSOR_URI_TEMPLATE,
  readResource,
  ResourceNotFoundError,
} from "./resources.ts";
import type { McpTool, ToolContext } from "./tool.ts";
import { TOOLS } from "./tool_list.ts";
import { nodeOf } from "../core/ports/port_end.ts";

/**
 * The JSON-RPC error code MCP uses for a resource that does not exist.
 *
 * @example Recognize it in a client
 * ```ts
 * import assert from "node:assert/strict";
 * import { RESOURCE_NOT_FOUND } from "@streamlib/streamlib/mcp";
 *
 * const isMissing = (error: { code?: number }) => error.code === RESOURCE_NOT_FOUND;
 * assert.ok(isMissing({ code: -32002 }));
 * ```
 */
export const RESOURCE_NOT_FOUND: number = -32002;

/**
 * A transport an MCP server talks over: any of the SDK's (`StdioServerTransport`,
 * `WebStandardStreamableHTTPServerTransport`, `InMemoryTransport`, ...).
 *
 * @example The SDK's in-memory transport is one
 * ```ts
 * import assert from "node:assert/strict";
 *
 * // @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/inMemory"
 * import { InMemoryTransport } from "npm:@modelcontextprotocol/sdk@1.32.2/inMemory.js";
 * import type { McpTransport } from "@streamlib/streamlib/mcp";
 *
 * const [, serverSide] = InMemoryTransport.createLinkedPair();
 * const transport: McpTransport = serverSide;
 * assert.equal(typeof transport.send, "function");
 * ```
 */
export interface McpTransport {
  /** Starts receiving messages. */
  start(): Promise<void>;
  /** Sends one JSON-RPC message. */
  send(message: unknown, options?: unknown): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * An MCP server (the SDK's `Server`), to connect to one transport.
 */
export interface McpServer {
  /**
   * Connects to a transport and starts serving on it.
   *
   * @param transport The transport.
   */
  connect(transport: McpTransport): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * Options of {@linkcode createMcpServer}.
 *
 * @example Resolve manifest paths in a project folder and log bugs
 * ```ts
 * import assert from "node:assert/strict";
 * import type { McpServerOptions } from "@streamlib/streamlib/mcp";
 *
 * const options: McpServerOptions = {
 *   cwd: Deno.cwd(),
 *   onInternalError: (error) => console.error("streamlib mcp:", error),
 * };
 * assert.ok(options.cwd === Deno.cwd());
 * ```
 */
export interface McpServerOptions {
  /** The directory relative `path` arguments resolve against. Default: the working directory. */
  readonly cwd?: string;
  /** The tools to serve. Default {@linkcode TOOLS}. */
  readonly tools?: readonly McpTool[];
  /** Called with errors that are bugs (not the agent's), e.g. to log them. Default: none. */
  readonly onInternalError?: (error: unknown) => void;
  /**
   * What the agent may do: processor types and media folders. Default: every type but
   * SubprocessProcessor, files only inside `cwd`.
   */
  readonly control?: ControlPolicy;
}

const INSTRUCTIONS = `streamlib builds and runs real-time media pipelines: a graph of processors
(sources, transforms, sinks) whose ports carry typed frames. To build one: list_processors (or
read processor://<type>), add_processor for each step (it returns the id and ports), connect an
output to an input of the same frame type, then start; get_stats shows frames flowing; pause,
set_config and resume change settings; stop finalizes sinks. get_graph (or graph://current)
shows the whole graph. Every failure is a tool result that says what was wrong and what is
valid. save_manifest and load_manifest move graphs to and from JSON files.`;

/**
 * Creates an MCP server for a runtime. Connect it to one transport (`server.connect(transport)`);
 * {@linkcode serveStdio} and {@linkcode serveHttp} do that for stdio and streamable HTTP. Several
 * servers may share one runtime (one per HTTP session); their tool calls run one at a time.
 *
 * Tool failures (unknown types, ports, ids, invalid arguments, wrong states) are results with
 * `isError: true`, a text with the message and a hint, and `structuredContent.error` with a
 * stable `code` and the valid choices. Unknown tools are answered the same way, with near
 * matches. Protocol errors (malformed requests, unknown methods) are JSON-RPC errors.
 *
 * @param runtime The runtime the tools act on (usually from `createRuntime()`).
 * @param options Working directory, tools and an internal-error hook.
 * @returns The server, not yet connected.
 *
 * @example Serve a runtime to an in-memory client
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "npm:@modelcontextprotocol/sdk@1.32.2/client";
 * // @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/inMemory"
 * import { InMemoryTransport } from "npm:@modelcontextprotocol/sdk@1.32.2/inMemory.js";
 * import { createMcpServer } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const server = createMcpServer(createRuntime());
 * const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
 * await server.connect(serverSide);
 * const client = new Client({ name: "example", version: "1.0.0" });
 * await client.connect(clientSide);
 * const added = await client.callTool({ name: "add_processor", arguments: { type: "Gain" } });
 * assert.equal((added.structuredContent as { id: string }).id, "gain_1");
 * await client.close();
 * ```
 */
export function createMcpServer(runtime: Runtime, options: McpServerOptions = {}): McpServer {
  return buildMcpServer(runtime, options);
}

/**
 * {@linkcode createMcpServer}, typed as the SDK's `Server` for this package's transports.
 *
 * @param runtime The runtime the tools act on.
 * @param options Working directory, tools and an internal-error hook.
 * @returns The server, not yet connected.
 */
export function buildMcpServer(runtime: Runtime, options: McpServerOptions = {}): Server {
  const tools = options.tools ?? TOOLS;
  const byName = new Map(tools.map((t) => [t.name, t]));
  const cwd = options.cwd ?? Deno.cwd();
  const control = options.control ?? new ControlPolicy({ cwd });
  const ctx: ToolContext = { runtime, cwd, control };
  const server = new Server(
    { name: "streamlib", title: "streamlib", version: denoJson.version },
    {
      capabilities: {
        tools: { listChanged: false },
        resources: { subscribe: true, listChanged: false },
        logging: {},
      },
      instructions: INSTRUCTIONS,
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, (request) => ({
    ...initialized(server, "tools/list"),
    ...onePage("tools/list", request.params?.cursor),
    tools: tools.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema as any,
      annotations: announced(t),
    })),
  }));

  // The SDK checks tools/call params itself (answering -32602); the loose outer schema keeps
  // its generic parse from answering -32603 first.
  server.setRequestHandler(
    looseRequest("tools/call"),
    (request, extra) => {
      initialized(server, "tools/call");
      return serialized(runtime, async () => {
        const { name, arguments: args } = request.params as { name: string; arguments?: unknown };
        // Cancelled (notifications/cancelled, or the client's timeout) while it waited behind
        // another call: it never starts, so an edit the client gave up on is not applied later.
        // The SDK sends no answer to a cancelled request; this result is dropped.
        if (extra.signal.aborted) return CANCELLED;
        try {
          const tool = byName.get(name);
          if (!tool) throw new UnknownToolError(name, [...byName.keys()]);
          const output = await tool.run(checkArguments(tool, args), ctx);
          return {
            content: [{ type: "text" as const, text: JSON.stringify(output, null, 2) }],
            structuredContent: output as Record<string, unknown>,
          };
        } catch (error) {
          const failure = toolFailure(error, requestEnds(args), fileArgument(args));
          if (failure.code === "internal_error") options.onInternalError?.(error);
          return {
            isError: true,
            content: [{ type: "text" as const, text: failureText(failure) }],
            structuredContent: { error: failure } as Record<string, unknown>,
          };
        }
      });
    },
  );

  server.setRequestHandler(ListResourcesRequestSchema, (request) => ({
    ...initialized(server, "resources/list"),
    ...onePage("resources/list", request.params?.cursor),
    resources: listResources(runtime),
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, (request) => ({
    ...initialized(server, "resources/templates/list"),
    ...onePage("resources/templates/list", request.params?.cursor),
    resourceTemplates: [{
      uriTemplate: PROCESSOR_URI_TEMPLATE,
      name: "processor type",
      description: "A processor type: ports, config JSON Schema, defaults, live fields",
      mimeType: "application/json",
    }],
  }));
  server.setRequestHandler(looseRequest("resources/read"), (request) => {
    initialized(server, "resources/read");
    const uri = stringParam("resources/read", request.params, "uri");
    try {
      return {
        contents: [{ uri, mimeType: "application/json", text: readResource(runtime, uri) }],
      };
    } catch (error) {
      if (!(error instanceof ResourceNotFoundError)) throw error;
      throw protocolError(RESOURCE_NOT_FOUND, error.message, {
        uri,
        nearMatches: error.nearMatches,
      });
    }
  });

  const subscribed = new Set<string>();
  server.setRequestHandler(looseRequest("resources/subscribe"), (request) => {
    initialized(server, "resources/subscribe");
    const uri = stringParam("resources/subscribe", request.params, "uri");
    if (uri !== GRAPH_URI) {
      throw protocolError(
        ErrorCode.InvalidParams,
        `Cannot subscribe to '${uri}': only ${GRAPH_URI} sends updates`,
      );
    }
    subscribed.add(uri);
    return {};
  });
  server.setRequestHandler(looseRequest("resources/unsubscribe"), (request) => {
    initialized(server, "resources/unsubscribe");
    subscribed.delete(stringParam("resources/unsubscribe", request.params, "uri"));
    return {};
  });

  const unsubscribe = forwardEvents(runtime, server, subscribed);
  const previousClose = server.onclose;
  server.onclose = () => {
    unsubscribe();
    previousClose?.();
  };
  return server;
}

/**
 * Refuses a request that came before `initialize` (MCP's lifecycle: only `initialize` and `ping`
 * may come first) with an invalid request error (-32600).
 *
 * @param server The server.
 * @param method The request's method, for the message.
 * @returns Nothing to spread, when initialized.
 * @throws {Error} With code -32600 before `initialize`.
 */
function initialized(server: Server, method: string): Record<never, never> {
  if (server.getClientVersion() === undefined) {
    throw protocolError(
      ErrorCode.InvalidRequest,
      `Not initialized: send 'initialize' (then 'notifications/initialized') before ${method}`,
    );
  }
  return {};
}

/**
 * A tool's hints with all four stated. MCP reads an absent `destructiveHint` or `openWorldHint` as
 * true; a tool of this package that leaves one out means false (see `ToolAnnotations`).
 *
 * @param tool The tool.
 * @returns Its annotations for `tools/list`.
 */
function announced(tool: McpTool) {
  const hints = tool.annotations ?? {};
  const readOnlyHint = hints.readOnlyHint ?? false;
  return {
    title: tool.title,
    readOnlyHint,
    destructiveHint: !readOnlyHint && (hints.destructiveHint ?? false),
    idempotentHint: hints.idempotentHint ?? false,
    openWorldHint: hints.openWorldHint ?? false,
  };
}

/**
 * Refuses a cursor: every list is one page (no `nextCursor` is ever sent), so any cursor is one
 * this server did not give, which MCP answers with invalid params (-32602).
 *
 * @param method The list method, for the message.
 * @param cursor The request's cursor.
 * @returns Nothing to spread, when there is no cursor.
 * @throws {Error} With code -32602 for any cursor.
 */
function onePage(method: string, cursor: string | undefined): Record<never, never> {
  if (cursor !== undefined) {
    throw protocolError(
      ErrorCode.InvalidParams,
      `Invalid params for ${method}: unknown cursor ${
        JSON.stringify(cursor.slice(0, 80))
      }: this server sends every item in one page and never a nextCursor`,
    );
  }
  return {};
}

const CANCELLED = {
  isError: true,
  content: [{ type: "text" as const, text: "Cancelled by the client before it started" }],
};

const STRUCTURAL = new Set([
  "runtime-state",
  "node-state",
  "node-added",
  "node-removed",
  "connection-added",
  "connection-removed",
]);

function forwardEvents(runtime: Runtime, server: Server, subscribed: Set<string>): () => void {
  let pending = false;
  // The SDK keeps the level `logging/setLevel` set under the session's id (over HTTP), so a
  // message is filtered by it only when sent with that id.
  const log = (params: Parameters<Server["sendLoggingMessage"]>[0]) =>
    server.sendLoggingMessage(params, server.transport?.sessionId).catch(() => {});
  return runtime.on((event: RuntimeEvent) => {
    if (event.type === "node-log") {
      // What a processor logged with ctx.log, as an MCP logging message from logger node:<id>.
      const dropped = event.dropped ? ` (${event.dropped} earlier lines dropped)` : "";
      log({
        level: event.level === "warn" ? "warning" : event.level,
        logger: `node:${event.node}`,
        data: event.data === undefined
          ? `${event.message}${dropped}`
          : { message: `${event.message}${dropped}`, data: event.data },
      });
    }
    if (event.type === "node-error") {
      log({
        level: "error",
        logger: "streamlib",
        data:
          `Processor '${event.node}' failed in ${event.phase}(): ${event.message} (${event.action})`,
      });
    }
    if (!STRUCTURAL.has(event.type) || !subscribed.has(GRAPH_URI) || pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      server.sendResourceUpdated({ uri: GRAPH_URI }).catch(() => {});
    }, 50);
  });
}

const queues = new WeakMap<Runtime, Promise<unknown>>();

/** Runs tool calls on one runtime one at a time, whichever session they come from. */
function serialized<T>(runtime: Runtime, run: () => Promise<T>): Promise<T> {
  const previous = queues.get(runtime) ?? Promise.resolve();
  const next = previous.then(run, run);
  queues.set(runtime, next.catch(() => {}));
  return next;
}

/** The nodes a call's `from` and `to` ("node.port") name, for the field of an error about one. */
function requestEnds(args: unknown): { fromNode?: string; toNode?: string } {
  const node = (end: unknown) =>
    typeof end === "string" && end.includes(".") ? nodeOf(end) : undefined;
  const { from, to } = (typeof args === "object" && args !== null ? args : {}) as {
    from?: unknown;
    to?: unknown;
  };
  return { fromNode: node(from), toNode: node(to) };
}

/** The argument naming a file (`path` of load_manifest and save_manifest), when given. */
function fileArgument(args: unknown): string | undefined {
  const path = (typeof args === "object" && args !== null ? args : {}) as { path?: unknown };
  return typeof path.path === "string" ? "path" : undefined;
}
