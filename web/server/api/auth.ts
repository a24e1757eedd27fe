/**
 * Who may talk to the dashboard: the Host header (against DNS rebinding), the Origin header
 * (against other sites' pages) and the token (for mutating calls and the event stream, and on a
 * bind beyond loopback for reads too).
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { tokensMatch } from "../../../frontend/token.ts";
import { ApiError } from "./errors.ts";
import { quote } from "../../../core/errors/quote.ts";

/** The access rules of one dashboard. */
export interface AccessPolicy {
  /** The token. */
  readonly token: string;
  /** `host:port` values the Host header may have, or `null` to accept any (non-loopback binds). */
  readonly hosts: ReadonlySet<string> | null;
  /** Origins (`http://host:port`) allowed to call mutating endpoints and open the stream. */
  readonly origins: ReadonlySet<string>;
  /**
   * Whether reads (GET of the API, and the graph in the page) need the token too: on a bind
   * beyond loopback, where the Host header cannot be checked, so a DNS-rebinding page (which has
   * no token) reads nothing.
   */
  readonly readsNeedToken: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * The access policy of a dashboard bound to `hostname:port`. On a loopback address the Host
 * header must name a loopback host and the port; allowed origins are those hosts plus `extra`.
 * Beyond loopback any Host is served, so reads need the token as well.
 *
 * @param token The token.
 * @param hostname The bound address.
 * @param port The bound port.
 * @param extra More allowed origins.
 * @returns The policy.
 */
export function accessPolicy(
  token: string,
  hostname: string,
  port: number,
  extra: readonly string[] = [],
): AccessPolicy {
  const names = LOOPBACK.has(hostname)
    ? ["127.0.0.1", "localhost", "[::1]"]
    : [hostname.includes(":") ? `[${hostname}]` : hostname];
  const hosts = names.map((name) => `${name}:${port}`);
  const loopback = LOOPBACK.has(hostname);
  return {
    token,
    hosts: loopback ? new Set(hosts) : null,
    origins: new Set([...hosts.map((h) => `http://${h}`), ...extra]),
    readsNeedToken: !loopback,
  };
}

/**
 * Refuses requests whose Host header is not the dashboard's (a DNS-rebinding page would send
 * its own name).
 *
 * @param policy The policy.
 * @returns The middleware.
 */
export function hostGuard(policy: AccessPolicy): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host") ?? "";
    if (policy.hosts && !policy.hosts.has(host.toLowerCase())) {
      throw new ApiError(
        403,
        "forbidden_host",
        `Cannot serve host ${JSON.stringify(host)}: use ${[...policy.hosts].join(" or ")}`,
        { field: "host", choices: [...policy.hosts] },
      );
    }
    await next();
  };
}

/**
 * Refuses requests that carry an Origin header naming another site. Requests without one
 * (programs, curl) pass; the token still applies. On a non-loopback bind, an Origin equal to
 * `http://` and the request's Host is the dashboard's own page reached by another name; a
 * DNS-rebinding page looks the same, which is why reads need the token there
 * ({@linkcode AccessPolicy.readsNeedToken}).
 *
 * @param policy The policy.
 * @returns The middleware.
 */
export function originGuard(policy: AccessPolicy): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    // Bound beyond loopback (no Host allow-list), a page of the dashboard's own origin, under
    // whatever name the machine was reached by, is same-origin.
    const sameOrigin = policy.hosts === null && origin === `http://${c.req.header("host")}`;
    if (origin !== undefined && !policy.origins.has(origin) && !sameOrigin) {
      throw new ApiError(
        403,
        "forbidden_origin",
        `Cannot accept a request from origin ${
          JSON.stringify(quote(origin))
        }: allowed origins are ${
          [...policy.origins].join(", ")
        } (to call the API from a page of your own, add its origin to the dashboard's allowedOrigins option, createDashboard(rt, { allowedOrigins: ["${
          quote(origin)
        }"] }), or serve the page from the dashboard's origin; see docs/webrtc.md)`,
        { field: "origin", choices: [...policy.origins] },
      );
    }
    await next();
  };
}

/**
 * Whether a request presents the token (`Authorization: Bearer <token>` or `?token=`).
 *
 * @param policy The policy.
 * @param request The request.
 * @returns Whether it does.
 */
export function presentsToken(policy: AccessPolicy, request: Request): boolean {
  const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const presented = bearer ?? new URL(request.url).searchParams.get("token") ?? undefined;
  return presented !== undefined && tokensMatch(presented, policy.token);
}

/**
 * Requires the token: `Authorization: Bearer <token>`, or (with `query`, for WebSockets, which
 * browsers open without custom headers) a `token` query parameter.
 *
 * @param policy The policy.
 * @param query Whether the query parameter counts.
 * @returns The middleware.
 */
export function requireToken(policy: AccessPolicy, query = false): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const presented = bearer ?? (query ? c.req.query("token") : undefined);
    if (presented === undefined) {
      throw new ApiError(
        401,
        "missing_token",
        `Cannot ${c.req.method} ${c.req.path} without the token: send 'Authorization: Bearer <token>'${
          query ? " or ?token=<token>" : ""
        } (the token is in the dashboard URL printed at start)`,
        { field: "authorization" },
      );
    }
    if (!tokensMatch(presented, policy.token)) {
      throw new ApiError(
        401,
        "invalid_token",
        "Cannot accept the token: it is not this dashboard's (each start makes a new one: use the token in the URL printed at start)",
        {
          field: "authorization",
        },
      );
    }
    await next();
  };
}
