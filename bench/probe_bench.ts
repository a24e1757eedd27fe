/**
 * What a probe costs the writer it watches: `BurstSource` writing 1920x1080 RGBA frames as fast as
 * a `CountingSink` takes them (`fifo`, capacity 4), without a probe (A), with a probe sampling
 * every 100 ms (B), without a probe again (A', the A/A control), and with a dashboard preview probe
 * (C: a 160x90 thumbnail made every 100 ms, in the writer's isolate). Three rows: main isolate;
 * Worker -> main (source in a Worker, sink in the main isolate, the probe attached from the main
 * isolate and sampling in the Worker); in a Worker (source and sink in one Worker, the probe
 * attached from the main isolate: its samples cross to the main isolate, the frames do not, so
 * the row has the probe's cross-isolate path without the wake-ups of a cross-isolate connection,
 * whose timing noise hides a 2% effect in the Worker -> main row).
 *
 * Method, to resolve a cost of about 2% on a shared machine:
 * - **Interleaved rounds**: each round runs A, B, A', C back to back, the order turning each
 *   round, so slow drifts of the machine hit every variant alike.
 * - **CPU time per frame**: each run's process CPU time (user + system, every thread, Workers
 *   included: `process.cpuUsage()`) divided by its frames. Time other processes take from ours
 *   does not count, which wall-clock throughput cannot tell apart. Wall-clock fps is reported too.
 * - **Paired per round**: a round gives B/A - 1, C/A - 1 and the control A'/A - 1; the table gives
 *   the median over the rounds and a distribution-free 95% confidence interval of that median
 *   (order statistics, binomial). The A/A column is the noise floor: a cost is resolved only when
 *   its interval is narrower than the effect asked about; "< 2%" is shown when the whole interval
 *   of the probe's CPU cost lies below 2%.
 *
 * `deno run -A bench/probe_bench.ts [seconds per run] [rounds] [rows]` (default 0.5 s, 20 rounds,
 * rows `main,worker-main,worker`).
 *
 * @module
 */

import process from "node:process";
import { Runtime } from "../mod.ts";
import { FramePool, videoSlotBytes, WorkerBackend } from "../ffi/mod.ts";
import { builtinRegistry } from "../processors/mod.ts";
import { arrivalRate, runToSink } from "./graph_bench_runs.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";

const SECONDS = Number(Deno.args[0] ?? 0.5);
const ROUNDS = Number(Deno.args[1] ?? 20);
/** Rows to run, comma-separated (default all): main, worker-main, worker. */
const WHERE = (Deno.args[2] ?? "main,worker-main,worker").split(",") as Placement[];
for (const where of WHERE) {
  if (!["main", "worker-main", "worker"].includes(where)) {
    throw new Error(`unknown row '${where}': valid rows are main, worker-main, worker`);
  }
}
const PREVIEW = new URL("../web/server/preview_probe.ts", import.meta.url).href;

type Variant = "none" | "again" | "probe" | "preview";
const ORDER: readonly Variant[] = ["none", "probe", "again", "preview"];

/** One run: wall-clock frames per second at the sink, and process CPU nanoseconds per frame. */
interface Run {
  readonly fps: number;
  readonly cpuNsPerFrame: number;
}

/** Where the graph runs: one isolate, a Worker writing to the main isolate, or all in a Worker. */
type Placement = "main" | "worker-main" | "worker";

