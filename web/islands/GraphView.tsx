/**
 * The live graph: nodes and edges laid out by the server, with numbers, previews and
 * drag-to-connect; zoom (buttons, Ctrl+wheel), pan (drag the background, or scroll) and fit (the
 * first view fits the whole graph).
 * Its parts are in `components/graph/`: boxes and routes, the nodes and edges, drag-to-connect,
 * moving a node, the viewport (zoom and reveal), panning, the editing keys and drops.
 *
 * @module
 */

import { useRef } from "preact/hooks";
import { AccessNote } from "../components/AccessNote.tsx";
import { boxesOf, drawingSize } from "../components/graph/boxes.ts";
import { connectDrag } from "../components/graph/connect_drag.ts";
import { DragLine } from "../components/graph/DragLine.tsx";
import { acceptDrag, dropOnGraph } from "../components/graph/drop_on_graph.ts";
import { GraphEdges } from "../components/graph/GraphEdges.tsx";
import { GraphNodes } from "../components/graph/GraphNodes.tsx";
import { VideoPreviews } from "../components/graph/VideoPreviews.tsx";
import { useEditKeys } from "../components/graph/use_edit_keys.ts";
import { useNodeMove } from "../components/graph/use_node_move.ts";
import { usePan } from "../components/graph/use_pan.ts";
import { useViewport } from "../components/graph/use_viewport.ts";
import { ZoomTools } from "../components/graph/ZoomTools.tsx";
import type { Point } from "../shared/protocol.ts";
import { useStore } from "../shared/store.ts";

/** Props of the graph view (none: it reads the store). */
export type GraphViewProps = Record<never, never>;

/**
 * The graph view island.
 *
 * @returns The drawing.
 */
export default function GraphView(_props: GraphViewProps) {
  const store = useStore();
  const svg = useRef<SVGSVGElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const graph = store.graph.value;
  const layout = store.layout.value;
  const stats = store.stats.value;
  const errors = store.errors.value;
  const drag = store.drag.value;
  const link = store.link.value;
  const current = link === "live";
  const runtimeState = store.state.value;
  // A node being moved by hand, and where it was let go until the layout has it there.
  const move = useNodeMove(store);
  const boxes = boxesOf(graph, layout);
  move.place(boxes, layout);
  const { width, height } = drawingSize(layout, boxes);
  const viewport = useViewport(store, scroller, { width, height }, boxes, layout);
  const { scale } = viewport;
  const pan = usePan(scroller);
  useEditKeys(store);
  const toGraph = (e: PointerEvent): Point => {
    const rect = svg.current!.getBoundingClientRect();
    return { x: (e.clientX - rect.left) / scale, y: (e.clientY - rect.top) / scale };
  };
  const connect = connectDrag(store, toGraph, () => scroller.current);
  const select = (kind: "node" | "connection") => (id: string, add: boolean) => {
    if (add) store.toggleSelected(kind, id);
    else store.selection.value = { kind, id } as never;
  };

  return (
    <div class={`graph-view access-${link}`}>
      {link === "read-only" || link === "refused" || link === "offline"
        ? <AccessNote link={link} />
        : null}
      <ZoomTools viewport={viewport} />
      <div
        class={`graph-scroll ${pan.panning ? "panning" : ""}`}
        ref={scroller}
        data-zoom={typeof viewport.zoom === "number" ? "manual" : viewport.zoom}
        onWheel={viewport.onWheel}
        onPointerDown={pan.onStart}
        onPointerMove={(e) => {
          if (move.step(e, scale, scroller.current!)) return;
          pan.onMove(e, store.drag.value !== null);
        }}
        onPointerUp={() => {
          if (move.active) move.end();
          pan.onEnd();
        }}
        onPointerCancel={() => {
          if (move.active) move.end();
          pan.onEnd();
        }}
        onDragOver={acceptDrag}
        onDrop={(e) => dropOnGraph(store, e, graph, () => toGraph(e as unknown as PointerEvent))}
      >
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
              onClick={() => {
                if (!pan.takePanned()) store.selection.value = null;
              }}
            >
              <GraphEdges
                graph={graph}
                layout={layout}
                boxes={boxes}
                override={move.override}
                stats={stats}
                current={current}
                onSelect={select("connection")}
              />
              <GraphNodes
                graph={graph}
                boxes={boxes}
                stats={stats}
                errors={errors}
                current={current}
                drag={drag}
                onSelect={select("node")}
                onDragStart={connect.onDragStart}
                onMoveStart={(id, e) => move.start(id, e, boxes)}
                onDrop={connect.onDrop}
              />
              <DragLine drag={drag} graph={graph} boxes={boxes} />
            </svg>
            <VideoPreviews
              graph={graph}
              boxes={boxes}
              stats={stats}
              link={link}
              runtimeState={runtimeState}
            />
          </div>
          {graph.nodes.length === 0
            ? <p class="empty">The graph is empty: add a processor from the palette.</p>
            : null}
        </div>
      </div>
    </div>
  );
}
