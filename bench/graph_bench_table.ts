/**
 * The rows of `bench/graph_bench.ts` and how they print: one table, then one line per goal.
 *
 * @module
 */

/** A measured figure: the median and every run behind it. */
export interface Measured {
  /** The median. */
  value: number;
  /** Every run, in order. */
  runs: number[];
}

/** A figure that was not measured, and why. */
export interface NotMeasured {
  /** Why, printed in the cell: `"not measured: Worker placement unavailable"`. */
  missing: string;
}

/** A goal: a ratio to GStreamer (in the row's better direction), or an absolute bound. */
export type Goal =
  | { kind: "ratio"; atLeast: number }
  | { kind: "below"; value: number };

/** One row of the table. */
export interface Row {
  /** What was measured. */
  name: string;
  /** The unit of both figures. */
  unit: string;
  /** streamlib's figure. */
  ours: Measured | NotMeasured;
  /** GStreamer's figure. */
  gst: Measured | NotMeasured;
  /** Whether a higher figure is better (throughput) or a lower one (latency, memory). */
  higherIsBetter: boolean;
  /** The goal the row is checked against, if any. */
  goal?: Goal;
}

/**
 * The median of some numbers (the upper one of the middle two for an even count).
 *
 * @param xs The numbers, at least one.
 * @returns The median.
 */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The `q` quantile of some numbers, nearest rank.
 *
 * @param xs The numbers, at least one.
 * @param q From 0 to 1.
 * @returns The quantile.
 */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function isMeasured(x: Measured | NotMeasured): x is Measured {
  return "value" in x;
}

function format(value: number, unit: string): string {
  if (unit === "ms") return value.toFixed(3);
  if (unit === "MB") return value.toFixed(1);
  if (value >= 1000) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(1);
}

function cell(x: Measured | NotMeasured, unit: string): string {
  return isMeasured(x) ? format(x.value, unit) : x.missing;
}

function ratio(row: Row): number | undefined {
  if (!isMeasured(row.ours) || !isMeasured(row.gst)) return undefined;
  return row.ours.value / row.gst.value;
}

function goalText(row: Row): string {
  const goal = row.goal;
  if (!goal) return "";
  if (goal.kind === "below") return `< ${goal.value} ${row.unit}`;
  return row.higherIsBetter ? `>= ${goal.atLeast}x GStreamer` : `<= 1/${goal.atLeast} GStreamer`;
}

/** Whether the row meets its goal; `undefined` when it has none or was not measured. */
function goalMet(row: Row): boolean | undefined {
  const goal = row.goal;
  if (!goal || !isMeasured(row.ours)) return undefined;
  if (goal.kind === "below") return row.ours.value < goal.value;
  const r = ratio(row);
  if (r === undefined) return undefined;
  return row.higherIsBetter ? r >= goal.atLeast : 1 / r >= goal.atLeast;
}

/**
 * Prints the table and a line per goal.
 *
 * @param rows The rows.
 * @param options The title line.
 */
export function printTable(rows: readonly Row[], options: { title: string }): void {
  const table = rows.map((row) => {
    const r = ratio(row);
    const met = goalMet(row);
    return [
      row.name,
      row.unit,
      cell(row.ours, row.unit),
      cell(row.gst, row.unit),
      r === undefined ? "-" : `${r.toFixed(2)}x`,
      goalText(row) || "-",
      met === undefined ? (row.goal ? "not measured" : "-") : met ? "met" : "not met",
    ];
  });
  const header = ["row", "unit", "streamlib", "GStreamer", "streamlib / GStreamer", "goal", "met"];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    `| ${
      cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(
        " | ",
      )
    } |`;
  console.log(`\n${options.title}\n`);
  console.log(line(header));
  console.log(
    `| ${
      widths.map((w, i) => (i >= 2 && i <= 4 ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ")
    } |`,
  );
  for (const cells of table) console.log(line(cells));
  console.log();
  for (const row of rows) {
    if (!row.goal) continue;
    const met = goalMet(row);
    const r = ratio(row);
    const status = met === undefined ? "not measured" : met ? "met" : "not met";
    const detail = !isMeasured(row.ours)
      ? row.ours.missing
      : row.goal.kind === "below"
      ? `${format(row.ours.value, row.unit)} ${row.unit}`
      : `${r!.toFixed(2)}x GStreamer`;
    console.log(`goal ${row.name}: ${goalText(row)}: ${status} (${detail})`);
  }
}
