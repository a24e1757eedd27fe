/**
 * `serveHttp()`: the MCP server over streamable HTTP on a loopback port, behind a bearer token.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Runtime } from "../mod.ts";
import { type BodyLimits, BodyReadError, readBodyText } from "../web/read_body.ts";
import { checkRequest, httpGuard, LOOPBACK_HOSTS, refuse } from "./http_guard.ts";
import { screenMessage } from "./message_gate.ts";
import { buildMcpServer, type McpServerOptions } from "./server.ts";
import { MCP_MAX_MESSAGE_BYTES } from "./stdio_transport.ts";

/**
 * The path of the MCP endpoint.
 *
 * @example The endpoint of a server
 * ```ts
 * import { MCP_PATH } from "@streamlib/streamlib/mcp";
 *
 * console.log(`http://127.0.0.1:8788${MCP_PATH}`); // http://127.0.0.1:8788/mcp
 * ```
 */
export const MCP_PATH = "/mcp";

/**
 * Options of {@linkcode serveHttp}.
 *
 * @example Beside a dashboard, with its token
 * ```ts
 * import type { HttpServerOptions } from "@streamlib/streamlib/mcp";
 *
 * const options: HttpServerOptions = {
 *   port: 8788,
 *   token: "4f0c2a9e1b7d4c3a8e6f5d2c1b0a9f8e",
 *   allowedOrigins: ["http://127.0.0.1:8787"],
 * };
 * console.log(options.port); // 8788
 * ```
 */
export interface HttpServerOptions extends McpServerOptions {
  /** The TCP port; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** A loopback address: `127.0.0.1` (default), `localhost` or `::1`. Others are refused. */
  readonly hostname?: string;
  /** The bearer token clients must send. Default: 32 random hex digits, made now. */
  readonly token?: string;
  /** Origins besides the server's own that a browser may call it from. */
  readonly allowedOrigins?: readonly string[];
  /**
   * Bounds of request bodies: `maxBytes` (default {@linkcode MCP_MAX_MESSAGE_BYTES}; larger answers
   * 413) and `timeoutMs`, how long a body may take to arrive (default 10000; slower answers 408).
   */
  readonly requestBody?: Partial<BodyLimits>;
  /** A session with no request for this long is closed. Default {@linkcode MCP_SESSION_IDLE_MS}. */
  readonly sessionIdleMs?: number;
  /**
   * Most sessions open at once; a new one beyond this closes the one idle longest. Default
   * {@linkcode MCP_MAX_SESSIONS}.
   */
  readonly maxSessions?: number;
}

/** How long an MCP session over HTTP may sit without a request before it is closed (10 min). */
export const MCP_SESSION_IDLE_MS = 10 * 60 * 1000;

/** Most MCP sessions over HTTP open at once. */
export const MCP_MAX_SESSIONS = 32;

/**
 * A running HTTP MCP server.
 *
 * @example Print where clients connect, then close it
 * ```ts
 * import { serveHttp } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const server = await serveHttp(createRuntime());
 * console.log(server.url, server.sessions); // http://127.0.0.1:<port>/mcp 0
 * await server.close();
 * ```
 */
export interface HttpMcpServer extends AsyncDisposable {
  /** The endpoint, `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  /** The token (`Authorization: Bearer <token>`). */
  readonly token: string;
  /** The bound port. */
  readonly port: number;
  /** Open sessions. */
  readonly sessions: number;
  /** Closes every session and stops serving. Idempotent; the runtime is left as it is. */
  close(): Promise<void>;
}

/**
 * Serves the runtime's MCP server over streamable HTTP at `http://127.0.0.1:<port>/mcp`. Every
 * request needs `Authorization: Bearer <token>`; the Host header must name the loopback address
 * and port (DNS rebinding), and a browser's Origin must be the server's own or an allowed one.
 * Each client session gets its own MCP server; all act on the one runtime. Malformed requests are
 * answered with JSON-RPC errors and never stop the server.
 *
 * @param runtime The runtime the tools act on.
 * @param options Port, loopback address, token and allowed origins.
 * @returns The running server.
 * @throws {TypeError} When the address is not a loopback address or the token is malformed.
 *
 * @example Connect the SDK's client
 * ```ts
 * import { Client } from "npm:@modelcontextprotocol/sdk@1.32.2/client";
 * // @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/streamableHttp"
 * import { StreamableHTTPClientTransport } from "npm:@modelcontextprotocol/sdk@1.32.2/client/streamableHttp.js";
 * import { serveHttp } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * await using server = await serveHttp(createRuntime());
 * const transport = new StreamableHTTPClientTransport(new URL(server.url), {
 *   requestInit: { headers: { authorization: `Bearer ${server.token}` } },
 * });
 * const client = new Client({ name: "example", version: "1.0.0" });
 * await client.connect(transport);
 * console.log((await client.listTools()).tools.length); // 15
 * await client.close();
 * ```
 */
