/**
 * The MCP endpoint over streamable HTTP as a request handler, without a server of its own: what
 * {@linkcode serveHttp} serves on its port, and what the dashboard serves at `/mcp` on its own
 * port when it is given {@linkcode createMcpEndpoint} (as an `HttpEndpointFactory`).
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Runtime } from "../mod.ts";
import { type BodyLimits, BodyReadError, readBodyText } from "../frontend/read_body.ts";
import { checkRequest, type HttpGuard, refuse } from "../frontend/http_guard.ts";
import type { HttpEndpoint } from "../frontend/http_endpoint.ts";
import { NOT_UTF8, screenMessage } from "./message_gate.ts";
import { buildMcpServer, type McpServerOptions } from "./server.ts";
import { MCP_MAX_MESSAGE_BYTES } from "./stdio_transport.ts";
import { relaySse } from "./sse_relay.ts";

/**
 * How long an MCP session over HTTP may sit without a request, and without an open SSE stream
 * (GET), before it is closed (10 min).
 */
export const MCP_SESSION_IDLE_MS = 10 * 60 * 1000;

/** Most MCP sessions over HTTP open at once. */
export const MCP_MAX_SESSIONS = 32;

/** Options of {@linkcode createMcpEndpoint}. */
export interface McpEndpointOptions extends McpServerOptions {
  /**
   * Bounds of request bodies: `maxBytes` (default {@linkcode MCP_MAX_MESSAGE_BYTES}; larger answers
   * 413) and `timeoutMs`, how long a body may take to arrive (default 10000; slower answers 408).
   */
  readonly requestBody?: Partial<BodyLimits>;
  /**
   * A session with no request and no open SSE stream for this long is closed. Default
   * {@linkcode MCP_SESSION_IDLE_MS}.
   */
  readonly sessionIdleMs?: number;
  /**
   * Most sessions open at once; a new one beyond this closes the one idle longest (one
   * not listening on an SSE stream first). Default
   * {@linkcode MCP_MAX_SESSIONS}.
   */
  readonly maxSessions?: number;
  /**
   * Most bytes of notifications waiting on a session's SSE stream for a client that does not
   * read it; beyond them an event is dropped. Default 16 MiB (`MCP_MAX_SSE_QUEUED_BYTES`).
   */
  readonly maxQueuedBytes?: number;
}

/** The MCP endpoint: answers requests, keeps their sessions. */
export type McpEndpoint = HttpEndpoint;

/**
 * Makes the MCP endpoint for a runtime: each client session (begun with `initialize`) gets its
 * own MCP server, all acting on the one runtime; idle sessions expire and their number is
 * capped; every body is bounded in size and time and screened (see `screenMessage()`).
 *
 * @param runtime The runtime the tools act on.
 * @param options Server options, body bounds and session limits.
 * @returns The endpoint.
 *
 * @example Answer a request without the token
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMcpEndpoint } from "./http_endpoint.ts";
 * import { httpGuard } from "../frontend/http_guard.ts";
 * import { createRuntime } from "../processors/mod.ts";
 *
 * const endpoint = createMcpEndpoint(createRuntime());
 * const guard = httpGuard(8788, "0123456789abcdef0123456789abcdef");
 * const response = await endpoint.handle(
 *   new Request("http://127.0.0.1:8788/mcp", { method: "POST", body: "{}" }),
 *   guard,
 * );
 * assert.equal(response.status, 401);
 * await endpoint.close();
 * ```
 */
export function createMcpEndpoint(
  runtime: Runtime,
  options: McpEndpointOptions = {},
): McpEndpoint {
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
  // Sessions with an open SSE stream (GET): a client listening for notifications is not idle.
  const listening = new Map<string, number>();
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const [id, at] of lastUsed) {
      if (now - at >= idleMs && !listening.has(id)) endSession(id);
    }
  }, Math.max(10, Math.min(idleMs / 4, 30_000)));
  Deno.unrefTimer(sweeper);
  async function handle(request: Request, guard: HttpGuard): Promise<Response> {
    const refusal = checkRequest(guard, request);
    if (refusal) return refusal;
    const sessionId = request.headers.get("mcp-session-id");
    let body: unknown;
    if (request.method === "POST") {
      let text: string;
      try {
        text = await readBodyText(request, limits);
      } catch (error) {
        if (!(error instanceof BodyReadError)) throw error;
        // A body that is not UTF-8 is not JSON text: a parse error, as on stdio.
        if (error.code === "invalid_utf8") return Response.json(NOT_UTF8, { status: 400 });
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
      const response = await transport.handleRequest(
        request,
        request.method === "POST" ? { parsedBody: body } : undefined,
      );
      if (request.method !== "GET" || !response.ok || response.body === null) return response;
      return new Response(whileOpen(response.body, sessionId), response);
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
          // The session idle longest makes room, one not listening on an SSE stream first:
          // abandoned sessions never lock clients out.
          const quiet = (id: string) => listening.has(id) ? 1 : 0;
          const [oldest] = [...lastUsed].sort((a, b) =>
            quiet(a[0]) - quiet(b[0]) || a[1] - b[1]
          )[0];
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
    const response = await created.handleRequest(request, { parsedBody: body });
    // Refused before a session began (406 without the Accept MCP needs, 415 for a Content-Type
    // that is not JSON): nothing holds the server, so it is closed with its runtime listener.
    if (created.sessionId === undefined) await mcp.close();
    return response;
  }

  /** The SSE stream's body, counting the session as listening until the stream ends. */
  function whileOpen(body: ReadableStream<Uint8Array>, id: string): ReadableStream<Uint8Array> {
    listening.set(id, (listening.get(id) ?? 0) + 1);
    return relaySse(body, {
      onEnd: () => {
        const left = (listening.get(id) ?? 1) - 1;
        if (left > 0) listening.set(id, left);
        else listening.delete(id);
        // Idle from the moment its last stream closed.
        if (lastUsed.has(id)) lastUsed.set(id, performance.now());
      },
    }, options.maxQueuedBytes);
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      clearInterval(sweeper);
      for (const transport of [...transports.values()]) await transport.close();
      transports.clear();
      lastUsed.clear();
      listening.clear();
    })();
  return {
    handle,
    get sessions() {
      return transports.size;
    },
    close,
  };
}
