/**
 * The in-isolate pass-through rows of `bench/graph_bench.ts` in CPU time instead of wall time, for
 * a machine other work keeps busy: a process that waits for a core loses wall time, not CPU time.
 * For each chain (`BurstSource` → n × `PassThrough` → `CountingSink`, capacity 8, 64-byte frames,
 * in this process after a warm-up) it takes the CPU time this process used per frame
 * (`process.cpuUsage()` around `chainRate()`), and for `fakesrc ! n × identity ! fakesink` the CPU
 * time `gst-launch-1.0` used per buffer (`/usr/bin/time`, less a one-buffer run's start-up),
 * alternating, the smallest of `--runs` each. Both run one streaming thread, so on a quiet machine
 * the ratio of CPU times is close to graph_bench's ratio of rates; graph_bench stays the measure of
 * the goal.
 *
 * Run: `deno run -A bench/isolate_cpu.ts [--runs 3] [--frames 1000000] [--hops 1,4,16]`
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { chainRate } from "./graph_bench_runs.ts";
import { gstCpuSeconds } from "./gstreamer.ts";
import { ensureGstreamer } from "./ensure_gstreamer.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "3" },
    frames: { type: "string", default: "1000000" },
    hops: { type: "string", default: "1,4,16" },
  },
});
const RUNS = Number(values.runs);
const FRAMES = Number(values.frames);
const HOPS = values.hops.split(",").map(Number);
if (
  !Number.isInteger(RUNS) || RUNS < 1 || !Number.isInteger(FRAMES) || FRAMES < 10_000 ||
  HOPS.some((h) => !Number.isInteger(h) || h < 1)
) {
  throw new RangeError(
    `Cannot run isolate_cpu: expected --runs >= 1, --frames >= 10000 and --hops a comma list of ` +
      `integers >= 1; got ${JSON.stringify(values)}`,
  );
}
await ensureGstreamer(["fakesrc", "identity"]);

/** CPU nanoseconds per frame of one chain of `hops` in this process. */
async function oursNs(hops: number): Promise<number> {
  const before = process.cpuUsage();
  await chainRate(hops, FRAMES, 8);
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / FRAMES;
}

/** CPU nanoseconds per buffer of GStreamer's chain of `hops` identities. */
async function gstNs(hops: number): Promise<number> {
  const pipeline = (n: number) =>
    `fakesrc num-buffers=${n} sizetype=fixed sizemax=64 ! ` +
    `${Array(hops).fill("identity").join(" ! ")} ! fakesink`;
  const startUp = await gstCpuSeconds(pipeline(1));
  return ((await gstCpuSeconds(pipeline(FRAMES)) - startUp) * 1e9) / FRAMES;
}

console.log(`| hops, capacity 8 | streamlib CPU ns/frame | GStreamer CPU ns/buffer | ratio |`);
console.log("| ---: | ---: | ---: | ---: |");
for (const hops of HOPS) {
  // Warm-up: the chain's code optimised (compiler threads count in this process's CPU time).
  await chainRate(hops, FRAMES, 8);
  let ours = Infinity;
  let theirs = Infinity;
  for (let run = 0; run < RUNS; run++) {
    ours = Math.min(ours, await oursNs(hops));
    theirs = Math.min(theirs, await gstNs(hops));
    console.error(`isolate_cpu: ${hops} hop(s), run ${run + 1} of ${RUNS}`);
  }
  console.log(
    `| ${hops} | ${ours.toFixed(0)} | ${theirs.toFixed(0)} | ${(theirs / ours).toFixed(2)}x |`,
  );
}
Deno.exit(0); // the bench's processors leave message ports open
