/**
 * `GET /api/v1/stream`: the WebSocket event stream.
 *
 * @module
 */

import { Hono } from "hono";
import { requireToken } from "./auth.ts";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";

/**
 * The stream route: token (header or `?token=`) and origin checked, then upgraded and handed to
 * the hub.
 *
 * @param ctx The API context.
 * @returns The route.
 */
export function streamRoutes(ctx: ApiContext): Hono {
  const api = new Hono();
  api.get("/stream", requireToken(ctx.policy, true), (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(
        426,
        "upgrade_required",
        "Cannot stream over plain HTTP: open a WebSocket to this URL",
        { field: "upgrade", choices: ["websocket"] },
      );
    }
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 30 });
    ctx.hub.attach(socket);
    return response;
  });
  return api;
}
