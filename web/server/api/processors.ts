/**
 * `GET /api/v1/processors` and `GET /api/v1/processors/:name`: the registry.
 *
 * @module
 */

import { Hono } from "hono";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { short } from "./validation.ts";

/**
 * The registry routes.
 *
 * @param ctx The API context.
 * @returns The routes.
 */
export function processorRoutes(ctx: ApiContext): Hono {
  const api = new Hono();
  api.get("/processors", (c) => c.json({ processors: ctx.processors }));
  api.get("/processors/:name", (c) => {
    const name = c.req.param("name");
    const found = ctx.processors.find((p) => p.name === name);
    if (!found) {
      const names = ctx.processors.map((p) => p.name);
      throw new ApiError(
        404,
        "processor_not_found",
        `Cannot find processor '${short(name)}': available processors: ${names.join(", ")}`,
        { choices: names },
      );
    }
    return c.json(found);
  });
  return api;
}
