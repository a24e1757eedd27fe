/**
 * The graph's node cards.
 *
 * @module
 */

import { NodeCard } from "../NodeCard.tsx";
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
