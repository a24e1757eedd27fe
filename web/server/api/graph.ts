/**
 * The graph routes: read the graph and its nodes; add, remove and reconfigure nodes; connect and
 * disconnect ports by name.
 *
 * @module
 */

import { Hono } from "hono";
import {
  ConnectionEndsNotFoundError,
  disconnectTarget,
  findConnection,
} from "../../../core/operations/disconnect_target.ts";
import type { ErrorPolicy } from "../../../core/lifecycle/error_policy.ts";
import { NodeNotFoundError } from "../../../core/graph/errors.ts";
import type { JsonValue } from "../../../core/schema/json_schema.ts";
import { ProcessorNotFoundError } from "../../../core/registry/node_registry.ts";
import { OperationError } from "../../../core/operations/check.ts";
import {
  ADD_NODE_SCHEMA,
  CONNECT_SCHEMA,
  SET_CONFIG_SCHEMA,
} from "../../../core/operations/schemas.ts";
import type { Placement } from "../../../core/graph/placement.ts";
import { visibleGraph } from "../graph_view.ts";
import { presentsToken } from "./auth.ts";
import type { ApiContext } from "./context.ts";
import { redactError, redactFailure, redactGraph } from "./redact.ts";
import { ApiError, policyError, toApiError } from "./errors.ts";
import {
  checkBody,
  operationApiError,
  placementChoices,
  readJsonObject,
  short,
} from "./validation.ts";
import { splitPortEnd } from "../../../core/ports/port_end.ts";

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

  // Messages and stacks can name files and quote them: only for the token's holder.
  api.get("/graph", (c) => {
    const view = graph();
    return c.json(presentsToken(ctx.policy, c.req.raw) ? view : redactGraph(view));
  });

  api.get("/nodes/:id", (c) => {
    const node = findNode(c.req.param("id"));
    const error = ctx.hub.errors()[node.id];
    if (presentsToken(ctx.policy, c.req.raw)) return c.json({ ...node, lastError: error ?? null });
    return c.json({ ...redactFailure(node), lastError: error ? redactError(error) : null });
  });

  api.post("/nodes", async (c) => {
    const body = await readJsonObject(c.req.raw, false, ctx.bodyLimits);
    checkPolicy(() => ctx.control.checkId(body.id));
    const workers = Object.keys(rt.describe().isolates)
      .filter((isolate) => isolate.startsWith("worker:"))
      .map((isolate) => isolate.slice("worker:".length));
    // The one schema MCP's add_processor and manifests use; a bad placement lists main and the
    // Workers there are. The id's form is the runtime's to check (invalid_node_id, as over MCP
    // and in manifests).
    checkBody(ADD_NODE_SCHEMA, body, "a node", { placement: placementChoices(workers) });
    const placement = body.placement as Placement | undefined;
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
    // The one schema MCP's connect and manifests use.
    checkBody(CONNECT_SCHEMA, body, "a connection");
    const from = splitPortEnd(body.from as string);
    const to = splitPortEnd(body.to as string);
    const capacity = body.capacity as number | undefined;
    const policy = body.policy as "fifo" | "latest" | undefined;
    try {
      const info = rt.connectByName(from.node, from.port, to.node, to.port, { capacity, policy });
      return c.json(info, 201);
    } catch (error) {
      throw toApiError(error, { fromNode: from.node, toNode: to.node });
    }
  });

  api.delete("/connections/:id", (c) => disconnect({ connection: short(c.req.param("id")) }));

  // By the input it feeds (and its writer): ?to=node.port&from=node.port, the fields of MCP's
  // disconnect.
  api.delete(
    "/connections",
    (c) => disconnect(Object.fromEntries(new URL(c.req.url).searchParams)),
  );

  /** Removes the connection a request names (`DISCONNECT_SCHEMA`), as MCP's disconnect does. */
  function disconnect(request: Record<string, string>): Response {
    let id: string;
    try {
      id = findConnection(graph().connections, disconnectTarget(request));
    } catch (error) {
      if (error instanceof OperationError) {
        throw operationApiError(error.issues[0], "a disconnect");
      }
      if (error instanceof ConnectionEndsNotFoundError) {
        throw new ApiError(404, error.code, error.message, {
          field: error.field,
          choices: error.available,
          details: error.details,
        });
      }
      throw toApiError(error);
    }
    rt.disconnect(id);
    return Response.json({ removed: id });
  }

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
