/**
 * The line of a connection being dragged (see `connect_drag.ts`).
 *
 * @module
 */

import { pathData } from "../EdgeView.tsx";
import type { GraphView as Graph, NodeBox } from "../../shared/protocol.ts";
import type { Drag } from "../../shared/store.ts";
import { anchorOf } from "./boxes.ts";

/** Props of {@linkcode DragLine}. */
export interface DragLineProps {
  /** The connection being dragged, if any. */
  drag: Drag | null;
  /** The graph. */
  graph: Graph;
  /** The node boxes as drawn. */
  boxes: Record<string, NodeBox>;
}

/**
 * The line from the dragged output to the pointer.
 *
 * @param props The drag and where its output is.
 * @returns The path, or nothing.
 */
export function DragLine({ drag, graph, boxes }: DragLineProps) {
  const start = drag ? anchorOf(graph, boxes, drag.from, "output") : undefined;
  return drag && start
    ? <path class="drag-line" d={pathData([start, { x: drag.x, y: drag.y }])} />
    : null;
}
