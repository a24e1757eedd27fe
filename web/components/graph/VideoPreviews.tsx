/**
 * The video previews drawn over their nodes' boxes (canvases outside the SVG), each marked with
 * why it is not live when it is not.
 *
 * @module
 */

import { previewSlots } from "../NodeCard.tsx";
import { PreviewCanvas } from "../PreviewCanvas.tsx";
import { NODE_WIDTH, PREVIEW_WIDTH } from "../../shared/geometry.ts";
import type { GraphView as Graph, NodeBox, StatsView } from "../../shared/protocol.ts";

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