async function run(
  rt: Runtime,
  where: Placement,
  variant: Variant,
  frames: number,
  mustSample = true,
): Promise<Run & { samples: number }> {
  const placement = where === "main" ? "main" : { worker: "w" };
  rt.add("BurstSource", { frames, kind: "video", burst: 4 }, { id: "source", placement });
  rt.add("CountingSink", { expect: frames }, {
    id: "sink",
    placement: where === "worker" ? { worker: "w" } : "main",
  });
  rt.connectByName("source", "out", "sink", "in", { capacity: 4, policy: "fifo" });
  let samples = 0;
  const probe = variant === "none" || variant === "again"
    ? undefined
    : rt.probe("source.out", () => samples++, {
      everyMs: 100,
      ...(variant === "preview"
        ? {
          transform: {
            module: PREVIEW,
            export: "previewSample",
            options: { width: 160, height: 90 },
          },
        }
        : {}),
    });
  let fps: number;
  let cpuNs: number;
  if (where === "worker") {
    // The sink is in the Worker: its count comes with the Worker's counters (posted every few
    // ms, see the backend below). Timed from the first frame counted to the last, so the
    // Worker's start-up is not in the figure.
    await rt.start();
    await countReached(rt, 1);
    const before = process.cpuUsage();
    const t0 = performance.now();
    const first = rt.stats().nodes.sink.framesIn;
    await countReached(rt, frames);
    const cpu = process.cpuUsage(before);
    fps = (rt.stats().nodes.sink.framesIn - first) / ((performance.now() - t0) / 1000);
    cpuNs = (cpu.user + cpu.system) * 1000 / (frames - first);
    await rt.stop();
  } else {
    const before = process.cpuUsage();
    const report = await runToSink(rt, "sink", `probe bench ${variant}`);
    const cpu = process.cpuUsage(before);
    fps = arrivalRate(report, frames);
    cpuNs = ((cpu.user + cpu.system) * 1000) / frames;
  }
  if (rt.state === "running") await rt.stop();
  probe?.close();
  const leaks = rt.frameLeaks();
  if (leaks.length > 0) throw new Error(`frame leaks: ${JSON.stringify(leaks)}`);
  if (probe && samples === 0 && mustSample) {
    throw new Error(`the probe never sampled (${frames} frames, ${fps.toFixed(0)} fps)`);
  }
  for (const node of rt.describe().nodes) rt.remove(node.id);
  await rt.settled();
  return { fps, cpuNsPerFrame: cpuNs, samples };
}

