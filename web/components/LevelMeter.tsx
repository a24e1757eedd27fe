/**
 * An audio level meter: one bar per channel, RMS filled, peak marked.
 *
 * @module
 */

import type { AudioLevel } from "../shared/protocol.ts";

/** Props of {@linkcode LevelMeter}. */
export interface LevelMeterProps {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  width: number;
  /** The output it shows (`node.port`). */
  output: string;
  /** The level, when known. */
  level: AudioLevel | undefined;
  /** Whether audio flows (the node runs): otherwise the meter reads zero, greyed. */
  active: boolean;
}

/** Decibels shown: -60 dBFS to 0. */
const FLOOR_DB = -60;

function fraction(linear: number): number {
  if (linear <= 0) return 0;
  const db = 20 * Math.log10(linear);
  return Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB));
}

/**
 * The meter, in SVG.
 *
 * @param props Position, output and level.
 * @returns The meter.
 */
export function LevelMeter({ x, y, width, output, level: last, active }: LevelMeterProps) {
  const level = active ? last : undefined;
  const channels = last?.rms.length ?? 2;
  const bar = Math.max(2, Math.floor(12 / channels) - 1);
  return (
    <g
      class={`meter ${active ? "" : "idle"}`}
      data-meter={output}
      data-active={String(active)}
      transform={`translate(${x},${y})`}
    >
      <title>{output} level (RMS, peak; -60 to 0 dBFS)</title>
      {Array.from({ length: channels }, (_, ch) => {
        const rms = fraction(level?.rms[ch] ?? 0);
        const peak = fraction(level?.peak[ch] ?? 0);
        const top = ch * (bar + 1);
        return (
          <g key={ch}>
            <rect class="meter-bg" x={0} y={top} width={width} height={bar} />
            <rect class="meter-rms" x={0} y={top} width={width * rms} height={bar} />
            <rect
              class="meter-peak"
              x={Math.max(0, width * peak - 2)}
              y={top}
              width={2}
              height={bar}
            />
          </g>
        );
      })}
    </g>
  );
}
