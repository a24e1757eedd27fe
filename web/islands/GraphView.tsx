/**
 * The live graph: nodes and edges laid out by the server, with numbers, previews and
 * drag-to-connect; zoom (buttons, Ctrl+wheel), pan (drag the background, or scroll) and fit.
 *
 * @module
 */

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { addNodeEdit, connectEdit, moveEdit, removeEdit } from "../client/edits.ts";
import { AccessNote } from "../components/AccessNote.tsx";
import { loadManifestFile } from "../components/ManifestTools.tsx";
import { schemaDefaults } from "../components/SchemaForm.tsx";
import { PROCESSOR_DRAG_TYPE } from "./Palette.tsx";
import { EdgeView, pathData } from "../components/EdgeView.tsx";
import { NodeCard, previewSlots } from "../components/NodeCard.tsx";
import { PreviewCanvas } from "../components/PreviewCanvas.tsx";
import { NODE_WIDTH, nodeHeight, portAnchor, PREVIEW_WIDTH } from "../shared/geometry.ts";
import type { GraphLayout, GraphView as Graph, NodeBox, Point } from "../shared/protocol.ts";
import { useStore } from "../shared/store.ts";
import { autoScale, fitScale, zoomStep } from "../shared/zoom.ts";

/** An unused id for a new node of a processor: `gain_1`, `gain_2`... */
function freeId(processor: string, graph: Graph): string {
  const base = processor.replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
  let n = 1;
  while (graph.nodes.some((node) => node.id === `${base}_${n}`)) n++;
  return `${base}_${n}`;
}

