/**
 * One processor in the graph drawing: its state, process time, ports with their types, and
 * audio meters (video previews are canvases laid over the drawing by the graph view).
 *
 * @module
 */

import { isPortTypeCompatible } from "../../core/ports/port_type.ts";
import type { NodeDescription } from "../../core/description.ts";
import { formatDuration, formatRate } from "../shared/format.ts";
import {
  HEADER_HEIGHT,
  METER_HEIGHT,
  NODE_WIDTH,
  PORT_ROW,
  portAnchor,
  PREVIEW_HEIGHT,
  PREVIEW_WIDTH,
  previewKind,
  previewTop,
  STATS_HEIGHT,
} from "../shared/geometry.ts";
import type { AudioLevel, NodeBox, StatsView } from "../shared/protocol.ts";
import type { Drag } from "../shared/store.ts";
import { LevelMeter } from "./LevelMeter.tsx";
import { nodeOf } from "../../core/ports/port_end.ts";

/** Props of {@linkcode NodeCard}. */
export interface NodeCardProps {
  /** The node. */
  node: NodeDescription;
  /** Where it sits. */
  box: NodeBox;
  /** Its stats, when known. */
  stats: StatsView["nodes"][string] | undefined;
  /** Levels of watched audio outputs. */
  levels: Record<string, AudioLevel>;
  /** Whether it is selected. */
  selected: boolean;
  /** Whether it has an error to show. */
  failed: boolean;
  /** Whether the numbers are current (the page's stream is live). */
  current: boolean;
  /** A connection being dragged, for highlighting compatible inputs. */
  drag: Drag | null;
  /** Selects the node (`add`: Shift+click, to add it to the selection or take it out). */
  onSelect(id: string, add: boolean): void;
  /** Starts moving the node (a press anywhere on it but its ports). */
  onMoveStart?(id: string, event: PointerEvent): void;
  /** Starts dragging a connection from an output. */
  onDragStart(output: string, portType: string, event: PointerEvent): void;
  /** Drops a dragged connection on an input. */
  onDrop(input: string): void;
}

/** Where previews sit inside a node's box, per output. */
export interface PreviewSlot {
  /** `node.port`. */
  output: string;
  /** Video or audio. */
  kind: "video" | "audio";
  /** Offset from the box's top. */
  top: number;
}

/**
 * The preview slots of a node, in output order.
 *
 * @param node The node.
 * @returns The slots.
 */
export function previewSlots(node: NodeDescription): PreviewSlot[] {
  const slots: PreviewSlot[] = [];
  let top = previewTop(node);
  for (const p of node.outputs) {
    const kind = previewKind(p.portType);
    if (!kind) continue;
    slots.push({ output: `${node.id}.${p.name}`, kind, top });
    top += kind === "video" ? PREVIEW_HEIGHT + 8 : METER_HEIGHT + 4;
  }
  return slots;
}

/**
 * The node, in SVG.
 *
 * @param props The node, its box, stats and handlers.
 * @returns The group.
 */
