/**
 * Who may talk to the MCP server over HTTP: the Host header (against DNS rebinding), the Origin
 * header (against other sites' pages in a browser) and the bearer token.
 *
 * @module
 */

import { tokensMatch } from "./token.ts";
import { quote } from "../core/errors/quote.ts";

/** The loopback names the server answers to. */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

/** The rules of one server bound to a loopback port. */
export interface HttpGuard {
  /** `host:port` values the Host header may have. */
  readonly hosts: ReadonlySet<string>;
  /** Origins a browser request may come from. */
  readonly origins: ReadonlySet<string>;
  /** The bearer token. */
  readonly token: string;
}

/**
 * The rules for a server on `port` with `token`, allowing `extraOrigins` besides its own.
 *
 * @param port The bound port.
 * @param token The bearer token.
 * @param extraOrigins More origins to allow (a dashboard's page, say).
 * @returns The rules.
 *
 * @example Allowed hosts
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpGuard } from "./http_guard.ts";
 *
 * assert.deepEqual(
 *   [...httpGuard(8788, "t".repeat(32)).hosts],
 *   ["127.0.0.1:8788", "localhost:8788", "[::1]:8788"],
 * );
 * ```
 */
export function httpGuard(
  port: number,
  token: string,
  extraOrigins: readonly string[] = [],
): HttpGuard {
  const hosts = LOOPBACK_HOSTS.map((h) => `${h}:${port}`);
  return {
    hosts: new Set(hosts),
    origins: new Set([...hosts.map((h) => `http://${h}`), ...extraOrigins]),
    token,
  };
}

/**
 * Checks a request against the rules and returns the refusal to send, or `undefined` when it
 * may pass. Refusals are JSON-RPC error bodies with a message that says what to do.
 *
 * @param guard The rules.
 * @param request The request.
 * @returns A 403 (Host, Origin) or 401 (token) response, or `undefined`.
 *
 * @example A request without the token
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRequest, httpGuard } from "./http_guard.ts";
 *
 * const guard = httpGuard(8788, "0123456789abcdef0123456789abcdef");
 * const refusal = checkRequest(guard, new Request("http://127.0.0.1:8788/mcp", { method: "POST" }));
 * assert.equal(refusal?.status, 401);
 * ```
 */
export function checkRequest(guard: HttpGuard, request: Request): Response | undefined {
  const host = (request.headers.get("host") ?? new URL(request.url).host).toLowerCase();
  if (!guard.hosts.has(host)) {
    return refuse(
      403,
      `Cannot serve host '${host}': this server answers to ${[...guard.hosts].join(", ")}`,
    );
  }
  const origin = request.headers.get("origin");
  if (origin !== null && !guard.origins.has(origin)) {
    return refuse(
      403,
      `Cannot accept a request from origin '${quote(origin)}': allowed origins are ${
        [...guard.origins].join(", ")
      } (add the page's origin to the server's allowedOrigins option: serveHttp()'s (MCP over HTTP), or createDashboard()'s for /mcp on the dashboard)`,
    );
  }
  const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer === undefined) {
    return refuse(
      401,
      "Missing token: send 'Authorization: Bearer <token>' (the token is printed when the server starts)",
    );
  }
  if (!tokensMatch(bearer, guard.token)) {
    return refuse(401, "Invalid token: it is not this server's");
  }
  return undefined;
}

/**
 * A JSON-RPC error response with an HTTP status.
 *
 * @param status The HTTP status.
 * @param message The message.
 * @param code The JSON-RPC error code. Default -32600 (invalid request).
 * @returns The response.
 */
export function refuse(status: number, message: string, code = -32600): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="streamlib"';
  return new Response(
    JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }),
    { status, headers },
  );
}
