/**
 * `GET`, `PUT` and `DELETE /latency`: end-to-end latency from a chosen source to a chosen sink,
 * measured from frame timestamps by a `LatencyMeter` (a probe on the output feeding the
 * sink; the graph does not change).
 *
 * @module
 */

import { Hono } from "hono";
import { feedingOutputs, sourceOutputs } from "../latency_meter.ts";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { onlyFields, readJsonObject, short } from "./validation.ts";

/**
 * The latency routes: `PUT /latency { source, sink }` starts measuring (stopping the last),
 * `GET /latency` → `{ measuring, source, sink, port, sourcePort, now, samples, atSource }`
 * (samples `{ t, latencyNs }`; `{ measuring: false, samples: [], atSource: [] }` before any), `DELETE /latency` stops.
 *
 * @param ctx The API context (its `latency` meter).
 * @returns The routes.
 */
export function latencyRoutes(ctx: ApiContext): Hono {
  const rt = ctx.runtime;
  const meter = ctx.latency;
  const api = new Hono();
  const answer = () => ({
    measuring: false,
    samples: [],
    atSource: [],
    ...meter.reading(),
    now: Date.now(),
  });

  api.get("/latency", (c) => c.json(answer()));

  api.put("/latency", async (c) => {
    const body = await readJsonObject(c.req.raw, false, ctx.bodyLimits);
    onlyFields(body, ["source", "sink"], "a latency measurement");
    const graph = rt.describe();
    const ids = graph.nodes.map((n) => n.id);
    const pick = (field: "source" | "sink", has: "outputs" | "inputs") => {
      const value = body[field];
      const fitting = graph.nodes.filter((n) => n[has].length > 0).map((n) => n.id);
      if (typeof value !== "string") {
        throw new ApiError(
          400,
          value === undefined ? "missing_field" : "invalid_field",
          `Field '${field}' must be a node id with ${has}: ${fitting.join(", ")}`,
          { field, choices: fitting },
        );
      }
      if (!ids.includes(value)) {
        throw new ApiError(422, "node_not_found", `No node '${short(value)}' in the graph`, {
          field,
          choices: fitting,
        });
      }
      if (!fitting.includes(value)) {
        throw new ApiError(
          400,
          "invalid_field",
          `Node '${value}' has no ${has}: a ${field} is one of ${fitting.join(", ")}`,
          { field, choices: fitting },
        );
      }
      return value;
    };
    const source = pick("source", "outputs");
    const sink = pick("sink", "inputs");
    const [port] = feedingOutputs(graph.connections, source, sink);
    if (port === undefined) {
      const feeding = ids.filter((id) => feedingOutputs(graph.connections, source, id).length > 0);
      throw new ApiError(
        400,
        "invalid_field",
        `Node '${source}' does not feed '${sink}': its frames reach ${
          feeding.join(", ") || "no node"
        }`,
        { field: "sink", choices: feeding },
      );
    }
    const [sourcePort] = sourceOutputs(graph.connections, source, sink);
    meter.measure(source, sink, port, sourcePort);
    return c.json(answer());
  });

  api.delete("/latency", (c) => {
    meter.stop();
    return c.json(answer());
  });
  return api;
}
