/**
 * The graph's edges, with their numbers.
 *
 * @module
 */

import { EdgeView } from "../EdgeView.tsx";
import type { GraphLayout, GraphView as Graph, NodeBox, StatsView } from "../../shared/protocol.ts";
import { useStore } from "../../shared/store.ts";
import { edgePoints } from "./boxes.ts";

/** Props of {@linkcode GraphEdges}. */
export interface GraphEdgesProps {
  /** The graph. */
  graph: Graph;
  /** The server's layout. */
  layout: GraphLayout;
  /** The node boxes as drawn. */
  boxes: Record<string, NodeBox>;
  /** The node drawn away from its layout box, if any. */
  override: { readonly id: string } | null;
  /** The stats. */
  stats: StatsView;
  /** Whether the numbers are current (the page's stream is live). */
  current: boolean;
  /** Selects a connection (`add`: Shift+click). */
  onSelect(id: string, add: boolean): void;
}

/**
 * The `<g class="edges">` of the drawing.
 *
 * @param props The edges' data.
 * @returns The group.
 */
export function GraphEdges(props: GraphEdgesProps) {
  const store = useStore();
  const { graph, layout, boxes, override, stats, current } = props;
  return (
    <g class="edges">
      {graph.connections.map((c) => {
        const points = edgePoints(c, graph, layout, boxes, override);
        if (!points) return null;
        return (
          <EdgeView
            key={c.id}
            connection={c}
            points={points}
            stats={stats.connections[c.id]}
            selected={store.isSelected("connection", c.id)}
            current={current}
            onSelect={props.onSelect}
          />
        );
      })}
    </g>
  );
}
