/**
 * Lays out the graph with ELK's layered algorithm (elkjs, from npm): nodes in columns from
 * sources to sinks, ports at fixed places on the boxes, edges routed orthogonally between them.
 *
 * Given the previous layout, the layout is incremental: nodes that were placed keep their
 * places, only new nodes are laid out (among themselves) and put beside or below the drawing,
 * and only edges with a moved or new end are routed again. Nothing jumps when one node is added
 * or removed.
 *
 * @module
 */

import ElkBundled from "elkjs/lib/elk.bundled.js";
import type { ELK, ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import { NODE_WIDTH, nodeHeight, portAnchor } from "../shared/geometry.ts";
import type { GraphLayout, GraphView, NodeBox, Point } from "../shared/protocol.ts";
import { nodeOf, splitPortEnd } from "../../core/ports/port_end.ts";

const GAP = 24;
const OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.spacing.nodeNode": "32",
  "elk.layered.spacing.nodeNodeBetweenLayers": "130",
  "elk.layered.spacing.edgeNodeBetweenLayers": "24",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.padding": `[top=${GAP},left=${GAP},bottom=${GAP},right=${GAP}]`,
};
/** Width over height the drawing grows towards when new nodes are placed. */
const TARGET_ASPECT = 1.5;

// elk.bundled.js is CommonJS: its default export is the constructor, which its types miss.
const Elk = ElkBundled as unknown as new () => ELK;
let elk: ELK | undefined;

const portId = (node: string, direction: "in" | "out", port: string) =>
  `${direction}:${node}.${port}`;

/**
 * Computes node positions and edge routes.
 *
 * @param graph The graph (nodes with their ports, connections with `node.port` ends).
 * @param previous The layout shown so far: its nodes keep their places and only new nodes are
 * placed. Omitted (or sharing no node with the graph), everything is laid out afresh.
 * @param pins Places chosen by hand (dropped from the palette, dragged), by node id: they win.
 * @returns The layout; an empty graph lays out as a small empty drawing.
 *
 * @example Lay out a tone into a sink
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 * import { layoutGraph } from "./layout.ts";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * const layout = await layoutGraph(rt.describe());
 * assert.ok(layout.nodes.tone.x < layout.nodes.sink.x); // sources are left of what they feed
 * ```
 */
export async function layoutGraph(
  graph: GraphView,
  previous?: GraphLayout,
  pins: Readonly<Record<string, Point>> = {},
): Promise<GraphLayout> {
  const kept = graph.nodes.filter((n) => previous?.nodes[n.id] || pins[n.id]);
  if (!previous || kept.length === 0) return pinned(await elkLayout(graph), graph, pins);
  const layout: GraphLayout = { width: 0, height: 0, nodes: {}, edges: {} };
  const moved = new Set<string>();
  for (const node of kept) {
    const old = previous.nodes[node.id] ?? { ...pins[node.id], width: 0, height: 0 };
    const at = pins[node.id] ?? old;
    const height = nodeHeight(node);
    if (old.height !== height || old.width !== NODE_WIDTH || at.x !== old.x || at.y !== old.y) {
      moved.add(node.id);
    }
    layout.nodes[node.id] = { x: at.x, y: at.y, width: NODE_WIDTH, height };
  }
  const fresh = graph.nodes.filter((n) => !layout.nodes[n.id]);
  if (fresh.length > 0) {
    const ids = new Set(fresh.map((n) => n.id));
    const sub = await elkLayout({
      ...graph,
      nodes: fresh,
      connections: graph.connections.filter((c) =>
        ids.has(nodeOf(c.from)) && ids.has(nodeOf(c.to))
      ),
    });
    const at = freeSpot(Object.values(layout.nodes), sub);
    for (const [id, box] of Object.entries(sub.nodes)) {
      layout.nodes[id] = { ...box, x: box.x + at.x, y: box.y + at.y };
      moved.add(id);
    }
  }
  for (const c of graph.connections) {
    const old = previous.edges[c.id];
    if (old && !moved.has(nodeOf(c.from)) && !moved.has(nodeOf(c.to))) {
      layout.edges[c.id] = old;
      continue;
    }
    const from = anchor(graph, layout, c.from, "output");
    const to = anchor(graph, layout, c.to, "input");
    if (from && to) layout.edges[c.id] = route(from, to);
  }
  const boxes = Object.values(layout.nodes);
  layout.width = Math.ceil(Math.max(0, ...boxes.map((b) => b.x + b.width)) + GAP);
  layout.height = Math.ceil(Math.max(0, ...boxes.map((b) => b.y + b.height)) + GAP);
  return layout;
}

