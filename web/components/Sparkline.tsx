/**
 * A small plot of one or two series over the last minutes, in SVG: the line(s), the range, and
 * the latest value.
 *
 * @module
 */

import type { Series } from "../shared/stats_history.ts";

/** Props of {@linkcode Sparkline}. */
export interface SparklineProps {
  /** A name for tests (`rate`, `fill`...). */
  name: string;
  /** The title. */
  title: string;
  /** The series (a second one is drawn dashed, e.g. p99 over p50). */
  series: Series[];
  /** Formats a value. */
  format(value: number): string;
}

const W = 260;
const H = 46;

/**
 * The plot.
 *
 * @param props Name, title, series and formatter.
 * @returns The figure.
 */
export function Sparkline({ name, title, series, format }: SparklineProps) {
  const all = series.flatMap((s) => s.v);
  const times = series.flatMap((s) => s.t);
  const max = Math.max(1e-9, ...all);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const x = (t: number) => (t1 > t0 ? ((t - t0) / (t1 - t0)) * W : 0);
  const y = (v: number) => H - 2 - (v / max) * (H - 4);
  const last = series.map((s) => s.v.at(-1));
  return (
    <figure class="sparkline" data-plot={name} data-points={series[0]?.t.length ?? 0}>
      <figcaption>
        <span>{title}</span>
        <span class="muted">
          {last.map((v) => (v === undefined ? "—" : format(v))).join(" / ")} · max {format(max)}
          {t1 > t0 ? ` · ${Math.round((t1 - t0) / 1000)} s` : ""}
        </span>
      </figcaption>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`}>
        <rect class="sparkline-bg" width={W} height={H} />
        {series.map((s, i) =>
          s.t.length > 1
            ? (
              <polyline
                key={i}
                class={`sparkline-line line-${i}`}
                points={s.t.map((t, j) => `${x(t).toFixed(1)},${y(s.v[j]).toFixed(1)}`).join(" ")}
              />
            )
            : null
        )}
      </svg>
    </figure>
  );
}
