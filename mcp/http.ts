/**
 * `serveHttp()`: the MCP server over streamable HTTP on a loopback port, behind a bearer token.
 *
 * @module
 */

import type { Runtime } from "../mod.ts";
import {
  createMcpEndpoint,
  MCP_MAX_SESSIONS,
  MCP_SESSION_IDLE_MS,
  type McpEndpointOptions,
} from "./http_endpoint.ts";
import { checkRequest, httpGuard, LOOPBACK_HOSTS, refuse } from "../frontend/http_guard.ts";
import { createToken, tokenProblem } from "../frontend/token.ts";
import { serveStoppable } from "../frontend/http_server.ts";

/**
 * The path of the MCP endpoint.
 *
 * @example The endpoint of a server
 * ```ts
 * import assert from "node:assert/strict";
 * import { MCP_PATH } from "@streamlib/streamlib/mcp";
 *
 * assert.equal(`http://127.0.0.1:8788${MCP_PATH}`, "http://127.0.0.1:8788/mcp");
 * ```
 */
export const MCP_PATH = "/mcp";

/**
 * Options of {@linkcode serveHttp}.
 *
 * @example Beside a dashboard, with its token
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HttpServerOptions } from "@streamlib/streamlib/mcp";
 *
 * const options: HttpServerOptions = {
 *   port: 8788,
 *   token: "4f0c2a9e1b7d4c3a8e6f5d2c1b0a9f8e",
 *   allowedOrigins: ["http://127.0.0.1:8787"],
 * };
 * assert.equal(options.port, 8788);
 * ```
 */
export interface HttpServerOptions extends McpEndpointOptions {
  /** The TCP port; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** A loopback address: `127.0.0.1` (default), `localhost` or `::1`. Others are refused. */
  readonly hostname?: string;
  /** The bearer token clients must send. Default: 32 random hex digits, made now. */
  readonly token?: string;
  /** Origins besides the server's own that a browser may call it from. */
  readonly allowedOrigins?: readonly string[];
}

export { MCP_MAX_SESSIONS, MCP_SESSION_IDLE_MS };

/**
 * A running HTTP MCP server.
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
 * import assert from "node:assert/strict";
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
 * assert.equal((await client.listTools()).tools.length, 16);
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
  const token = options.token ?? createToken();
  if (tokenProblem(token) !== undefined) {
    throw new TypeError(
      `Cannot serve MCP with this token: it must be 16 to 128 letters, digits, '_' or '-'`,
    );
  }
  const endpoint = createMcpEndpoint(runtime, options);
  let guard = httpGuard(0, token);
  // Stopped with a signal: a request held half-sent cannot hold close().
  const { server, stop } = serveStoppable(
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
    (request) => {
      const path = new URL(request.url).pathname;
      if (path === MCP_PATH) return endpoint.handle(request, guard);
      const refusal = checkRequest(guard, request);
      return Promise.resolve(
        refusal ??
          refuse(404, `Cannot find ${path.slice(0, 200)}: the MCP endpoint is ${MCP_PATH}`),
      );
    },
  );
  const port = server.addr.port;
  guard = httpGuard(port, token, options.allowedOrigins);

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await endpoint.close();
      await stop();
    })();
  const host = hostname === "::1" ? "[::1]" : hostname;
  return {
    url: `http://${host}:${port}${MCP_PATH}`,
    token,
    port,
    get sessions() {
      return endpoint.sessions;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
