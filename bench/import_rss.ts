/**
 * What the modules behind the all-built-ins peak RSS row (and `processors/mod.ts`) cost: `bench/graph_bench_rss.ts` (tone →
 * mixer → WAV for 3 s, the three processors' modules and the core) with one more module imported
 * first, each as its own process under `/usr/bin/time`, runs alternating after a warm-up. The
 * table gives the median peak RSS of each and its excess over the minimal row.
 *
 * Run: `deno run -A bench/import_rss.ts [--runs 5]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { peakRssKb } from "./gstreamer.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "5" } },
});
const RUNS = Number(values.runs);

const rows: { label: string; preload: string[] }[] = [
  { label: "core + the three processors (the minimal row)", preload: [] },
  {
    label: "+ the Worker backend (ffi/workers/backend.ts)",
    preload: ["ffi/workers/backend.ts"],
  },
  {
    label: "+ the built-in registry's lazy entries (processors/registry.gen.ts)",
    preload: ["processors/registry.gen.ts"],
  },
  {
    label: "+ createRuntime() (processors/runtime.ts: the registry and the Worker stand-in)",
    preload: ["processors/runtime.ts"],
  },
  {
    label: "+ processors/mod.ts (every class and definition, and createRuntime())",
    preload: ["processors/mod.ts"],
  },
];

const script = new URL("./graph_bench_rss.ts", import.meta.url).pathname;
const out = await Deno.makeTempFile({ suffix: ".wav" });
const run = (preload: string[]) =>
  peakRssKb(Deno.execPath(), [
    "run",
    "-A",
    script,
    "--out",
    out,
    ...preload.flatMap((path) => ["--preload", path]),
  ]);

for (const row of rows) await run(row.preload); // warm-up: emit and code caches
const peaks = rows.map(() => [] as number[]);
for (let r = 0; r < RUNS; r++) {
  for (const [i, row] of rows.entries()) peaks[i].push(await run(row.preload) / 1024);
  console.error(`import_rss: run ${r + 1} of ${RUNS}`);
}
await Deno.remove(out);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(peaks[0]);
console.log(`| imported | peak RSS (MB, median of ${RUNS}) | over the minimal row (MB) |`);
console.log("| --- | ---: | ---: |");
for (const [i, row] of rows.entries()) {
  const m = median(peaks[i]);
  console.log(`| ${row.label} | ${m.toFixed(1)} | ${i === 0 ? "-" : (m - base).toFixed(1)} |`);
}
