/**
 * The control API, versioned under `/api/v1`: Hono routes per resource, with host, origin and
 * token checks and JSON errors.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { API_VERSION } from "../../shared/protocol.ts";
import { originGuard, requireToken } from "./auth.ts";
import type { ApiContext } from "./context.ts";
import { ApiError, toApiError } from "./errors.ts";
import { graphRoutes } from "./graph.ts";
import { historyRoutes } from "./history_route.ts";
import { latencyRoutes } from "./latency_route.ts";
import { layoutRoutes } from "./layout_route.ts";
import { manifestRoutes } from "./manifest.ts";
import { pluginRoutes } from "./plugins.ts";
import { processorRoutes } from "./processors.ts";
import { runtimeRoutes } from "./runtime.ts";
import { requestText } from "./validation.ts";
import { streamRoutes } from "./stream_route.ts";
import { webrtcRoutes } from "./webrtc_route.ts";

/** Every endpoint, as `GET /api/v1` lists it (on a bind beyond loopback, all need the token). */
export const ENDPOINTS: readonly { method: string; path: string; token: boolean }[] = [
  { method: "GET", path: "/api/v1", token: false },
  { method: "GET", path: "/api/v1/processors", token: false },
  { method: "GET", path: "/api/v1/processors/:name", token: false },
  { method: "GET", path: "/api/v1/plugins", token: false },
  { method: "GET", path: "/api/v1/graph", token: false },
  { method: "GET", path: "/api/v1/nodes/:id", token: false },
  { method: "POST", path: "/api/v1/nodes", token: true },
  { method: "DELETE", path: "/api/v1/nodes/:id", token: true },
  { method: "PATCH", path: "/api/v1/nodes/:id/config", token: true },
  { method: "POST", path: "/api/v1/connections", token: true },
  { method: "DELETE", path: "/api/v1/connections/:id", token: true },
  { method: "DELETE", path: "/api/v1/connections?to=node.port", token: true },
  { method: "GET", path: "/api/v1/runtime", token: false },
  { method: "POST", path: "/api/v1/runtime/:action", token: true },
  { method: "GET", path: "/api/v1/stats", token: false },
  { method: "GET", path: "/api/v1/events", token: false },
  { method: "GET", path: "/api/v1/history", token: false },
  { method: "GET", path: "/api/v1/latency", token: false },
  { method: "PUT", path: "/api/v1/latency", token: true },
  { method: "DELETE", path: "/api/v1/latency", token: true },
  { method: "GET", path: "/api/v1/stream", token: true },
  { method: "GET", path: "/api/v1/manifest", token: false },
  { method: "POST", path: "/api/v1/manifest", token: true },
  { method: "PUT", path: "/api/v1/layout/:id", token: true },
  { method: "POST", path: "/api/v1/whep/:id", token: true },
  { method: "DELETE", path: "/api/v1/whep/:id/:session", token: true },
  { method: "POST", path: "/api/v1/whip/:id", token: true },
  { method: "DELETE", path: "/api/v1/whip/:id/:session", token: true },
  { method: "POST", path: "/api/v1/live/:node/:port", token: true },
  { method: "DELETE", path: "/api/v1/live/:node/:port/:session", token: true },
];

/**
 * Answers an error with its JSON body.
 *
 * @param error What was thrown.
 * @param c The request context.
 * @returns The response.
 */
export function errorResponse(error: unknown, c: Context): Response {
  const e = toApiError(error);
  return c.json(e.body(), e.status as 400);
}

/**
 * The API app, to mount under `/api/v1`.
 *
 * @param ctx The runtime, registry, hub and access policy.
 * @returns The app.
 */
export function createApi(ctx: ApiContext): Hono {
  const api = new Hono();
  api.onError(errorResponse);
  api.use("*", originGuard(ctx.policy));
  // A page on an origin of `allowedOrigins` (a WHEP player of one's own) calls with a token and
  // an SDP body, so its browser asks first (a preflight, without the token) and reads the
  // answer's Location: answer both for the allowed origins only (the guard refused the rest).
  api.use(
    "*",
    cors({
      origin: (origin) => ctx.policy.origins.has(origin) ? origin : null,
      allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
      allowHeaders: ["authorization", "content-type"],
      exposeHeaders: ["location"],
      maxAge: 600,
    }),
  );
  api.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      await requireToken(ctx.policy)(c, next);
    } else if (ctx.policy.readsNeedToken) {
      await requireToken(ctx.policy, true)(c, next); // beyond loopback: reads too
    } else await next();
  });
  // One body-reading path for every route: a mutating request's body is read whole (bounded in
  // size and time) before any route acts, so a cut-off DELETE changes nothing either.
  api.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      await requestText(c.req.raw, ctx.bodyLimits);
    }
    await next();
  });
  api.get("/", (c) => {
    const all = ctx.policy.readsNeedToken;
    const endpoints = ENDPOINTS.map((e) => ({ ...e, token: e.token || all }));
    return c.json({ version: API_VERSION, endpoints });
  });
  api.route("/", processorRoutes(ctx));
  api.route("/", pluginRoutes(ctx));
  api.route("/", graphRoutes(ctx));
  api.route("/", manifestRoutes(ctx));
  api.route("/", layoutRoutes(ctx));
  api.route("/", runtimeRoutes(ctx));
  api.route("/", historyRoutes(ctx));
  api.route("/", latencyRoutes(ctx));
  api.route("/", streamRoutes(ctx));
  api.route("/", webrtcRoutes(ctx));
  api.notFound(apiNotFound);
  return api;
}

/**
 * Answers a request no API route took: 405 with an `Allow` header naming the allowed methods
 * when the path exists, 404 otherwise. A path with a trailing slash is not the path without one:
 * it is a 404 that names the path to use.
 *
 * @param c The request context.
 * @returns The response.
 */
export function apiNotFound(c: Context): Response {
  const full = c.req.path;
  const path = full.length > 200 ? `${full.slice(0, 200)}...` : full;
  const allowed = [...new Set(ENDPOINTS.filter((e) => matches(e.path, full)).map((e) => e.method))];
  if (allowed.length > 0) {
    const error = new ApiError(
      405,
      "method_not_allowed",
      `Cannot ${c.req.method} ${path}: allowed methods are ${allowed.join(", ")}`,
      { field: "method", choices: allowed },
    );
    return c.json(error.body(), 405, { allow: allowed.join(", ") });
  }
  const trimmed = full.replace(/\/+$/, "");
  const known = trimmed !== full && ENDPOINTS.some((e) => matches(e.path, trimmed));
  const error = new ApiError(
    404,
    "not_found",
    known
      ? `Cannot find ${path}: paths have no trailing slash, use ${trimmed.slice(0, 200)}`
      : `Cannot find ${path}: see GET /api/v1 for the endpoints`,
  );
  return c.json(error.body(), 404);
}

function matches(pattern: string, path: string): boolean {
  const clean = pattern.split("?")[0];
  const regex = new RegExp(`^${clean.replace(/:[a-z]+/g, "[^/]+")}$`);
  return regex.test(path);
}