// deno-lint-ignore require-await
export async function serveHttp(
  runtime: Runtime,
  options: HttpServerOptions = {},
): Promise<HttpMcpServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  if (![...LOOPBACK_HOSTS, "::1"].includes(hostname)) {
    throw new TypeError(
      `Cannot serve MCP on '${hostname}': only loopback addresses are allowed (127.0.0.1, localhost, ::1)`,
    );
  }
  const token = options.token ?? randomToken();
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) {
    throw new TypeError(
      `Cannot serve MCP with this token: it must be 16 to 128 letters, digits, '_' or '-'`,
    );
  }
  const limits: BodyLimits = {
    maxBytes: MCP_MAX_MESSAGE_BYTES,
    timeoutMs: 10_000,
    ...options.requestBody,
  };
  const idleMs = options.sessionIdleMs ?? MCP_SESSION_IDLE_MS;
  const maxSessions = Math.max(1, options.maxSessions ?? MCP_MAX_SESSIONS);
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const lastUsed = new Map<string, number>();
  const endSession = (id: string) => {
    const transport = transports.get(id);
    transports.delete(id);
    lastUsed.delete(id);
    transport?.close().catch(() => {});
  };
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const [id, at] of lastUsed) if (now - at >= idleMs) endSession(id);
  }, Math.max(10, Math.min(idleMs / 4, 30_000)));
  Deno.unrefTimer(sweeper);
  let guard = httpGuard(0, token);
  const server = Deno.serve(
    {
      hostname,
      port: options.port ?? 0,
      onListen: () => {},
      // The last line: nothing a client sends ends the process.
      onError: (error) => {
        console.error(`streamlib mcp: internal error: ${(error as Error)?.stack ?? error}`);
        return refuse(500, "Internal error", -32603);
      },
    },
    (request) => handle(request),
  );
  const port = server.addr.port;
  guard = httpGuard(port, token, options.allowedOrigins);

  async function handle(request: Request): Promise<Response> {
    const refusal = checkRequest(guard, request);
    if (refusal) return refusal;
    if (new URL(request.url).pathname !== MCP_PATH) {
      return refuse(
        404,
        `Cannot find ${new URL(request.url).pathname}: the MCP endpoint is ${MCP_PATH}`,
      );
    }
    const sessionId = request.headers.get("mcp-session-id");
    let body: unknown;
    if (request.method === "POST") {
      let text: string;
      try {
        text = await readBodyText(request, limits);
      } catch (error) {
        if (!(error instanceof BodyReadError)) throw error;
        return refuse(error.status, error.message);
      }
      try {
        body = JSON.parse(text);
      } catch (error) {
        const reason = (error as Error).message.slice(0, 200);
        return refuse(400, `Parse error: the body is not JSON: ${reason}`, -32700);
      }
    }
    const transport = sessionId === null ? undefined : transports.get(sessionId);
    if (sessionId !== null && !transport) {
      return refuse(
        404,
        `Cannot find session '${
          sessionId.slice(0, 80)
        }': it ended or expired (idle over ${idleMs} ms); initialize a new one`,
        -32001,
      );
    }
    if (request.method === "POST") {
      // The same screen as stdio: batches refused, malformed params answered with the request's
      // id (200, so a client matches the error to its request), other junk 400.
      const screened = screenMessage(body);
      if ("reply" in screened) {
        if (!screened.reply) return new Response(null, { status: 202 });
        return Response.json(screened.reply, { status: screened.reply.id === null ? 400 : 200 });
      }
    }
    if (sessionId !== null && transport) {
      lastUsed.set(sessionId, performance.now());
      return await transport.handleRequest(
        request,
        request.method === "POST" ? { parsedBody: body } : undefined,
      );
    }
    if (request.method !== "POST") {
      return refuse(400, "Missing mcp-session-id header: initialize a session with a POST first");
    }
    if (!isInitializeRequest(body)) {
      return refuse(
        400,
        "Missing mcp-session-id header: the first request of a session must be 'initialize'",
      );
    }
    const created = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        while (transports.size >= maxSessions) {
          // The session idle longest makes room: abandoned sessions never lock clients out.
          const [oldest] = [...lastUsed].sort((a, b) => a[1] - b[1])[0];
          endSession(oldest);
        }
        transports.set(id, created);
        lastUsed.set(id, performance.now());
      },
      onsessionclosed: (id) => void transports.delete(id),
    });
    const mcp = buildMcpServer(runtime, options);
    created.onclose = () => {
      if (created.sessionId) {
        transports.delete(created.sessionId);
        lastUsed.delete(created.sessionId);
      }
    };
    await mcp.connect(created);
    return await created.handleRequest(request, { parsedBody: body });
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      clearInterval(sweeper);
      for (const transport of [...transports.values()]) await transport.close();
      transports.clear();
      lastUsed.clear();
      await server.shutdown();
    })();
  const host = hostname === "::1" ? "[::1]" : hostname;
  return {
    url: `http://${host}:${port}${MCP_PATH}`,
    token,
    port,
    get sessions() {
      return transports.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
