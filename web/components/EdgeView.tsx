/**
 * One connection in the graph drawing: its route, moving while frames flow, with throughput,
 * fill level and drops.
 *
 * @module
 */

import type { ConnectionDescription } from "../../core/description.ts";
import { formatCount, formatRate } from "../shared/format.ts";
import type { Point, StatsView } from "../shared/protocol.ts";

/** Props of {@linkcode EdgeView}. */
export interface EdgeViewProps {
  /** The connection. */
  connection: ConnectionDescription;
  /** Its route. */
  points: Point[];
  /** Its stats, when known. */
  stats: StatsView["connections"][string] | undefined;
  /** Whether it is selected. */
  selected: boolean;
  /** Selects it (`add`: Shift+click, to add it to the selection or take it out). */
  onSelect(id: string, add: boolean): void;
  /** Whether the numbers are current (the page's stream is live). */
  current: boolean;
}

/**
 * An SVG path through the points.
 *
 * @param points The route.
 * @returns The path data.
 */
export function pathData(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)} ${p.y.toFixed(1)}`)
    .join(" ");
}

const CHAR = 11 * 0.62;
const PAD = 6;
const BAR = 20;
const LABEL_HEIGHT = 20;

/**
 * Where the label goes: the middle of the longest horizontal stretch (labels are wide, and a
 * vertical stretch runs beside nodes), else of the longest stretch.
 */
function labelPoint(points: Point[]): Point {
  let best = -1;
  let at = { x: points[0].x, y: points[0].y };
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    const score = a.y === b.y ? length + 1e6 : length;
    if (score > best) {
      best = score;
      at = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    }
  }
  return at;
}

/**
 * What a connection between a CPU and a GPU port shows under its label: its uploads or
 * downloads and their mean time.
 *
 * @param stats The connection's counters.
 * @returns The text and its tooltip, or `undefined` for a connection that makes no transfer.
 *
 * @example A connection into a GPU input
 * ```ts
 * import assert from "node:assert/strict";
 * import { transferLabel } from "./EdgeView.tsx";
 *
 * const label = transferLabel({ transfer: "upload", uploads: 4, downloads: 0, transferNs: 8e6 });
 * assert.equal(label?.text, "↑GPU 4");
 * ```
 */
export function transferLabel(
  stats: {
    transfer?: "upload" | "download";
    uploads?: number;
    downloads?: number;
    transferNs?: number;
  },
): { text: string; title: string } | undefined {
  const { transfer, uploads, downloads, transferNs = 0 } = stats;
  if (transfer === undefined) return undefined;
  const up = transfer === "upload";
  const count = up ? uploads ?? 0 : downloads ?? 0;
  const mean = count > 0 ? (transferNs / count / 1e6).toFixed(2) : "0";
  return {
    text: `${up ? "↑GPU" : "↓CPU"} ${formatCount(count)}`,
    title: `${count} ${up ? "uploads to" : "downloads from"} the GPU, ${mean} ms each`,
  };
}

/**
 * The edge, in SVG.
 *
 * @param props The connection, its route and stats.
 * @returns The group.
 */
export function EdgeView(
  { connection, points, stats: last, selected, onSelect, current }: EdgeViewProps,
) {
  const stats = current ? last : undefined;
  const rate = stats?.rates.written ?? 0;
  const fill = stats ? stats.queued / Math.max(1, stats.capacity) : 0;
  const dropped = stats?.dropped ?? connection.stats.dropped;
  const moving = stats?.rates.moving ?? false;
  const speed = !moving ? "" : rate > 200 ? "flow-fast" : rate > 20 ? "flow" : "flow-slow";
  const rateText = current ? formatRate(rate) : "—/s";
  const dropText = formatCount(dropped);
  // Sized from the texts (11 px monospace, about 0.62 em a character), so both stay inside.
  const barX = PAD + Math.ceil(Math.max(6, rateText.length) * CHAR) + PAD;
  const box = barX + BAR + PAD + Math.ceil(dropText.length * CHAR) + PAD;
  const d = pathData(points);
  const label = labelPoint(points);
  const classes = ["edge", speed, selected ? "selected" : "", dropped > 0 ? "dropping" : ""];
  const transfer = transferLabel(stats ?? connection.stats);
  return (
    <g
      class={classes.join(" ")}
      data-connection={connection.id}
      data-from={connection.from}
      data-to={connection.to}
      onClick={(e) => {
        e.stopPropagation();
        onSelect(connection.id, e.shiftKey);
      }}
    >
      <title>
        {`${connection.id}: ${connection.from} → ${connection.to} (${connection.policy}, capacity ${connection.capacity})`}
      </title>
      <path class="edge-hit" d={d} />
      <path class="edge-line" d={d} />
      <g class="edge-label" transform={`translate(${label.x - box / 2},${label.y - 22})`}>
        <rect class="edge-label-bg" width={box} height={LABEL_HEIGHT} rx={4} />
        <text class="edge-rate" data-rate={connection.id} x={PAD} y={14}>{rateText}</text>
        <rect class="fill-bg" x={barX} y={6} width={BAR} height={8} rx={2}>
          <title>{`queued ${stats?.queued ?? 0} of ${connection.capacity}`}</title>
        </rect>
        <rect class="fill" x={barX} y={6} width={BAR * Math.min(1, fill)} height={8} rx={2} />
        <text
          class={`edge-drops ${dropped > 0 ? "has-drops" : ""}`}
          data-drops={connection.id}
          x={box - PAD}
          y={14}
          text-anchor="end"
        >
          {dropText}
          <title>dropped frames</title>
        </text>
        {transfer && (
          <text class="edge-transfer" data-transfer={connection.id} x={PAD} y={LABEL_HEIGHT + 12}>
            {transfer.text}
            <title>{transfer.title}</title>
          </text>
        )}
      </g>
    </g>
  );
}
