/**
 * The lifecycle, stats and events routes.
 *
 * @module
 */

import { Hono } from "hono";
import { presentsToken } from "./auth.ts";
import type { ApiContext } from "./context.ts";
import { redactErrors, redactEvents } from "./redact.ts";
import { ApiError, toApiError } from "./errors.ts";
import { readJsonObject, short } from "./validation.ts";

const ACTIONS = ["start", "pause", "resume", "stop"] as const;
type Action = typeof ACTIONS[number];

/**
 * `GET /runtime`, `POST /runtime/{start,pause,resume,stop}`, `GET /stats`, `GET /events`.
 *
 * @param ctx The API context.
 * @returns The routes.
 */
export function runtimeRoutes(ctx: ApiContext): Hono {
  const rt = ctx.runtime;
  const api = new Hono();

  api.get("/runtime", (c) => c.json({ state: rt.state }));

  api.post("/runtime/:action", async (c) => {
    const action = c.req.param("action");
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new ApiError(
        404,
        "unknown_action",
        `Cannot ${JSON.stringify(short(action))} the runtime: actions are ${ACTIONS.join(", ")}`,
        { field: "action", choices: ACTIONS },
      );
    }
    const body = await readJsonObject(c.req.raw, true, ctx.bodyLimits);
    if (Object.keys(body).length > 0) {
      throw new ApiError(
        400,
        "unknown_field",
        `Cannot use field '${Object.keys(body)[0]}': ${action} takes no fields`,
        {
          field: Object.keys(body)[0],
          choices: [],
        },
      );
    }
    try {
      await rt[action as Action]();
    } catch (error) {
      throw toApiError(error);
    }
    return c.json({ state: rt.state });
  });

  api.get("/stats", async (c) => c.json(await ctx.hub.measuredStats()));

  api.get("/events", (c) => {
    // Messages and stacks can name files and quote them: only for the token's holder.
    if (presentsToken(ctx.policy, c.req.raw)) {
      return c.json({ events: ctx.hub.recentEvents(), errors: ctx.hub.errors() });
    }
    return c.json({
      events: redactEvents(ctx.hub.recentEvents()),
      errors: redactErrors(ctx.hub.errors()),
    });
  });

  return api;
}
