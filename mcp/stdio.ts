/**
 * `serveStdio()`: the MCP server on this process's stdin and stdout (what `streamlib mcp` runs).
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/types"
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { JsonRpcErrorReply } from "./message_gate.ts";
export type { JsonRpcErrorReply } from "./message_gate.ts";
import type { Runtime } from "../mod.ts";
import { buildMcpServer, type McpServerOptions } from "./server.ts";
import { InvalidMessageError, LineTransport, MessageTooLargeError } from "./stdio_transport.ts";

/**
 * A server serving on stdio.
 *
 * @example Wait for the client to leave, then stop the pipeline
 * ```ts ignore
 * import { serveStdio } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const server = await serveStdio(rt);
 * await server.closed;
 * if (rt.state === "running") await rt.stop();
 * ```
 */
export interface StdioServer {
  /** Resolves when the client goes away (stdin closes) or {@linkcode StdioServer.close} is called. */
  readonly closed: Promise<void>;
  /** Stops serving. Idempotent; the runtime is left as it is. */
  close(): Promise<void>;
}

/**
 * Options of {@linkcode serveStdio}.
 *
 * @example Log diagnostics to a file instead of stderr
 * ```ts
 * import type { StdioServerOptions } from "@streamlib/streamlib/mcp";
 *
 * const log = await Deno.makeTempFile({ suffix: ".log" });
 * const options: StdioServerOptions = {
 *   log: (line) => Deno.writeTextFileSync(log, `${line}\n`, { append: true }),
 * };
 * options.log?.("started");
 * console.log(Deno.readTextFileSync(log)); // started
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
 * read; the end of stdin (the client left) always resolves `closed`. A line that is not JSON is
 * answered with a JSON-RPC parse error (-32700) and `id: null`; a batch or a JSON value that is
 * not a JSON-RPC message with an invalid request error (-32600), and a request whose params do not
 * fit its method with invalid params (-32602), both with the request's id when it is a valid one
 * (see `screenMessage()`); the server keeps serving. Diagnostics go to
 * stderr, never stdout.
 *
 * @param runtime The runtime the tools act on.
 * @param options Server options and where to log.
 * @returns The serving server; await `closed` to know when the client left.
 *
 * @example A program an MCP client can start
 * ```ts ignore
 * import { serveStdio } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const server = await serveStdio(rt);
 * await server.closed; // the client closed stdin
 * if (rt.state === "running" || rt.state === "paused") await rt.stop();
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
    write: async (bytes) => {
      for (let done = 0; done < bytes.length;) {
        done += await Deno.stdout.write(bytes.subarray(done));
      }
    },
    maxMessageBytes: options.maxMessageBytes,
  });
  const { promise: closed, resolve } = Promise.withResolvers<void>();
  server.onerror = (error) => {
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
  return { closed, close };
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
