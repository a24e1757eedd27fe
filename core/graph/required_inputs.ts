/**
 * Required inputs without a connection. `@input({ required: true })` says a processor needs the
 * input connected; the runtime still starts such a graph (a node may be connected later, while it
 * runs), so this is a warning: `deno task validate` lists it and `rt.start()` emits a
 * `node-warning` event for it.
 *
 * @module
 */

import type { Graph, GraphNode } from "./graph.ts";

/**
 * One required input that nothing is connected to.
 *
 * @example Name the input in a message
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UnconnectedInput } from "./required_inputs.ts";
 *
 * const input: UnconnectedInput = { node: "gain", processor: "Gain", port: "in" };
 * assert.equal(`${input.node}.${input.port} (${input.processor})`, "gain.in (Gain)");
 * ```
 */
export interface UnconnectedInput {
  /** The node's id. */
  readonly node: string;
  /** The node's processor. */
  readonly processor: string;
  /** The input's name. */
  readonly port: string;
}

/**
 * The required inputs of a graph's nodes that have no connection, in node order then port order.
 *
 * @param graph The graph.
 * @returns The unconnected required inputs.
 *
 * @example A gain with nothing feeding it
 * ```ts
 * import assert from "node:assert/strict";
 * import { Graph } from "./graph.ts";
 * import { unconnectedRequiredInputs } from "./required_inputs.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 * import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
 *
 * const graph = new Graph();
 * graph.addNode({ id: "gain", descriptor: gainNode.descriptor });
 * graph.addNode({ id: "sink", descriptor: nullSinkNode.descriptor });
 * graph.connect("gain", "out", "sink", "in");
 * assert.deepEqual(unconnectedRequiredInputs(graph), [ { node: "gain", processor: "Gain", port: "in" } ]);
 * ```
 */
export function unconnectedRequiredInputs<N extends GraphNode>(
  graph: Graph<N>,
): UnconnectedInput[] {
  const connected = new Set(graph.connections.map((c) => `${c.to.node}.${c.to.port}`));
  return graph.nodes.flatMap(({ id, descriptor }) =>
    descriptor.inputs
      .filter((input) => input.required && !connected.has(`${id}.${input.name}`))
      .map((input) => ({ node: id, processor: descriptor.name, port: input.name }))
  );
}
