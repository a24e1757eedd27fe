/**
 * `PUT /layout/:id`: places a node in the dashboard's drawing by hand (dropped from the palette,
 * or dragged). Only the drawing changes; the runtime never sees it.
 *
 * @module
 */

import { Hono } from "hono";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { onlyFields, readJsonObject } from "./validation.ts";

const ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const LIMIT = 1e6;

/**
 * The layout route.
 *
 * @param ctx The API context.
 * @returns The routes.
 */
export function layoutRoutes(ctx: ApiContext): Hono {
  const api = new Hono();
  api.put("/layout/:id", async (c) => {
    const body = await readJsonObject(c.req.raw, false, ctx.bodyLimits);
    const id = c.req.param("id");
    if (!ID.test(id)) {
      throw new ApiError(400, "invalid_field", "Cannot place a node: the id must be a node id", {
        field: "id",
      });
    }
    onlyFields(body, ["x", "y"], "a node's place");
    const at = { x: 0, y: 0 };
    for (const field of ["x", "y"] as const) {
      const value = body[field];
      if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > LIMIT) {
        throw new ApiError(
          400,
          value === undefined ? "missing_field" : "invalid_field",
          `Field '${field}' must be a number from 0 to ${LIMIT}`,
          { field },
        );
      }
      at[field] = Math.max(0, value);
    }
    ctx.hub.placeNode(id, at);
    return c.json({ id, ...at });
  });
  return api;
}
