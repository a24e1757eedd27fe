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
import { checkBody, readJsonObject, short } from "./validation.ts";
import {
  actionsFrom,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
} from "../../../core/lifecycle/state.ts";
import { LIFECYCLE_SCHEMA } from "../../../core/operations/schemas.ts";
import { endGraphStream } from "../../../frontend/end_of_stream.ts";

/**
 * `GET /runtime`, `POST /runtime/{start,pause,resume,stop}`, `POST /runtime/end_of_stream`,
 * `GET /stats`, `GET /events`.
 *
 * @param ctx The API context.
 * @returns The routes.
 */
export function runtimeRoutes(ctx: ApiContext): Hono {
  const rt = ctx.runtime;
  const api = new Hono();

  // The state, and the lifecycle calls it allows (the graph's transition table).
  const runtimeState = () => ({ state: rt.state, actions: actionsFrom(rt.state) });

  api.get("/runtime", (c) => c.json(runtimeState()));

  // Ends the stream (`rt.endOfStream()`), as `gst-launch -e` does: not a state change, so not
  // one of the lifecycle actions; registered before them so `:action` does not take it.
  api.post("/runtime/end_of_stream", async (c) => {
    const body = await readJsonObject(c.req.raw, true, ctx.bodyLimits);
    checkBody(LIFECYCLE_SCHEMA, body, "end_of_stream");
    try {
      return c.json(await endGraphStream(rt));
    } catch (error) {
      throw toApiError(error);
    }
  });

  api.post("/runtime/:action", async (c) => {
    const action = c.req.param("action");
    if (!(LIFECYCLE_ACTIONS as readonly string[]).includes(action)) {
      throw new ApiError(
        404,
        "unknown_action",
        `Cannot ${JSON.stringify(short(action))} the runtime: actions are ${
          [...LIFECYCLE_ACTIONS, "end_of_stream"].join(", ")
        }`,
        { field: "action", choices: [...LIFECYCLE_ACTIONS, "end_of_stream"] },
      );
    }
    const body = await readJsonObject(c.req.raw, true, ctx.bodyLimits);
    // The schema MCP's lifecycle tools publish: no fields.
    checkBody(LIFECYCLE_SCHEMA, body, `${action}`);
    try {
      await rt[action as LifecycleAction]();
    } catch (error) {
      throw toApiError(error);
    }
    return c.json(runtimeState());
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
