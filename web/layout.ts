/**
 * Lays out the graph with ELK's layered algorithm (elkjs, from npm): nodes in columns from
 * sources to sinks, ports at fixed places on the boxes, edges routed orthogonally between them.
 *
 * @module
 */

import ElkBundled from "elkjs/lib/elk.bundled.js";
import type { ELK, ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import { NODE_WIDTH, nodeHeight, portAnchor } from "./shared/geometry.ts";
import type { GraphLayout, GraphView, Point } from "./shared/protocol.ts";

const OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.spacing.nodeNode": "36",
  "elk.layered.spacing.nodeNodeBetweenLayers": "130",
  "elk.layered.spacing.edgeNodeBetweenLayers": "24",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.padding": "[top=24,left=24,bottom=24,right=24]",
};

// elk.bundled.js is CommonJS: its default export is the constructor, which its types miss.
const Elk = ElkBundled as unknown as new () => ELK;
let elk: ELK | undefined;

const portId = (node: string, direction: "in" | "out", port: string) =>
  `${direction}:${node}.${port}`;

/**
 * Computes node positions and edge routes.
 *
 * @param graph The graph (nodes with their ports, connections with `node.port` ends).
 * @returns The layout; an empty graph lays out as a small empty drawing.
 *
 * @example Lay out a tone into a sink
 * ```ts ignore
 * const layout = await layoutGraph(view);
 * console.log(layout.nodes.tone.x < layout.nodes.sink.x); // true
 * ```
 */
export async function layoutGraph(graph: GraphView): Promise<GraphLayout> {
  const children: ElkNode[] = graph.nodes.map((node) => ({
    id: node.id,
    width: NODE_WIDTH,
    height: nodeHeight(node),
    layoutOptions: { "elk.portConstraints": "FIXED_POS" },
    ports: [
      ...node.inputs.map((p, i) => ({
        id: portId(node.id, "in", p.name),
        ...portAnchor("input", i),
        width: 0,
        height: 0,
        layoutOptions: { "elk.port.side": "WEST" },
      })),
      ...node.outputs.map((p, i) => ({
        id: portId(node.id, "out", p.name),
        ...portAnchor("output", i),
        width: 0,
        height: 0,
        layoutOptions: { "elk.port.side": "EAST" },
      })),
    ],
  }));
  const edges: ElkExtendedEdge[] = graph.connections.map((c) => {
    const [fromNode, fromPort] = split(c.from);
    const [toNode, toPort] = split(c.to);
    return {
      id: c.id,
      sources: [portId(fromNode, "out", fromPort)],
      targets: [portId(toNode, "in", toPort)],
    };
  });
  elk ??= new Elk();
  const root: ElkNode = { id: "root", layoutOptions: OPTIONS, children, edges };
  const result = await elk.layout(root);
  const layout: GraphLayout = {
    width: Math.ceil(result.width ?? 0),
    height: Math.ceil(result.height ?? 0),
    nodes: {},
    edges: {},
  };
  for (const child of result.children ?? []) {
    layout.nodes[child.id] = {
      x: child.x ?? 0,
      y: child.y ?? 0,
      width: child.width ?? NODE_WIDTH,
      height: child.height ?? 0,
    };
  }
  for (const edge of result.edges ?? []) {
    const section = edge.sections?.[0];
    if (!section) continue;
    const points: Point[] = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
    layout.edges[edge.id] = points.map(({ x, y }) => ({ x, y }));
  }
  return layout;
}

/** Splits `node.port` at its last dot (node ids have no dots; port names neither). */
function split(end: string): [string, string] {
  const dot = end.lastIndexOf(".");
  return [end.slice(0, dot), end.slice(dot + 1)];
}
