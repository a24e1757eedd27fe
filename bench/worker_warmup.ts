/**
 * How the untouched 1080p Worker rows of `bench/graph_bench.ts` move from run to run of one
 * process: `--rounds` rounds, each a GStreamer run (`fakesrc filltype=nothing ! queue ...`) and
 * then a streamlib run (`workerHopRate`, the graph_bench row's own code) of `--frames` frames,
 * with no warm-up run, for 1 and 4 hops; a table of each round's rates and their ratio. graph_bench
 * takes the median of rounds 2-4 of this sequence (one warm-up, three runs); this shows what
 * comes after. `--gap MS` idles the whole process that long before each streamlib run (an idle
 * machine between runs), `--busy MS` spins the main thread that long instead.
 *
 * Run: `deno run -A bench/worker_warmup.ts [--rounds 8] [--frames 20000] [--hops 1,4]
 * [--gap 0] [--busy 0]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { closeWorkerRuns, workerHopRate } from "./graph_bench_worker_runs.ts";
import { gstExecutionSeconds } from "./gstreamer.ts";
import { ensureGstreamer } from "./ensure_gstreamer.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "8" },
    frames: { type: "string", default: "20000" },
    hops: { type: "string", default: "1,4" },
    gap: { type: "string", default: "0" },
    busy: { type: "string", default: "0" },
  },
});
const ROUNDS = Number(values.rounds);
const FRAMES = Number(values.frames);
const HOPS = values.hops.split(",").map(Number);
const GAP_MS = Number(values.gap);
const BUSY_MS = Number(values.busy);
if (
  [ROUNDS, FRAMES].some((n) => !Number.isInteger(n) || n < 1) ||
  HOPS.some((n) => !Number.isInteger(n) || n < 1) ||
  [GAP_MS, BUSY_MS].some((n) => !Number.isFinite(n) || n < 0)
) {
  throw new RangeError(
    `Cannot run worker_warmup: expected --rounds and --frames positive integers, --hops a ` +
      `comma-separated list of positive integers, --gap and --busy milliseconds from 0; got ` +
      JSON.stringify(values),
  );
}
if (!await ensureGstreamer(["fakesrc", "queue", "identity", "fakesink"])) {
  throw new Error("Cannot run worker_warmup: GStreamer (gst-launch-1.0) is not installed");
}

/** The graph_bench row's GStreamer pipeline: `hops` queues with an `identity` between two. */
function pipeline(hops: number): string {
  return `fakesrc num-buffers=${FRAMES} filltype=nothing sizetype=fixed ` +
    `sizemax=${1920 * 1080 * 4} ! ${Array(hops).fill("queue").join(" ! identity ! ")} ! fakesink`;
}

console.log(
  `untouched 1920x1080 RGBA through Worker hops, ${FRAMES} frames a run, no warm-up run` +
    (GAP_MS > 0 ? `, ${GAP_MS} ms idle before each streamlib run` : "") +
    (BUSY_MS > 0 ? `, ${BUSY_MS} ms of main-thread spin before each streamlib run` : ""),
);
console.log("| hops | round | GStreamer frames/s | streamlib frames/s | ratio |");
console.log("| ---: | ---: | ---: | ---: | ---: |");
for (const hops of HOPS) {
  for (let round = 1; round <= ROUNDS; round++) {
    const theirs = FRAMES / await gstExecutionSeconds(pipeline(hops));
    if (GAP_MS > 0) await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    if (BUSY_MS > 0) {
      const started = performance.now();
      while (performance.now() - started < BUSY_MS) { /* spin */ }
    }
    const ours = await workerHopRate(hops, FRAMES, "video", false);
    console.log(
      `| ${hops} | ${round} | ${Math.round(theirs)} | ${Math.round(ours)} | ` +
        `${(ours / theirs).toFixed(2)}x |`,
    );
  }
}
await closeWorkerRuns();
