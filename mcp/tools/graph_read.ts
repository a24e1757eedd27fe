/**
 * `get_graph` and `get_stats`: reading the graph and its counters.
 *
 * @module
 */

import type { GraphDescription, RuntimeStats } from "../../mod.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { McpTool, ToolOutput } from "../tool.ts";
import { node, nodeSummary } from "./graph_edit.ts";

/** `get_graph`: every processor and connection. */
export const getGraphTool: McpTool = {
  name: "get_graph",
  title: "Get the graph",
  description:
    "Returns the whole graph: the runtime state (stopped, running, paused, ...); every " +
    "processor with its id, type, state, config, input ports (with the connection feeding each) " +
    "and output ports (with the connections leaving each), and its failure if it failed; and " +
    "every connection with its id, ends ('node.port'), frame types, capacity and policy. Counters " +
    "are in get_stats. The same JSON is the resource graph://current.",
  inputSchema: { type: "object", properties: {}, additionalProperties: false },
  annotations: { readOnlyHint: true, idempotentHint: true },
  run: (_args, { runtime }) => graphJson(runtime.describe()),
};

/** `get_stats`: counters of every processor and connection, or of one processor. */
export const getStatsTool: McpTool = {
  name: "get_stats",
  title: "Get live statistics",
  description:
    "Returns live counters. Per processor: state, process() calls, frames in and out, errors, " +
    "restarts, process time (p50/p99/max in nanoseconds) and, for sources, late and skipped " +
    "runs. Per connection: frames written, read, queued, dropped (policy latest) and refused " +
    "(fullRejections, policy fifo) and discarded (offered after the reading processor failed or " +
    "ended: not queued, so it held back no writer). 'totals' sums the connections and counts " +
    "failed processors. " +
    "Pass 'id' for one processor and its connections only.",
  inputSchema: {
    type: "object",
    properties: { id: { type: "string", description: "Only this processor" } },
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true },
  run: ({ id }, { runtime }) => {
    const stats = runtime.stats();
    if (typeof id !== "string") return statsJson(stats);
    const n = node(runtime, id);
    const mine = new Set([
      ...n.inputs.flatMap((i) => i.connection ?? []),
      ...n.outputs.flatMap((o) => o.connections),
    ]);
    return statsJson({
      ...stats,
      nodes: { [id]: stats.nodes[id] },
      connections: Object.fromEntries(
        Object.entries(stats.connections).filter(([c]) => mine.has(c)),
      ),
    });
  },
};

/**
 * The graph as `get_graph` and `graph://current` show it.
 *
 * @param graph `runtime.describe()`.
 * @returns Its JSON, without counters.
 */
export function graphJson(graph: GraphDescription): ToolOutput {
  return {
    state: graph.state,
    processors: graph.nodes.map(nodeSummary),
    connections: graph.connections.map((c) => ({
      id: c.id,
      from: c.from,
      to: c.to,
      fromType: c.fromType,
      toType: c.toType,
      capacity: c.capacity,
      policy: c.policy,
    })),
  };
}

function statsJson(stats: RuntimeStats): ToolOutput {
  const nodes = Object.values(stats.nodes);
  const connections = Object.values(stats.connections);
  const sum = (pick: (c: (typeof connections)[number]) => number) =>
    connections.reduce((total, c) => total + pick(c), 0);
  return {
    ...(JSON.parse(JSON.stringify(stats)) as { [key: string]: JsonValue }),
    totals: {
      processors: nodes.length,
      failed: nodes.filter((n) => n.state === "error").length,
      framesWritten: sum((c) => c.written),
      framesDropped: sum((c) => c.dropped),
      framesRefused: sum((c) => c.fullRejections),
      framesQueued: sum((c) => c.queued),
      framesDiscarded: sum((c) => c.discarded),
    },
  };
}