export function NodeCard(props: NodeCardProps) {
  const { node, box, stats, selected, failed, drag } = props;
  const state = stats?.state ?? node.state;
  const time = stats?.processTime ?? node.stats.processTime;
  const calls = stats?.rates.calls ?? 0;
  const dragFrom = drag ? nodeOf(drag.from) : undefined;
  const classes = [
    "node",
    `state-${state}`,
    selected ? "selected" : "",
    failed ? "failed" : "",
    props.current ? "" : "stale",
  ];
  return (
    <g
      class={classes.join(" ")}
      data-node={node.id}
      data-state={state}
      transform={`translate(${box.x},${box.y})`}
      onClick={(e) => {
        e.stopPropagation();
        props.onSelect(node.id, e.shiftKey);
      }}
      onPointerDown={(e) => {
        if (e.button !== 0 || (e.target as Element).closest(".port")) return;
        props.onMoveStart?.(node.id, e);
      }}
    >
      <rect class="node-body" width={NODE_WIDTH} height={box.height} rx={8} />
      <rect class="node-stripe" width={NODE_WIDTH} height={4} rx={2} />
      <circle class="state-dot" cx={NODE_WIDTH - 16} cy={16} r={5}>
        <title>{state}</title>
      </circle>
      <text class="node-title" x={12} y={20}>{node.id}</text>
      <text class="node-type" x={12} y={34}>{node.type} · {node.mode} · {state}</text>
      <text class="node-stats" data-stats={node.id} x={12} y={HEADER_HEIGHT + 12}>
        {props.current
          ? `p50 ${formatDuration(time.p50Ns)} · p99 ${formatDuration(time.p99Ns)} · ${
            formatRate(state === "running" ? calls : 0)
          }`
          : "p50 — · p99 — · —/s"}
      </text>
      <line
        class="node-rule"
        x1={0}
        x2={NODE_WIDTH}
        y1={HEADER_HEIGHT + STATS_HEIGHT}
        y2={HEADER_HEIGHT + STATS_HEIGHT}
      />
      {node.inputs.map((p, i) => {
        const { x, y } = portAnchor("input", i);
        const id = `${node.id}.${p.name}`;
        const compatible = drag && dragFrom !== node.id && p.connection === null &&
          isPortTypeCompatible(drag.portType, p.portType);
        const mark = drag ? (compatible ? "compatible" : "incompatible") : "";
        return (
          <g
            key={id}
            class={`port input ${mark} ${p.connection ? "connected" : ""}`}
            data-port={id}
            data-direction="input"
            data-type={p.portType}
            onPointerUp={() => props.onDrop(id)}
          >
            <title>{`${id}: ${p.portType}`}</title>
            <circle class="port-hit" cx={x} cy={y} r={11} />
            <circle class="port-dot" cx={x} cy={y} r={5} />
            <text class="port-label" x={x + 10} y={y + 4}>
              <tspan class="port-name">{p.name}</tspan>
              <tspan class="port-type" dx={4}>{p.portType}</tspan>
            </text>
          </g>
        );
      })}
      {node.outputs.map((p, i) => {
        const { x, y } = portAnchor("output", i);
        const id = `${node.id}.${p.name}`;
        return (
          <g
            key={id}
            class={`port output ${drag?.from === id ? "dragging" : ""}`}
            data-port={id}
            data-direction="output"
            data-type={p.portType}
            onPointerDown={(e) => {
              e.stopPropagation();
              e.preventDefault();
              props.onDragStart(id, p.portType, e);
            }}
          >
            <title>{`${id}: ${p.portType} (drag to an input to connect)`}</title>
            <circle class="port-hit" cx={x} cy={y} r={11} />
            <circle class="port-dot" cx={x} cy={y} r={5} />
            <text class="port-label" x={x - 10} y={y + 4} text-anchor="end">
              <tspan class="port-type">{p.portType}</tspan>
              <tspan class="port-name" dx={4}>{p.name}</tspan>
            </text>
          </g>
        );
      })}
      {previewSlots(node).map((slot) =>
        slot.kind === "audio"
          ? (
            <LevelMeter
              key={slot.output}
              x={12}
              y={slot.top}
              width={NODE_WIDTH - 24}
              output={slot.output}
              level={props.levels[slot.output]}
              active={props.current && state === "running"}
            />
          )
          : (
            <rect
              key={slot.output}
              class="preview-frame"
              x={(NODE_WIDTH - PREVIEW_WIDTH) / 2 - 1}
              y={slot.top - 1}
              width={PREVIEW_WIDTH + 2}
              height={PREVIEW_HEIGHT + 2}
            />
          )
      )}
      {node.inputs.length === 0 && node.outputs.length === 0
        ? (
          <text class="port-label" x={12} y={HEADER_HEIGHT + STATS_HEIGHT + PORT_ROW / 2 + 4}>
            no ports
          </text>
        )
        : null}
    </g>
  );
}
