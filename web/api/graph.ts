/**
 * The graph routes: read the graph and its nodes; add, remove and reconfigure nodes; connect and
 * disconnect ports by name.
 *
 * @module
 */

import { Hono } from "hono";
import type { ErrorPolicy } from "../../core/error_policy.ts";
import { ConnectionNotFoundError, NodeNotFoundError } from "../../core/graph_errors.ts";
import { ProcessorNotFoundError } from "../../core/node_registry.ts";
import { visibleGraph } from "../graph_view.ts";
import { ADD_NODE_SCHEMA, CONNECT_SCHEMA, SET_CONFIG_SCHEMA } from "../operations.ts";
import { presentsToken } from "./auth.ts";
import type { ApiContext } from "./context.ts";
import { redactError } from "./redact.ts";
import { ApiError, policyError, toApiError } from "./errors.ts";
import {
  checkBody,
  placementField,
  PORT_END,
  portEndField,
  readJsonObject,
  short,
} from "./validation.ts";
import type { JsonValue } from "../../core/json_schema.ts";

/**
 * The graph routes.
 *
 * @param ctx The API context.
 * @returns The routes.
 */
export function graphRoutes(ctx: ApiContext): Hono {
  const rt = ctx.runtime;
  const api = new Hono();
  const graph = () => visibleGraph(rt.describe());
  const findNode = (id: string) => {
    const view = graph();
    const node = view.nodes.find((n) => n.id === id);
    if (!node) throw new NodeNotFoundError(short(id), view.nodes.map((n) => n.id), false);
    return node;
  };

  api.get("/graph", (c) => c.json(graph()));

  api.get("/nodes/:id", (c) => {
    const node = findNode(c.req.param("id"));
    const error = ctx.hub.errors()[node.id];
    // Messages and stacks can name files and quote them: only for the token's holder.
    const full = presentsToken(ctx.policy, c.req.raw);
    return c.json({ ...node, lastError: error ? (full ? error : redactError(error)) : null });
  });

  api.post("/nodes", async (c) => {
    const body = await readJsonObject(c.req.raw, false, ctx.bodyLimits);
    checkPolicy(() => ctx.control.checkId(body.id));
    const workers = Object.keys(rt.describe().isolates)
      .filter((isolate) => isolate.startsWith("worker:"))
      .map((isolate) => isolate.slice("worker:".length));
    // Checked first for its choices: main and the Workers there are.
    const placement = placementField(body, "placement", workers);
    // The rest by the one schema MCP's add_processor uses. The id's form is the runtime's to
    // check (invalid_node_id, as over MCP and in manifests).
    checkBody(ADD_NODE_SCHEMA, body, "a node");
    const processor = body.type as string;
    const id = body.id as string | undefined;
    const config = (body.config ?? {}) as Record<string, JsonValue>;
    const onError = body.onError as ErrorPolicy | undefined;
    const maxRestarts = body.maxRestarts as number | undefined;
    const known = ctx.processors.find((p) => p.name === processor);
    if (!known) {
      throw toApiError(new ProcessorNotFoundError(processor, ctx.processors.map((p) => p.name)));
    }
    await checkPolicyAsync(() => ctx.control.checkNode(processor, config, id));
    let added: string;
    try {
      added = rt.add(processor, config, { id, onError, maxRestarts, placement }).name;
    } catch (error) {
      throw toApiError(error);
    }
    return c.json(findNode(added), 201);
  });

  api.delete("/nodes/:id", (c) => {
    const id = findNode(c.req.param("id")).id;
    rt.remove(id);
    return c.json({ removed: id });
  });

  api.patch("/nodes/:id/config", async (c) => {
    const node = findNode(c.req.param("id"));
    const body = await readJsonObject(c.req.raw, false, ctx.bodyLimits);
    checkBody(SET_CONFIG_SCHEMA, body, "a config change");
    const patch = body.config as Record<string, JsonValue>;
    await checkPolicyAsync(() => ctx.control.checkNode(node.type, patch));
    let result;
    try {
      result = rt.setConfig(node.id, patch);
    } catch (error) {
      throw toApiError(error);
    }
    return c.json({ node: findNode(node.id), changed: result.changed, applied: result.applied });
  });

  api.post("/connections", async (c) => {
    const body = await readJsonObject(c.req.raw, false, ctx.bodyLimits);
    // The ends first, for a message that says what "node.port" is; then the one schema MCP's
    // connect uses.
    const from = portEndField(body, "from");
    const to = portEndField(body, "to");
    checkBody(CONNECT_SCHEMA, body, "a connection");
    const capacity = body.capacity as number | undefined;
    const policy = body.policy as "fifo" | "latest" | undefined;
    try {
      const info = rt.connectByName(from.node, from.port, to.node, to.port, { capacity, policy });
      return c.json(info, 201);
    } catch (error) {
      throw toApiError(error, { fromNode: from.node, toNode: to.node });
    }
  });

  api.delete("/connections/:id", (c) => {
    const id = c.req.param("id");
    const visible = graph().connections;
    if (!visible.some((conn) => conn.id === id)) {
      const ids = visible.map((conn) => conn.id);
      throw toApiError(new ConnectionNotFoundError(short(id), ids, false));
    }
    rt.disconnect(id);
    return c.json({ removed: id });
  });

  api.delete("/connections", (c) => {
    const to = c.req.query("to");
    const from = c.req.query("from");
    for (const [field, value] of [["to", to], ["from", from]] as const) {
      if (value !== undefined && !PORT_END.test(value)) {
        throw new ApiError(
          400,
          "invalid_field",
          `Query parameter '${field}' must be "node.port", got ${JSON.stringify(value)}`,
          {
            field,
          },
        );
      }
    }
    if (to === undefined) {
      throw new ApiError(
        400,
        "missing_field",
        "Query parameter 'to' is missing: name the input to disconnect (\"node.port\"), or DELETE /connections/:id",
        {
          field: "to",
        },
      );
    }
    const conns = graph().connections;
    const found = conns.find((conn) =>
      conn.to === to && (from === undefined || conn.from === from)
    );
    if (!found) {
      const inputs = conns.map((conn) => conn.to);
      throw new ApiError(
        404,
        "connection_not_found",
        `Cannot find a connection into '${to}'${from ? ` from '${from}'` : ""}: connected inputs: ${
          inputs.join(", ") || "none"
        }`,
        {
          field: from !== undefined && conns.some((conn) => conn.to === to) ? "from" : "to",
          choices: inputs,
        },
      );
    }
    rt.disconnect(found.id);
    return c.json({ removed: found.id });
  });

  return api;
}

function checkPolicy(check: () => void): void {
  try {
    check();
  } catch (error) {
    throw policyError(error);
  }
}

async function checkPolicyAsync(check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    throw policyError(error);
  }
}