/** Why a preview is not live, or `null` when it is. */
function stillMark(link: string, node: string, runtime: string): string | null {
  if (link === "read-only" || link === "refused") return "no access";
  if (link !== "live") return "not live";
  if (runtime !== "running") return runtime;
  return node === "running" ? null : node;
}

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
      setRoom({ width: element.clientWidth - 8, height: element.clientHeight - 8 })
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const graph = store.graph.value;
  const layout = store.layout.value;
  const stats = store.stats.value;
  const errors = store.errors.value;
  const drag = store.drag.value;
  const link = store.link.value;
  const current = link === "live";
  const runtimeState = store.state.value;
  // A node being moved by hand, and where it was let go until the layout has it there.
  const [moving, setMoving] = useState<
    { id: string; x0: number; y0: number; x: number; y: number; from: Point; moved: boolean } | null
  >(null);
  const [held, setHeld] = useState<{ id: string; x: number; y: number; until: number } | null>(
    null,
  );
  const boxes = boxesOf(graph, layout);
  const override = moving?.moved ? moving : held;
  if (
    held && (Date.now() > held.until || !boxes[held.id] ||
      (layout.nodes[held.id]?.x === held.x && layout.nodes[held.id]?.y === held.y))
  ) {
    if (!moving) queueMicrotask(() => setHeld(null));
  }
  if (override && boxes[override.id]) {
    boxes[override.id] = { ...boxes[override.id], x: override.x, y: override.y };
  }
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

  // "auto": the default fit, legible (see zoom.ts); a number once the person zooms.
  const [zoom, setZoom] = useState<number | "auto">("auto");
  const drawing = { width, height };
  const scale = zoom !== "auto" ? zoom : room ? autoScale(room, drawing) : 1;
  const pendingScroll = useRef<{ left: number; top: number } | null>(null);
  const pan = useRef<{ x: number; y: number; left: number; top: number; moved: boolean } | null>(
    null,
  );
  const panned = useRef(false);
  const reveal = store.reveal.value;
  useLayoutEffect(() => {
    const element = scroller.current;
    const box = reveal ? boxes[reveal] : undefined;
    if (!element || !box || !layout.nodes[reveal!]) return;
    store.reveal.value = null;
    const left = box.x * scale;
    const top = box.y * scale;
    const right = (box.x + box.width) * scale;
    const bottom = (box.y + box.height) * scale;
    const inView = left >= element.scrollLeft && top >= element.scrollTop &&
      right <= element.scrollLeft + element.clientWidth &&
      bottom <= element.scrollTop + element.clientHeight;
    if (!inView) {
      pendingScroll.current = {
        left: Math.max(0, (left + right) / 2 - element.clientWidth / 2),
        top: Math.max(0, (top + bottom) / 2 - element.clientHeight / 2),
      };
    }
  });
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || !pendingScroll.current) return;
    element.scrollLeft = pendingScroll.current.left;
    element.scrollTop = pendingScroll.current.top;
    pendingScroll.current = null;
  });
  /** Zooms, keeping the graph point under `at` (relative to the view) where it is. */
  const zoomTo = (next: number | "auto", at?: Point) => {
    const element = scroller.current;
    if (element) {
      const target = next === "auto" ? (room ? autoScale(room, drawing) : 1) : next;
      const cx = at?.x ?? element.clientWidth / 2;
      const cy = at?.y ?? element.clientHeight / 2;
      const gx = (element.scrollLeft + cx) / scale;
      const gy = (element.scrollTop + cy) / scale;
      pendingScroll.current = next === "auto" && target <= scale
        ? { left: 0, top: 0 }
        : { left: gx * target - cx, top: gy * target - cy };
    }
    setZoom(next);
  };
  const onWheel = (e: WheelEvent) => {
    if (!e.ctrlKey && !e.metaKey) return; // plain wheel scrolls
    e.preventDefault();
    const rect = scroller.current!.getBoundingClientRect();
    zoomTo(zoomStep(scale, e.deltaY < 0 ? 1 : -1), {
      x: e.clientX - rect.left,
      y: e.clientY - rect.top,
    });
  };
  const onPanStart = (e: PointerEvent) => {
    const target = e.target as Element;
    if (e.button !== 0 || target.closest(".node, .edge")) return;
    const element = scroller.current!;
    pan.current = {
      x: e.clientX,
      y: e.clientY,
      left: element.scrollLeft,
      top: element.scrollTop,
      moved: false,
    };
    panned.current = false;
  };
  const onMoveStart = (id: string, e: PointerEvent) => {
    if (!store.token.value || !boxes[id]) return;
    setMoving({
      id,
      x0: e.clientX,
      y0: e.clientY,
      x: boxes[id].x,
      y: boxes[id].y,
      from: { x: boxes[id].x, y: boxes[id].y },
      moved: false,
    });
  };
  const onMoveEnd = () => {
    const m = moving;
    setMoving(null);
    if (!m?.moved) return;
    setHeld({ id: m.id, x: m.x, y: m.y, until: Date.now() + 3000 });
    void store.history.run(moveEdit(store, m.id, m.from, { x: m.x, y: m.y }));
  };
  const onPanMove = (e: PointerEvent) => {
    if (moving) {
      const dx = (e.clientX - moving.x0) / scale;
      const dy = (e.clientY - moving.y0) / scale;
      if (!moving.moved && Math.hypot(dx, dy) < 4) return;
      if (!moving.moved) scroller.current!.setPointerCapture?.(e.pointerId);
      setMoving({
        ...moving,
        moved: true,
        x: Math.max(0, Math.round(moving.from.x + dx)),
        y: Math.max(0, Math.round(moving.from.y + dy)),
      });
      return;
    }
    const p = pan.current;
    if (!p || store.drag.value) return;
    const dx = e.clientX - p.x;
    const dy = e.clientY - p.y;
    if (!p.moved && Math.hypot(dx, dy) < 4) return;
    if (!p.moved) {
      p.moved = true;
      scroller.current!.setPointerCapture?.(e.pointerId);
    }
    scroller.current!.scrollLeft = p.left - dx;
    scroller.current!.scrollTop = p.top - dy;
  };
  const onPanEnd = () => {
    if (moving) onMoveEnd();
    panned.current = pan.current?.moved ?? false;
    pan.current = null;
  };
  const toGraph = (e: PointerEvent): Point => {
    const rect = svg.current!.getBoundingClientRect();
    return { x: (e.clientX - rect.left) / scale, y: (e.clientY - rect.top) / scale };
  };
  const select = (kind: "node" | "connection") => (id: string, add: boolean) => {
    if (add) store.toggleSelected(kind, id);
    else store.selection.value = { kind, id } as never;
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable]")) return; // text undo
      if (!store.token.value) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "z") {
        e.preventDefault();
        void (e.shiftKey ? store.history.redo() : store.history.undo());
      } else if (mod && e.key.toLowerCase() === "y") {
        e.preventDefault();
        void store.history.redo();
      } else if (e.key === "Delete" || e.key === "Backspace") {
        const s = store.selection.value;
        if (!s) return;
        e.preventDefault();
        const nodes = s.kind === "many" ? s.nodes : s.kind === "node" ? [s.id] : [];
        const connections = s.kind === "many"
          ? s.connections
          : s.kind === "connection"
          ? [s.id]
          : [];
        void store.history.run(removeEdit(store, nodes, connections));
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  const onDragStart = (output: string, portType: string, e: PointerEvent) => {
    if (!store.token.value) return;
    store.drag.value = { from: output, portType, ...toGraph(e) };
  };
  const onDrop = (input: string) => {
    const current = store.drag.value;
    if (!current) return;
    store.drag.value = null;
    void store.history.run(connectEdit(store, current.from, input));
  };
  const dragStart = drag ? anchorOf(graph, boxes, drag.from, "output") : undefined;
  const onPaletteDrop = (e: DragEvent) => {
    const file = e.dataTransfer?.files?.[0];
    if (file && store.token.value) {
      e.preventDefault();
      void loadManifestFile(store, file); // a manifest dropped on the graph
      return;
    }
    const name = e.dataTransfer?.getData(PROCESSOR_DRAG_TYPE);
    const info = store.processors.value.find((p) => p.name === name);
    if (!info || !store.token.value) return;
    e.preventDefault();
    const at = toGraph(e as unknown as PointerEvent);
    const id = freeId(info.name, graph);
    const place = { x: Math.max(0, at.x - NODE_WIDTH / 2), y: Math.max(0, at.y - 20) };
    void store.history.run(addNodeEdit(
      store,
      { type: info.name, config: schemaDefaults(info.config), id },
      (added) => {
        store.selection.value = null;
        store.selectSoon({ kind: "node", id: added });
      },
      place,
    ));
  };

  return (
    <div class={`graph-view access-${link}`}>
      {link === "read-only" || link === "refused" || link === "offline"
        ? <AccessNote link={link} />
        : null}
      <div class="graph-tools" role="toolbar" aria-label="zoom">
        <button
          type="button"
          data-zoom-action="out"
          title="Zoom out (Ctrl+wheel)"
          onClick={() => zoomTo(zoomStep(scale, -1))}
        >
          −
        </button>
        <span class="zoom-level" data-zoom-level={scale.toFixed(2)}>
          {Math.round(scale * 100)}%
        </span>
        <button
          type="button"
          data-zoom-action="in"
          title="Zoom in (Ctrl+wheel)"
          onClick={() => zoomTo(zoomStep(scale, 1))}
        >
          +
        </button>
        <button
          type="button"
          data-zoom-action="fit"
          title="Fit the whole graph in view"
          onClick={() => {
            pendingScroll.current = { left: 0, top: 0 };
            setZoom(room ? fitScale(room, drawing) : 1);
          }}
        >
          Fit
        </button>
        <button
          type="button"
          data-zoom-action="auto"
          title="Default: fit, but keep text legible (scroll for the rest)"
          onClick={() => {
            pendingScroll.current = { left: 0, top: 0 };
            setZoom("auto");
          }}
        >
          Auto
        </button>
      </div>
      <div
        class={`graph-scroll ${pan.current?.moved ? "panning" : ""}`}
        ref={scroller}
        data-zoom={zoom === "auto" ? "auto" : "manual"}
        onWheel={onWheel}
        onPointerDown={onPanStart}
        onPointerMove={onPanMove}
        onPointerUp={onPanEnd}
        onPointerCancel={onPanEnd}
        onDragOver={(e) => {
          const types = e.dataTransfer?.types ?? [];
          if (!types.includes(PROCESSOR_DRAG_TYPE) && !types.includes("Files")) return;
          e.preventDefault();
          e.dataTransfer!.dropEffect = "copy";
        }}
        onDrop={onPaletteDrop}
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
                if (!panned.current) store.selection.value = null;
                panned.current = false;
              }}
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
                  const routed = override &&
                      (c.from.startsWith(`${override.id}.`) || c.to.startsWith(`${override.id}.`))
                    ? undefined
                    : layout.edges[c.id];
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
                      selected={store.isSelected("connection", c.id)}
                      current={current}
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
                    selected={store.isSelected("node", node.id)}
                    current={current}
                    failed={node.id in errors &&
                      (stats.nodes[node.id]?.state ?? node.state) === "error"}
                    drag={drag}
                    onSelect={select("node")}
                    onDragStart={onDragStart}
                    onMoveStart={onMoveStart}
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
                  mark={stillMark(link, stats.nodes[node.id]?.state ?? node.state, runtimeState)}
                />
              ))
            )}
          </div>
          {graph.nodes.length === 0
            ? <p class="empty">The graph is empty: add a processor from the palette.</p>
            : null}
        </div>
      </div>
    </div>
  );
}
