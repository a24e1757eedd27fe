/**
 * Where the graph view draws things: node boxes (the server's layout, plus a column for nodes it
 * has not placed yet), port anchors, edge paths and the drawing's size.
 *
 * @module
 */

import { NODE_WIDTH, nodeHeight, portAnchor } from "../../shared/geometry.ts";
import type { GraphLayout, GraphView as Graph, NodeBox, Point } from "../../shared/protocol.ts";
import { nodeOf, splitPortEnd } from "../../../core/ports/port_end.ts";

/**
 * An unused id for a new node of a processor: `gain_1`, `gain_2`...
 *
 * @param processor The processor type (`AudioMixer`).
 * @param graph The graph the node joins.
 * @returns The id (`audio_mixer_1`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { freeId } from "./boxes.ts";
 * import { createRuntime } from "../../../processors/mod.ts";
 *
 * const rt = createRuntime();
 * rt.add("AudioMixer", {}, { id: "audio_mixer_1" });
 * assert.equal(freeId("AudioMixer", rt.describe()), "audio_mixer_2");
 * ```
 */
export function freeId(processor: string, graph: Graph): string {
  const base = processor.replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
  let n = 1;
  while (graph.nodes.some((node) => node.id === `${base}_${n}`)) n++;
  return `${base}_${n}`;
}

/**
 * Boxes for every node: the layout's, and for nodes the layout has not placed yet (added since),
 * a column right of the rest.
 *
 * @param graph The graph.
 * @param layout The server's layout.
 * @returns The box of each node, by id.
 */
export function boxesOf(graph: Graph, layout: GraphLayout): Record<string, NodeBox> {
  const boxes: Record<string, NodeBox> = {};
  let y = 24;
  for (const node of graph.nodes) {
    const placed = layout.nodes[node.id];
    const height = nodeHeight(node);
    if (placed) boxes[node.id] = { ...placed, height };
    else {
      boxes[node.id] = { x: layout.width + 24, y, width: NODE_WIDTH, height };
      y += height + 24;
    }
  }
  return boxes;
}

/**
 * Where a `node.port` end is drawn.
 *
 * @param graph The graph.
 * @param boxes The node boxes.
 * @param end `node.port`.
 * @param direction Whether the port is an input or an output.
 * @returns The point, or `undefined` when the node has no box.
 */
export function anchorOf(
  graph: Graph,
  boxes: Record<string, NodeBox>,
  end: string,
  direction: "input" | "output",
): Point | undefined {
  const { node: id, port } = splitPortEnd(end);
  const node = graph.nodes.find((n) => n.id === id);
  const box = node && boxes[node.id];
  if (!node || !box) return undefined;
  const ports = direction === "input" ? node.inputs : node.outputs;
  const index = ports.findIndex((p) => p.name === port);
  const a = portAnchor(direction, Math.max(0, index));
  return { x: box.x + a.x, y: box.y + a.y };
}

/**
 * The size of the drawing: the layout's, grown to hold every box, at least 320 by 200.
 *
 * @param layout The server's layout.
 * @param boxes The node boxes as drawn.
 * @returns Width and height.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drawingSize } from "./boxes.ts";
 *
 * const layout = { width: 100, height: 100, nodes: {}, edges: {} };
 * assert.deepEqual(drawingSize(layout, { a: { x: 400, y: 0, width: 200, height: 90 } }), {
 *   width: 624,
 *   height: 200,
 * });
 * ```
 */
export function drawingSize(
  layout: GraphLayout,
  boxes: Record<string, NodeBox>,
): { width: number; height: number } {
  const width = Math.max(
    layout.width,
    ...Object.values(boxes).map((b) => b.x + b.width + 24),
    320,
  );
  const height = Math.max(
    layout.height,
    ...Object.values(boxes).map((b) => b.y + b.height + 24),
    200,
  );
  return { width, height };
}

/**
 * The route an edge is drawn along: the layout's, unless an end's node is moved by hand or was
 * not laid out (then straight from anchor to anchor).
 *
 * @param connection The connection's `from` and `to` ends and id.
 * @param graph The graph.
 * @param layout The server's layout.
 * @param boxes The node boxes as drawn.
 * @param override The node drawn away from its layout box, if any.
 * @returns The points, or `undefined` when an end has no box.
 */
export function edgePoints(
  connection: { readonly id: string; readonly from: string; readonly to: string },
  graph: Graph,
  layout: GraphLayout,
  boxes: Record<string, NodeBox>,
  override: { readonly id: string } | null,
): Point[] | undefined {
  const c = connection;
  const from = anchorOf(graph, boxes, c.from, "output");
  const to = anchorOf(graph, boxes, c.to, "input");
  const routed = override &&
      (c.from.startsWith(`${override.id}.`) || c.to.startsWith(`${override.id}.`))
    ? undefined
    : layout.edges[c.id];
  return routed && layout.nodes[nodeOf(c.from)] ? routed : from && to ? [from, to] : undefined;
}