/** A fresh layout with the pinned nodes moved to their pins and their edges routed again. */
function pinned(
  layout: GraphLayout,
  graph: GraphView,
  pins: Readonly<Record<string, Point>>,
): GraphLayout {
  const ids = Object.keys(pins).filter((id) => layout.nodes[id]);
  if (ids.length === 0) return layout;
  for (const id of ids) layout.nodes[id] = { ...layout.nodes[id], ...pins[id] };
  for (const c of graph.connections) {
    if (!ids.includes(nodeOf(c.from)) && !ids.includes(nodeOf(c.to))) continue;
    const from = anchor(graph, layout, c.from, "output");
    const to = anchor(graph, layout, c.to, "input");
    if (from && to) layout.edges[c.id] = route(from, to);
  }
  const boxes = Object.values(layout.nodes);
  layout.width = Math.ceil(Math.max(0, ...boxes.map((b) => b.x + b.width)) + GAP);
  layout.height = Math.ceil(Math.max(0, ...boxes.map((b) => b.y + b.height)) + GAP);
  return layout;
}

/**
 * Where a block of new nodes goes: right of the drawing or below it, whichever keeps the
 * drawing nearer {@linkcode TARGET_ASPECT}.
 */
function freeSpot(boxes: NodeBox[], block: GraphLayout): Point {
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  const left = Math.min(...boxes.map((b) => b.x));
  const top = Math.min(...boxes.map((b) => b.y));
  const w = right - left;
  const h = bottom - top;
  const asRight = Math.max(w + block.width, h) / Math.max(h, block.height);
  const asBelow = Math.max(w, block.width) / (h + block.height);
  return Math.abs(Math.log(asRight / TARGET_ASPECT)) <= Math.abs(Math.log(asBelow / TARGET_ASPECT))
    ? { x: right, y: top - GAP }
    : { x: left - GAP, y: bottom };
}

/** An orthogonal route from an output to an input (around both boxes when it runs backwards). */
function route(from: Point, to: Point): Point[] {
  if (to.x - from.x >= 2 * GAP) {
    const mid = Math.round((from.x + to.x) / 2);
    return from.y === to.y ? [from, to] : [from, { x: mid, y: from.y }, { x: mid, y: to.y }, to];
  }
  const out = from.x + GAP;
  const back = to.x - GAP;
  const y = Math.round((from.y + to.y) / 2);
  return [from, { x: out, y: from.y }, { x: out, y }, { x: back, y }, { x: back, y: to.y }, to];
}

function anchor(
  graph: GraphView,
  layout: GraphLayout,
  end: string,
  direction: "input" | "output",
): Point | undefined {
  const { node: id, port } = splitPortEnd(end);
  const node = graph.nodes.find((n) => n.id === id);
  const box = layout.nodes[id];
  if (!node || !box) return undefined;
  const ports = direction === "input" ? node.inputs : node.outputs;
  const a = portAnchor(direction, Math.max(0, ports.findIndex((p) => p.name === port)));
  return { x: box.x + a.x, y: box.y + a.y };
}

async function elkLayout(graph: GraphView): Promise<GraphLayout> {
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
    const { node: fromNode, port: fromPort } = splitPortEnd(c.from);
    const { node: toNode, port: toPort } = splitPortEnd(c.to);
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
