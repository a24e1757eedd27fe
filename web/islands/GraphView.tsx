/**
 * The live graph: nodes and edges laid out by the server, with numbers, previews and
 * drag-to-connect.
 *
 * @module
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { callApi } from "../client/api_client.ts";
import { EdgeView, pathData } from "../components/EdgeView.tsx";
import { NodeCard, previewSlots } from "../components/NodeCard.tsx";
import { PreviewCanvas } from "../components/PreviewCanvas.tsx";
import { NODE_WIDTH, nodeHeight, portAnchor, PREVIEW_WIDTH } from "../shared/geometry.ts";
import type { GraphLayout, GraphView as Graph, NodeBox, Point } from "../shared/protocol.ts";
import { useStore } from "../shared/store.ts";

/** Props of the graph view (none: it reads the store). */
export type GraphViewProps = Record<never, never>;

/** Boxes for nodes the layout has not placed yet (added since): a column right of the rest. */
function boxesOf(graph: Graph, layout: GraphLayout): Record<string, NodeBox> {
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

function anchorOf(
  graph: Graph,
  boxes: Record<string, NodeBox>,
  end: string,
  direction: "input" | "output",
): Point | undefined {
  const dot = end.lastIndexOf(".");
  const node = graph.nodes.find((n) => n.id === end.slice(0, dot));
  const box = node && boxes[node.id];
  if (!node || !box) return undefined;
  const ports = direction === "input" ? node.inputs : node.outputs;
  const index = ports.findIndex((p) => p.name === end.slice(dot + 1));
  const a = portAnchor(direction, Math.max(0, index));
  return { x: box.x + a.x, y: box.y + a.y };
}

/**
 * The graph view island.
 *
 * @returns The drawing.
 */
export default function GraphView(_props: GraphViewProps) {
  const store = useStore();
  const svg = useRef<SVGSVGElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [room, setRoom] = useState<{ width: number; height: number } | null>(null);
  useEffect(() => {
    const element = scroller.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() =>
      setRoom({ width: element.clientWidth, height: element.clientHeight })
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const graph = store.graph.value;
  const layout = store.layout.value;
  const stats = store.stats.value;
  const errors = store.errors.value;
  const drag = store.drag.value;
  const selection = store.selection.value;
  const boxes = boxesOf(graph, layout);
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

  // Zoom to fit the room the page gives the graph (never above 1, never below 0.45).
  const scale = room
    ? Math.max(0.45, Math.min(1, (room.width - 8) / width, (room.height - 8) / height))
    : 1;
  const toGraph = (e: PointerEvent): Point => {
    const rect = svg.current!.getBoundingClientRect();
    return { x: (e.clientX - rect.left) / scale, y: (e.clientY - rect.top) / scale };
  };
  const select = (kind: "node" | "connection") => (id: string) => {
    store.selection.value = { kind, id } as never;
  };
  const onDragStart = (output: string, portType: string, e: PointerEvent) => {
    if (!store.token.value) return;
    store.drag.value = { from: output, portType, ...toGraph(e) };
  };
  const onDrop = (input: string) => {
    const current = store.drag.value;
    if (!current) return;
    store.drag.value = null;
    void callApi(store, "POST", "/connections", { from: current.from, to: input });
  };
  const dragStart = drag ? anchorOf(graph, boxes, drag.from, "output") : undefined;

  return (
    <div class="graph-scroll" ref={scroller}>
      <div
        class="graph-canvas"
        style={{ width: `${width * scale}px`, height: `${height * scale}px` }}
      >
        <div
          class="graph-zoom"
          data-scale={scale.toFixed(2)}
          style={{
            width: `${width}px`,
            height: `${height}px`,
            transform: `scale(${scale})`,
          }}
        >
          <svg
            ref={svg}
            class={`graph ${drag ? "dragging" : ""}`}
            width={width}
            height={height}
            data-nodes={graph.nodes.length}
            data-connections={graph.connections.length}
            onClick={() => store.selection.value = null}
            onPointerMove={(e) => {
              if (store.drag.value) store.drag.value = { ...store.drag.value, ...toGraph(e) };
            }}
            onPointerUp={() => store.drag.value = null}
            onPointerLeave={() => store.drag.value = null}
          >
            <g class="edges">
              {graph.connections.map((c) => {
                const from = anchorOf(graph, boxes, c.from, "output");
                const to = anchorOf(graph, boxes, c.to, "input");
                const routed = layout.edges[c.id];
                const points = routed && layout.nodes[c.from.slice(0, c.from.lastIndexOf("."))]
                  ? routed
                  : from && to
                  ? [from, to]
                  : undefined;
                if (!points) return null;
                return (
                  <EdgeView
                    key={c.id}
                    connection={c}
                    points={points}
                    stats={stats.connections[c.id]}
                    selected={selection?.kind === "connection" && selection.id === c.id}
                    onSelect={select("connection")}
                  />
                );
              })}
            </g>
            <g class="nodes">
              {graph.nodes.map((node) => (
                <NodeCard
                  key={node.id}
                  node={node}
                  box={boxes[node.id]}
                  stats={stats.nodes[node.id]}
                  levels={stats.levels}
                  selected={selection?.kind === "node" && selection.id === node.id}
                  failed={node.id in errors &&
                    (stats.nodes[node.id]?.state ?? node.state) === "error"}
                  drag={drag}
                  onSelect={select("node")}
                  onDragStart={onDragStart}
                  onDrop={onDrop}
                />
              ))}
            </g>
            {drag && dragStart
              ? <path class="drag-line" d={pathData([dragStart, { x: drag.x, y: drag.y }])} />
              : null}
          </svg>
          {graph.nodes.flatMap((node) =>
            previewSlots(node).filter((s) => s.kind === "video").map((slot) => (
              <PreviewCanvas
                key={slot.output}
                output={slot.output}
                x={boxes[node.id].x + (NODE_WIDTH - PREVIEW_WIDTH) / 2}
                y={boxes[node.id].y + slot.top}
              />
            ))
          )}
        </div>
        {graph.nodes.length === 0
          ? <p class="empty">The graph is empty: add a processor from the palette.</p>
          : null}
      </div>
    </div>
  );
}
