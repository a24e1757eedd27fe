/**
 * The geometry of a node box: the server lays out boxes of this size, the page draws them.
 *
 * @module
 */

import { parsePortType } from "../../core/ports/port_type.ts";

/** Width of every node box (room for an input and an output label on one row at 11 px). */
export const NODE_WIDTH = 248;
/** Height of the title and state line. */
export const HEADER_HEIGHT = 40;
/** Height of the process-time line. */
export const STATS_HEIGHT = 18;
/** Height of one port row. */
export const PORT_ROW = 20;
/** Size of a video preview. */
export const PREVIEW_WIDTH = 160;
/** Size of a video preview. */
export const PREVIEW_HEIGHT = 90;
/** Height of an audio level meter row. */
export const METER_HEIGHT = 16;
const PADDING = 8;

/** What a box needs to know about a node's ports. */
export interface PortsOf {
  /** The inputs. */
  readonly inputs: readonly { readonly portType: string }[];
  /** The outputs. */
  readonly outputs: readonly { readonly portType: string }[];
}

/** The preview an output gets: a thumbnail, a level meter, or none. */
export type PreviewKind = "video" | "audio" | null;

/**
 * The preview kind of a port type.
 *
 * @param portType A port type string.
 * @returns `video` for `VideoFrame`, `audio` for `AudioFrame<N>`, else `null`.
 *
 * @example Kinds
 * ```ts
 * import assert from "node:assert/strict";
 * import { previewKind } from "./geometry.ts";
 *
 * assert.equal(previewKind("VideoFrame"), "video");
 * assert.equal(previewKind("AudioFrame<2>"), "audio");
 * assert.equal(previewKind("DataFrame"), null);
 * ```
 */
export function previewKind(portType: string): PreviewKind {
  const name = parsePortType(portType)?.name;
  return name === "VideoFrame" || name === "GpuVideoFrame"
    ? "video"
    : name === "AudioFrame"
    ? "audio"
    : null;
}

/**
 * Height of a node's box: header, stats line, port rows, then one preview per output that has
 * one.
 *
 * @param node The node's ports.
 * @returns The height.
 */
export function nodeHeight(node: PortsOf): number {
  const rows = Math.max(node.inputs.length, node.outputs.length, 1);
  let height = HEADER_HEIGHT + STATS_HEIGHT + rows * PORT_ROW + PADDING;
  for (const output of node.outputs) {
    const kind = previewKind(output.portType);
    if (kind === "video") height += PREVIEW_HEIGHT + PADDING;
    else if (kind === "audio") height += METER_HEIGHT + 4;
  }
  return height;
}

/**
 * Where port `index` sits, relative to the box's top-left corner: inputs on the left edge,
 * outputs on the right.
 *
 * @param direction Input or output.
 * @param index The port's position among its direction's ports.
 * @returns The anchor point.
 */
export function portAnchor(direction: "input" | "output", index: number): { x: number; y: number } {
  return {
    x: direction === "input" ? 0 : NODE_WIDTH,
    y: HEADER_HEIGHT + STATS_HEIGHT + index * PORT_ROW + PORT_ROW / 2,
  };
}

/**
 * The top of the preview area (below the port rows).
 *
 * @param node The node's ports.
 * @returns The offset from the box's top.
 */
export function previewTop(node: PortsOf): number {
  const rows = Math.max(node.inputs.length, node.outputs.length, 1);
  return HEADER_HEIGHT + STATS_HEIGHT + rows * PORT_ROW + PADDING;
}
