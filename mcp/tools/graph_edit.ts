/**
 * `add_processor`, `remove_processor`, `connect` and `disconnect`: editing the graph. Edits work
 * in every runtime state; a processor added while the graph runs starts at once.
 *
 * @module
 */

import type { Placement, Runtime } from "../../mod.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { NodeDescription } from "../../core/description.ts";
import type { McpTool, ToolOutput } from "../tool.ts";
import { disconnectTarget, findConnection } from "../../core/operations/disconnect_target.ts";
import {
  ADD_NODE_SCHEMA,
  CONNECT_SCHEMA,
  DISCONNECT_SCHEMA,
} from "../../core/operations/schemas.ts";
import { splitPortEnd } from "../../core/ports/port_end.ts";
import { quote } from "../../core/errors/quote.ts";

const ID = { type: "string", description: "A processor id in the graph (from get_graph)" } as const;

/** `add_processor`: adds a processor of a type, returns its id and ports. */
export const addProcessorTool: McpTool = {
  name: "add_processor",
  title: "Add a processor",
  description:
    "Adds a processor of the given type to the graph and returns its id, its input and output " +
    "ports (name and frame type) and its full config (defaults filled in). 'config' is checked " +
    "against the type's schema (describe_processor); missing fields take their defaults. 'id' " +
    "is optional: by default the snake_case type and a counter (audio_mixer_1). While the graph " +
    "runs, the new processor is set up and starts at once. Fails on an unknown type (with near " +
    "matches), a taken or malformed id, or a config that does not match (naming each field).",
  inputSchema: ADD_NODE_SCHEMA,
  run: async ({ type, config, id, placement, onError, maxRestarts }, { runtime, control }) => {
    await control.checkNode(type as string, config, id);
    const handle = runtime.add(type as string, config, {
      ...(id !== undefined ? { id: id as string } : {}),
      ...(placement !== undefined ? { placement: placement as Placement } : {}),
      ...(onError !== undefined ? { onError: onError as "restart" } : {}),
      ...(maxRestarts !== undefined ? { maxRestarts: maxRestarts as number } : {}),
    });
    await runtime.settled();
    return nodeSummary(node(runtime, handle.name));
  },
};

/** `remove_processor`: removes a processor and its connections. */
export const removeProcessorTool: McpTool = {
  name: "remove_processor",
  title: "Remove a processor",
  description:
    "Removes a processor and every connection to or from it (frames queued in them are " +
    "dropped) and returns the ids of those connections. A processor that was set up is torn " +
    "down first, so a file sink finalizes its file. Works in every runtime state.",
  inputSchema: {
    type: "object",
    properties: { id: ID },
    required: ["id"],
    additionalProperties: false,
  },
  annotations: { destructiveHint: true },
  run: async ({ id }, { runtime }) => {
    const before = node(runtime, id as string);
    const connections = [
      ...before.inputs.flatMap((i) => i.connection ?? []),
      ...before.outputs.flatMap((o) => o.connections),
    ];
    runtime.remove(id as string);
    await runtime.settled();
    return { removed: id as string, type: before.type, connectionsRemoved: connections };
  },
};

/** `connect`: connects an output to an input, returns the connection. */
export const connectTool: McpTool = {
  name: "connect",
  title: "Connect two ports",
  description: "Connects an output port of one processor ('from', \"node.port\", e.g. " +
    '"tone.audio") to an input port of another (\'to\', e.g. "mixer.in_0") through a buffer of its own, and returns the connection\'s id, ends, capacity ' +
    "and policy. Frame types must match (AudioFrame<2> to AudioFrame<2>; an input of type Frame " +
    "takes anything). An output may feed many inputs; an input takes one connection. Policy " +
    "'fifo' is lossless (a full buffer refuses writes), 'latest' never blocks the writer and " +
    "drops the oldest frame; defaults: video latest/3, audio fifo/8, data fifo/16. Fails naming " +
    "the available ports when a port does not exist, and on type mismatches, an occupied input " +
    "and cycles.",
  inputSchema: CONNECT_SCHEMA,
  run: ({ from, to, capacity, policy }, { runtime }) => {
    const source = splitPortEnd(from as string);
    const destination = splitPortEnd(to as string);
    const info = runtime.connectByName(
      source.node,
      source.port,
      destination.node,
      destination.port,
      {
        ...(capacity !== undefined ? { capacity: capacity as number } : {}),
        ...(policy !== undefined ? { policy: policy as "fifo" } : {}),
      },
    );
    return { ...info };
  },
};

/** `disconnect`: removes one connection, by its id or by the input it feeds. */
export const disconnectTool: McpTool = {
  name: "disconnect",
  title: "Remove a connection",
  description:
    "Removes one connection, named by its id ('connection', from connect or get_graph) or by " +
    "the input it feeds ('to', \"node.port\", with 'from' to be sure of the writer); frames " +
    "still queued in it are dropped, other connections are untouched. Works in every runtime " +
    "state. Fails naming the connections there are when none matches.",
  inputSchema: DISCONNECT_SCHEMA,
  annotations: { destructiveHint: true },
  run: (args, { runtime }) => {
    const connections = runtime.describe().connections;
    const id = findConnection(connections, disconnectTarget(args, "disconnect"));
    const found = connections.find((c) => c.id === id)!;
    runtime.disconnect(id);
    return { disconnected: id, from: found.from, to: found.to };
  },
};

/**
 * The description of one node; the runtime's `NodeNotFoundError` when there is none.
 *
 * @param runtime The runtime.
 * @param id The node's id.
 * @returns Its description.
 */
export function node(runtime: Runtime, id: string): NodeDescription {
  const found = runtime.describe().nodes.find((n) => n.id === id);
  if (found) return found;
  runtime.node(id); // throws NodeNotFoundError with the ids there are
  throw new Error(`Cannot find node '${quote(id)}'`);
}

/**
 * A node as the tools return it: id, type, state, ports with their connections, config, failure.
 *
 * @param n The node's description.
 * @returns Its JSON.
 */
export function nodeSummary(n: NodeDescription): ToolOutput {
  return {
    id: n.id,
    type: n.type,
    state: n.state,
    inputs: n.inputs.map((i) => ({ name: i.name, portType: i.portType, connection: i.connection })),
    outputs: n.outputs.map((o) => ({
      name: o.name,
      portType: o.portType,
      connections: [...o.connections],
    })),
    config: n.config,
    ...(n.failure ? { failure: n.failure as unknown as JsonValue } : {}),
  };
}
