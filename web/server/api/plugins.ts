/**
 * `GET /api/v1/plugins`: the plugins the dashboard was given (their metadata, folder,
 * processors and, for one with a dashboard module, the URL it is served at).
 *
 * @module
 */

import { Hono } from "hono";
import type { ApiContext } from "./context.ts";

/**
 * The plugin list route.
 *
 * @param ctx The API context.
 * @returns The route.
 */
export function pluginRoutes(ctx: ApiContext): Hono {
  const api = new Hono();
  api.get("/plugins", (c) => c.json({ plugins: ctx.plugins }));
  return api;
}
