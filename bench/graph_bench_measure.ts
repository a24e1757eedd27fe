/**
 * How `bench/graph_bench.ts` measures: the runs of the figures compared in a row alternate
 * (streamlib, GStreamer, streamlib, ...), so a machine shared with other work slows both sides
 * alike, and each figure is the median of its runs after one warm-up run.
 *
 * @module
 */

import { type Measured, median, type NotMeasured } from "./graph_bench_table.ts";

/** One figure to measure: a label for the progress lines, and one run. */
export interface Contender {
  /** What runs, for the progress lines on stderr. */
  label: string;
  /** One run; resolves with the figure. */
  run: () => Promise<number>;
}

/**
 * Runs every contender once to warm up, then `runs` rounds of one run each, in turn.
 *
 * A contender whose run throws is reported on stderr and becomes "not measured" with the
 * error's name; the others go on.
 *
 * @param runs Rounds after the warm-up.
 * @param contenders The figures.
 * @returns Their medians (or why they are missing), in order.
 */
export async function measureTogether(
  runs: number,
  contenders: readonly Contender[],
): Promise<(Measured | NotMeasured)[]> {
  const results = contenders.map(() => [] as number[]);
  const failed: (string | undefined)[] = contenders.map(() => undefined);
  for (let round = -1; round < runs; round++) {
    for (const [i, { label, run }] of contenders.entries()) {
      if (failed[i]) continue;
      try {
        const value = await run();
        if (round >= 0) results[i].push(value);
      } catch (error) {
        console.error(`  ${label}: failed:`, error);
        failed[i] = missingReason(error);
      }
    }
  }
  return contenders.map(({ label }, i) => {
    if (failed[i]) return { missing: failed[i] };
    const value = median(results[i]);
    const all = results[i].map((v) => v.toPrecision(4)).join(", ");
    console.error(`  ${label}: median ${value.toPrecision(4)} of [${all}]`);
    return { value, runs: results[i] };
  });
}

/**
 * The table cell for a figure whose run threw.
 *
 * @param error What the run threw.
 * @returns `"not measured: Worker placement unavailable"` for a `PlacementUnavailableError`,
 * else `"not measured: <error name>"`.
 */
export function missingReason(error: unknown): string {
  const name = error instanceof Error ? error.name : String(error);
  return name === "PlacementUnavailableError"
    ? "not measured: Worker placement unavailable"
    : `not measured: ${name}`;
}