/** Resolves once the sink's counters show `count` frames in; fails after 120 s. */
async function countReached(rt: Runtime, count: number): Promise<void> {
  const deadline = performance.now() + 120_000;
  while ((rt.stats().nodes.sink?.framesIn ?? 0) < count) {
    if (performance.now() > deadline) throw new Error(`the sink never counted ${count} frames`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The median of `values` and a distribution-free 95% confidence interval of it. */
function medianWithInterval(values: readonly number[]): [number, number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // Ranks j..k (1-based) with P(j <= rank of the median <= k) ~ 0.95: binomial(n, 1/2), normal
  // approximation, clamped to the sample.
  const half = 0.98 * Math.sqrt(n);
  const j = Math.max(1, Math.floor(n / 2 - half));
  const k = Math.min(n, Math.ceil(n / 2 + half + 1));
  return [mid, sorted[j - 1], sorted[k - 1]];
}

interface Row {
  readonly frames: number;
  /** Per round, by comparison: relative change of CPU per frame (+ = costs more). */
  readonly cpu: Record<"aa" | "probe" | "preview", number[]>;
  /** Per round, by comparison: relative loss of wall-clock fps (+ = slower). */
  readonly fps: Record<"aa" | "probe" | "preview", number[]>;
}

/** Warm-up runs size the runs to about `SECONDS` each; then the rounds interleave. */
async function measure(rt: Runtime, where: Placement): Promise<Row> {
  // JIT warm-up: the first runs are far slower than warm ones (up to 10x here), so runs sized
  // from them last a few ms once warm, too short for a 100 ms probe to sample.
  for (let i = 0; i < 5; i++) await run(rt, where, "none", 100_000);
  // Then grow the runs until one lasts `seconds` (at least 0.3 s, so a 100 ms probe samples in
  // every run) and a probe run has sampled.
  const seconds = Math.max(0.3, SECONDS);
  let frames = 100_000;
  for (let tries = 0;; tries++) {
    const { fps } = await run(rt, where, "none", frames);
    const probed = await run(rt, where, "probe", frames, false);
    if (
      frames / fps >= seconds * 0.9 && frames / probed.fps >= seconds * 0.9 && probed.samples > 0
    ) {
      break;
    }
    if (tries === 8) throw new Error(`runs of ${frames} frames stay too short to probe`);
    frames = Math.max(frames * 2, Math.round(Math.max(fps, probed.fps) * seconds * 1.2));
  }
  const row: Row = {
    frames,
    cpu: { aa: [], probe: [], preview: [] },
    fps: { aa: [], probe: [], preview: [] },
  };
  for (let round = 0; round < ROUNDS; round++) {
    const runs = {} as Record<Variant, Run>;
    for (let k = 0; k < ORDER.length; k++) {
      const variant = ORDER[(k + round) % ORDER.length]; // no variant always follows the same one
      runs[variant] = await run(rt, where, variant, frames);
    }
    const a = runs.none;
    for (
      const [key, b] of [["aa", runs.again], ["probe", runs.probe], [
        "preview",
        runs.preview,
      ]] as const
    ) {
      row.cpu[key].push(b.cpuNsPerFrame / a.cpuNsPerFrame - 1);
      row.fps[key].push(1 - b.fps / a.fps);
    }
  }
  return row;
}

const registry = builtinRegistry.with(benchRegistry);
const LABELS: Record<Placement, string> = {
  "main": "main isolate",
  "worker-main": "Worker -> main",
  "worker": "in a Worker",
};
const rows: [string, Row][] = [];
for (const where of WHERE) {
  if (where === "main") {
    rows.push([LABELS[where], await measure(new Runtime({ registry }), where)]);
    continue;
  }
  const pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 1920, 1080), slotCount: 64 });
  // Counters every 5 ms: the in-Worker row reads the sink's count from them.
  const backend = new WorkerBackend({ pool, statsIntervalMs: 5 });
  const rt = new Runtime({ registry, isolates: backend });
  rows.push([LABELS[where], await measure(rt, where)]);
  await backend.close();
  pool.close();
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const cell = (values: readonly number[]) => {
  const [mid, lo, hi] = medianWithInterval(values);
  return `${pct(mid)} [${pct(lo)}, ${pct(hi)}]`;
};
console.log(
  `1920x1080 RGBA, runs of ~${SECONDS} s, ${ROUNDS} interleaved rounds (A, B, A', C, order turning); ` +
    "median per-round change vs A [95% CI of the median]; CPU = process CPU time per frame",
);
console.log(
  "| writer | frames/run | A/A CPU (noise floor) | probe 100 ms CPU | preview probe CPU | A/A fps loss | probe fps loss | preview fps loss | probe < 2% shown |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [name, row] of rows) {
  const [, probeLow, probeHigh] = medianWithInterval(row.cpu.probe);
  const [, aaLow, aaHigh] = medianWithInterval(row.cpu.aa);
  // With n rounds, [min, max] covers the median with probability 1 - 2 / 2^n: under 95% below
  // 6 rounds, so fewer cannot show anything.
  const verdict = ROUNDS < 6
    ? `too few rounds for a 95% interval (${ROUNDS}; at least 6)`
    : probeHigh < 0.02
    ? "yes"
    : probeLow >= 0.02
    ? "no: costs 2% or more"
    : `not resolved (A/A interval ${pct(aaHigh - aaLow)} wide)`;
  const cells = [
    name,
    row.frames,
    cell(row.cpu.aa),
    cell(row.cpu.probe),
    cell(row.cpu.preview),
    cell(row.fps.aa),
    cell(row.fps.probe),
    cell(row.fps.preview),
    verdict,
  ];
  console.log(`| ${cells.join(" | ")} |`);
}

// The work a probe adds on the writer's thread per sample, timed alone: the cost bound that the
// throughput rows (noisy on a loaded machine, see the A/A column) cannot resolve below ~1-9%.
{
  const { previewSample } = await import("../web/server/preview_probe.ts");
  const data = new Uint8Array(1920 * 1080 * 4);
  const frame = {
    kind: "video",
    width: 1920,
    height: 1080,
    format: "RGBA",
    stride: 1920 * 4,
    timestampNs: 0,
    frameNumber: 0,
    data,
  } as const;
  for (let i = 0; i < 50; i++) previewSample(frame, { width: 160, height: 90 });
  const n = 500;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) previewSample(frame, { width: 160, height: 90 });
  const us = ((performance.now() - t0) / n) * 1000;
  console.log(
    `\npreviewSample() of a 1920x1080 RGBA frame: ${us.toFixed(1)} µs; at 10 samples/s ${
      (us * 10 / 1e4).toFixed(3)
    }% of the writer's thread`,
  );
}
