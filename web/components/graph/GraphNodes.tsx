/**
 * The graph's node cards, and the video previews drawn over them.
 *
 * @module
 */

import { NodeCard, previewSlots } from "../NodeCard.tsx";
import { PreviewCanvas } from "../PreviewCanvas.tsx";
import { NODE_WIDTH, PREVIEW_WIDTH } from "../../shared/geometry.ts";
import type {
  GraphView as Graph,
  NodeBox,
  NodeErrorInfo,
  StatsView,
} from "../../shared/protocol.ts";
import { type Drag, useStore } from "../../shared/store.ts";

/** Props of {@linkcode GraphNodes}. */
export interface GraphNodesProps {
  /** The graph. */
  graph: Graph;
  /** The node boxes as drawn. */
  boxes: Record<string, NodeBox>;
  /** The stats. */
  stats: StatsView;
  /** The nodes' last errors. */
  errors: Record<string, NodeErrorInfo>;
  /** Whether the numbers are current (the page's stream is live). */
  current: boolean;
  /** A connection being dragged. */
  drag: Drag | null;
  /** Selects a node (`add`: Shift+click). */
  onSelect(id: string, add: boolean): void;
  /** Starts dragging a connection from an output. */
  onDragStart(output: string, portType: string, event: PointerEvent): void;
  /** Starts moving a node. */
  onMoveStart(id: string, event: PointerEvent): void;
  /** Drops a dragged connection on an input. */
  onDrop(input: string): void;
}

/**
 * The `<g class="nodes">` of the drawing.
 *
 * @param props The nodes' data and handlers.
 * @returns The group.
 */
export function GraphNodes(props: GraphNodesProps) {
  const store = useStore();
  const { graph, boxes, stats, errors } = props;
  return (
    <g class="nodes">
      {graph.nodes.map((node) => (
        <NodeCard
          key={node.id}
          node={node}
          box={boxes[node.id]}
          stats={stats.nodes[node.id]}
          levels={stats.levels}
          selected={store.isSelected("node", node.id)}
          current={props.current}
          failed={node.id in errors &&
            (stats.nodes[node.id]?.state ?? node.state) === "error"}
          drag={props.drag}
          onSelect={props.onSelect}
          onDragStart={props.onDragStart}
          onMoveStart={props.onMoveStart}
          onDrop={props.onDrop}
        />
      ))}
    </g>
  );
}

/** Why a preview is not live, or `null` when it is. */
function stillMark(link: string, node: string, runtime: string): string | null {
  if (link === "read-only" || link === "refused") return "no access";
  if (link !== "live") return "not live";
  if (runtime !== "running") return runtime;
  return node === "running" ? null : node;
}

/** Props of {@linkcode VideoPreviews}. */
export interface VideoPreviewsProps {
  /** The graph. */
  graph: Graph;
  /** The node boxes as drawn. */
  boxes: Record<string, NodeBox>;
  /** The stats (each node's state). */
  stats: StatsView;
  /** The page's link to the stream. */
  link: string;
  /** The runtime's state. */
  runtimeState: string;
}

/**
 * The canvases of the video previews, over their nodes' boxes (outside the SVG).
 *
 * @param props The graph, boxes and states.
 * @returns The canvases.
 */
export function VideoPreviews(props: VideoPreviewsProps) {
  const { graph, boxes, stats, link, runtimeState } = props;
  return (
    <>
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
    </>
  );
}
