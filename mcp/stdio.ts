/**
 * `serveStdio()`: the MCP server on this process's stdin and stdout (what `streamlib mcp` runs).
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/types"
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { JsonRpcErrorReply } from "./message_gate.ts";
export type { JsonRpcErrorReply } from "./message_gate.ts";
import { type Runtime, writeStdout } from "../mod.ts";
import { buildMcpServer, type McpServerOptions } from "./server.ts";
import { InvalidMessageError, LineTransport, MessageTooLargeError } from "./stdio_transport.ts";

/**
 * A server serving on stdio.
 */
export interface StdioServer {
  /**
   * Resolves when the client goes away (stdin closes, or a write to stdout fails because it
   * closed its end) or {@linkcode StdioServer.close} is called.
   */
  readonly closed: Promise<void>;
  /**
   * The failed write to stdout that ended serving (`EPIPE`: the client closed its end), or
   * `undefined` while none has.
   */
  readonly writeError: Error | undefined;
  /** Stops serving. Idempotent; the runtime is left as it is. */
  close(): Promise<void>;
}

/**
 * Options of {@linkcode serveStdio}.
 *
 * @example Log diagnostics to a file instead of stderr
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StdioServerOptions } from "@streamlib/streamlib/mcp";
 *
 * const log = await Deno.makeTempFile({ suffix: ".log" });
 * const options: StdioServerOptions = {
 *   log: (line) => Deno.writeTextFileSync(log, `${line}\n`, { append: true }),
 * };
 * options.log?.("started");
 * assert.equal(Deno.readTextFileSync(log), "started\n");
 * ```
 */
export interface StdioServerOptions extends McpServerOptions {
  /** Where diagnostics go (never stdout, which carries the protocol). Default: stderr. */
  readonly log?: (line: string) => void;
  /** The longest message (line) read. Default {@linkcode MCP_MAX_MESSAGE_BYTES} (4 MiB). */
  readonly maxMessageBytes?: number;
}

/**
 * Serves the runtime's MCP server on stdin/stdout. A line longer than `maxMessageBytes` is
 * discarded and answered with an invalid request error (-32600) carrying its id when it can be
 * read; the end of stdin (the client left) always resolves `closed`, as does a write to stdout
 * failing (the client closed its end; `writeError` says so). A line that is not JSON (or not
 * UTF-8) is answered with a JSON-RPC parse error (-32700) and `id: null`; a batch or a JSON value
 * that is not a JSON-RPC message with an invalid request error (-32600), and a request whose
 * params do not fit its method with invalid params (-32602), both with the request's id when it
 * is a valid one (see `screenMessage()`); the server keeps serving. Diagnostics go to stderr,
 * never stdout.
 *
 * @param runtime The runtime the tools act on.
 * @param options Server options and where to log.
 * @returns The serving server; await `closed` to know when the client left.
 *
 * @example A program an MCP client can start, and a client that lists its tools
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const program = `
 *   import { serveStdio } from "@streamlib/streamlib/mcp";
 *   import { createRuntime } from "@streamlib/streamlib/processors";
 *
 *   const rt = createRuntime();
 *   const server = await serveStdio(rt);
 *   await server.closed; // the client closed stdin
 *   if (rt.state === "running" || rt.state === "paused") await rt.stop();
 * `;
 * const child = new Deno.Command(Deno.execPath(), {
 *   args: ["eval", program],
 *   stdin: "piped",
 *   stdout: "piped",
 *   stderr: "null",
 * }).spawn();
 * const send = child.stdin.getWriter();
 * const request = (message: object) =>
 *   send.write(new TextEncoder().encode(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n"));
 * await request({
 *   id: 1,
 *   method: "initialize",
 *   params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "doc", version: "1" } },
 * });
 * await request({ method: "notifications/initialized" });
 * await request({ id: 2, method: "tools/list" });
 * let received = "";
 * for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
 *   received += text; // one JSON-RPC message a line
 *   if (received.split("\n").some((line) => line.includes('"id":2'))) break;
 * }
 * const reply = JSON.parse(received.split("\n").find((line) => line.includes('"id":2'))!);
 * const tools = reply.result.tools.map((tool: { name: string }) => tool.name);
 * assert.ok(tools.includes("add_processor"));
 * await send.close(); // the server's `closed` resolves and the program ends
 * assert.equal((await child.status).code, 0);
 * ```
 */
export async function serveStdio(
  runtime: Runtime,
  options: StdioServerOptions = {},
): Promise<StdioServer> {
  const log = options.log ?? ((line: string) => console.error(line));
  const server = buildMcpServer(runtime, {
    ...options,
    onInternalError: options.onInternalError ??
      ((error) => log(`streamlib mcp: internal error: ${(error as Error)?.stack ?? error}`)),
  });
  const transport = new LineTransport({
    input: Deno.stdin.readable,
    // The original stdout even while the process's own is diverted to stderr (MCP on stdio).
    write: (bytes) => writeStdout(bytes),
    maxMessageBytes: options.maxMessageBytes,
  });
  const { promise: closed, resolve } = Promise.withResolvers<void>();
  server.onerror = (error) => {
    // Once stdout failed, what follows (the SDK's "Failed to send response") is its echo: the
    // caller reads `writeError` instead.
    if (transport.writeError) return;
    const reply = protocolErrorReply(error);
    log(`streamlib mcp: ${reply ? "bad request" : "error"}: ${error.message}`);
    if (reply) transport.send(reply as unknown as JSONRPCMessage).catch(() => {});
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await server.close();
      resolve();
    })();
  // The client closing stdin ends the transport, whatever came before it.
  const unsubscribe = server.onclose;
  server.onclose = () => {
    unsubscribe?.();
    void close();
  };
  await server.connect(transport);
  return {
    closed,
    close,
    get writeError() {
      return transport.writeError;
    },
  };
}

/**
 * The JSON-RPC error to answer a line that could not be read as a message with, or `undefined`
 * for other errors.
 *
 * @param error What the transport reported.
 * @returns The reply.
 */
export function protocolErrorReply(error: Error): JsonRpcErrorReply | undefined {
  if (error instanceof MessageTooLargeError) {
    return errorReply(ErrorCode.InvalidRequest, error.message, error.id);
  }
  if (error instanceof InvalidMessageError) return error.reply;
  if (error instanceof SyntaxError) {
    return errorReply(ErrorCode.ParseError, `Parse error: the line is not JSON: ${error.message}`);
  }
  return undefined;
}

function errorReply(
  code: number,
  message: string,
  id: string | number | null = null,
): JsonRpcErrorReply {
  return { jsonrpc: "2.0", id, error: { code, message } };
}
