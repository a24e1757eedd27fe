/**
 * Graph benchmarks against GStreamer, one table, both sides measured in this run:
 *
 * 1. buffers/s through 1, 4 and 16 pass-through processors in one isolate (64-byte frames), vs
 *    `fakesrc ! identity × n ! fakesink`;
 * 1b. one source fanned out to 4 sinks in one isolate (3840-byte blocks), vs `tee` and 4 `queue`s;
 * 2. buffers/s through 1 and 4 Worker hops (64-byte frames), and audio blocks (3840 bytes)
 *    through 1 hop, vs the same with `queue`s;
 * 3. 1920x1080 RGBA frames through 1 and 4 Worker hops, vs `fakesrc filltype=zero` with queues;
 * 4. end-to-end latency of a live 1280x720 30 fps pipeline through two Workers (main → a → b →
 *    main), vs the `latency` tracer on `videotestsrc is-live=true` through three `queue`s;
 * 5. a 2-input mixer on 1024-sample float stereo blocks, as a real-time factor, vs `audiomixer`
 *    (with sine sources as asked, and with silent ones, which leaves the mixing);
 * 7. a 5,000-node manifest (2,500 tone → null sink pairs): `validateManifest()`, `loadManifest()`
 *    and `start()` together, in seconds (no GStreamer counterpart; the goal is under 10 s);
 * 6. peak RSS of tone → mixer → WAV (importing the three processors, and importing
 *    `createRuntime()` from `processors/runtime.ts`, whose registry lists every built-in and loads
 *    each processor's class when a node of it is first set up), vs
 *    `audiotestsrc ! audiomixer ! wavenc ! filesink`.
 *
 * Each row's figures are measured in alternating runs after a warm-up run; the table shows
 * medians. The streamlib runs check that every frame arrived, in order. Progress goes to stderr,
 * the table to stdout.
 *
 * Run: `deno run -A bench/graph_bench.ts [--runs 5] [--frames 1000000] [--mixer-blocks 20000]
 * [--video-frames 20000] [--latency-frames 300] [--manifest-nodes 5000]
 * [--only isolate|workers|memory|scale]`; `--only isolate` measures only the in-isolate rows (1,
 * 1b), `--only workers` only the Worker rows (2-4), `--only memory` only the peak RSS rows (6),
 * each with its GStreamer references, and `--only scale` only the manifest row (7), without
 * GStreamer.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ensureGstreamer } from "./ensure_gstreamer.ts";
import { gstExecutionSeconds, gstLatenciesNs, gstPeakRssKb, gstVersion } from "./gstreamer.ts";
import { measureTogether } from "./graph_bench_measure.ts";
import { chainRate, fanOutRate, mixerRealTimeFactor, ourPeakRssKb } from "./graph_bench_runs.ts";
import { printTable, type Row } from "./graph_bench_table.ts";
import { GRAPH_BENCH_GOALS } from "./graph_bench_goals.ts";
import { workerRows } from "./graph_bench_workers.ts";
import { loadManifest, validateManifest } from "../mod.ts";
import { builtinRegistry, createRuntime } from "../processors/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "5" },
    frames: { type: "string", default: "1000000" },
    "mixer-blocks": { type: "string", default: "20000" },
    "video-frames": { type: "string", default: "20000" },
    "latency-frames": { type: "string", default: "300" },
    "manifest-nodes": { type: "string", default: "5000" },
    only: { type: "string" },
  },
});
const ONLY = ["isolate", "workers", "memory", "scale"];
if (values.only !== undefined && !ONLY.includes(values.only)) {
  throw new RangeError(
    `Cannot run graph_bench: unknown --only '${values.only}', expected: ${ONLY.join(", ")}`,
  );
}
/** Whether the rows of `part` run: every part without `--only`, else the one named. */
const runs = (part: string) => values.only === undefined || values.only === part;
const ONLY_SCALE = values.only === "scale";
const MANIFEST_NODES = Number(values["manifest-nodes"]);
const RUNS = Number(values.runs);
const FRAMES = Number(values.frames);
const MIXER_BLOCKS = Number(values["mixer-blocks"]);

if (!ONLY_SCALE) {
  await ensureGstreamer(["fakesrc", "identity", "queue", "tee", "audiotestsrc", "audiomixer"]);
}
const gst = ONLY_SCALE ? "GStreamer not used" : await gstVersion();
if (!gst) throw new Error("gst-launch-1.0 is not installed; this bench compares against it");
console.error(`graph_bench: ${RUNS} alternating runs per figure after a warm-up; ${gst}`);
const rows: Row[] = [];

// 1. Pass-through chains in one isolate, at the default capacity (8) and at 256.
if (runs("isolate")) await inIsolateRows();

async function inIsolateRows(): Promise<void> {
  const identities = (n: number) => Array(n).fill("identity").join(" ! ");
  const small = `fakesrc num-buffers=${FRAMES} sizetype=fixed sizemax=64`;
  for (const hops of [1, 4, 16]) {
    const [gstRate, ...ours] = await measureTogether(RUNS, [
      {
        label: `GStreamer ${hops} identity`,
        run: async () =>
          FRAMES / await gstExecutionSeconds(`${small} ! ${identities(hops)} ! fakesink`),
      },
      ...[8, 256].map((capacity) => ({
        label: `streamlib ${hops} pass-through, capacity ${capacity}`,
        run: () => chainRate(hops, FRAMES, capacity),
      })),
    ]);
    for (const [i, capacity] of [8, 256].entries()) {
      rows.push({
        name: `${hops} pass-through, 64 B, capacity ${capacity}`,
        unit: "buffers/s",
        ours: ours[i],
        gst: gstRate,
        higherIsBetter: true,
        goal: capacity === 8 ? GRAPH_BENCH_GOALS.inIsolateCapacity8 : undefined,
      });
    }
  }

  // 1b. Fan-out: one source to 4 sinks in one isolate (one frame shared by 4 connections), vs tee.
  {
    const n = Math.min(FRAMES, 200_000);
    const teed =
      `fakesrc num-buffers=${n} sizetype=fixed sizemax=3840 filltype=zero ! tee name=t ` +
      Array.from({ length: 4 }, () => "t. ! queue ! fakesink").join(" ");
    const [ours, theirs] = await measureTogether(RUNS, [
      { label: "streamlib fan-out to 4 sinks", run: () => fanOutRate(4, n, 3840) },
      { label: "GStreamer tee to 4 queues", run: async () => n / await gstExecutionSeconds(teed) },
    ]);
    rows.push({
      name: "fan-out to 4 sinks, 3840 B blocks, one isolate",
      unit: "frames/s",
      ours,
      gst: theirs,
      higherIsBetter: true,
    });
  }
}

// 2-4. Worker hops and live latency.
if (runs("workers")) {
  rows.push(
    ...await workerRows({
      runs: RUNS,
      frames: FRAMES,
      videoFrames: Number(values["video-frames"]),
      latencyFrames: Number(values["latency-frames"]),
      gst: { executionSeconds: gstExecutionSeconds, latenciesNs: gstLatenciesNs },
    }),
  );
}

if (values.only === undefined) await mixerRows();
if (runs("memory")) await memoryRows();

// 7. A large manifest: validate, load and start (admission control, the graph's checks).
if (runs("scale")) {
  const [ours] = await measureTogether(RUNS, [
    {
      label: `streamlib ${MANIFEST_NODES}-node manifest`,
      run: () => manifestStartSeconds(MANIFEST_NODES),
    },
  ]);
  rows.push({
    name: `${MANIFEST_NODES.toLocaleString("en")}-node manifest: validate + load + start`,
    unit: "s",
    ours,
    gst: { missing: "no counterpart" },
    higherIsBetter: false,
    goal: GRAPH_BENCH_GOALS.manifestStartSeconds,
  });
}

/** Seconds to validate, load and start a manifest of `nodes` nodes (tone → null sink pairs). */
async function manifestStartSeconds(nodes: number): Promise<number> {
  const manifest = {
    version: 1,
    nodes: Array.from({ length: nodes }, (_, i) => ({
      id: `${i % 2 ? "sink" : "tone"}_${i >> 1}`,
      type: i % 2 ? "NullSink" : "TestToneGenerator",
    })),
    connections: Array.from({ length: nodes >> 1 }, (_, i) => ({
      from: `tone_${i}.audio`,
      to: `sink_${i}.in`,
    })),
  };
  const started = performance.now();
  const issues = validateManifest(manifest, builtinRegistry);
  if (issues.length > 0) throw new Error(`The bench manifest is invalid: ${issues[0].message}`);
  const rt = createRuntime({ workers: false });
  loadManifest(rt, manifest);
  await rt.start();
  const seconds = (performance.now() - started) / 1000;
  await rt.stop();
  return seconds;
}

async function mixerRows(): Promise<void> {
  // 5. The mixer, with sine sources (the comparison asked for) and silent ones (the mixing alone).
  for (const wave of ["sine", "silence"] as const) {
    const tone = `audiotestsrc num-buffers=${MIXER_BLOCKS} samplesperbuffer=1024 wave=${wave} ! ` +
      "audio/x-raw,format=F32LE,channels=2";
    const seconds = (MIXER_BLOCKS * 1024) / 44_100;
    const [ours, theirs] = await measureTogether(RUNS, [
      { label: `streamlib mixer, ${wave}`, run: () => mixerRealTimeFactor(MIXER_BLOCKS, wave) },
      {
        label: `GStreamer audiomixer, ${wave}`,
        run: async () =>
          seconds /
          await gstExecutionSeconds(`${tone} ! audiomixer name=m ! fakesink ${tone} ! m.`),
      },
    ]);
    rows.push({
      name: `2-input mixer, 1024-sample f32 stereo, ${wave} sources`,
      unit: "x real time",
      ours,
      gst: theirs,
      higherIsBetter: true,
      goal: wave === "sine" ? GRAPH_BENCH_GOALS.mixerSine : undefined,
    });
  }
}

async function memoryRows(): Promise<void> {
  // 6. Peak memory of a small real-time pipeline, 3 s each.
  const dir = await Deno.makeTempDir({ prefix: "graph_bench_" });
  try {
    const gstPipeline = "audiotestsrc is-live=true num-buffers=300 samplesperbuffer=480 ! " +
      "audio/x-raw,format=F32LE,rate=48000,channels=2 ! audiomixer ! wavenc ! " +
      `filesink location=${dir}/gst.wav`;
    const [minimal, all, theirs] = await measureTogether(RUNS, [
      {
        label: "streamlib RSS, minimal imports (MB)",
        run: async () => await ourPeakRssKb(`${dir}/ours.wav`, "minimal") / 1024,
      },
      {
        label: "streamlib RSS, all built-ins via processors/runtime.ts (MB)",
        run: async () => await ourPeakRssKb(`${dir}/ours.wav`, "all") / 1024,
      },
      { label: "GStreamer RSS (MB)", run: async () => await gstPeakRssKb(gstPipeline) / 1024 },
    ]);
    for (
      const [imports, ours] of [
        ["3 processors imported", minimal],
        ["all built-ins registered (createRuntime from processors/runtime.ts)", all],
      ] as const
    ) {
      rows.push({
        name: `peak RSS, tone -> mixer -> WAV, 3 s, ${imports}`,
        unit: "MB",
        ours,
        gst: theirs,
        higherIsBetter: false,
        goal: GRAPH_BENCH_GOALS.peakRssMb,
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

printTable(rows, {
  title: `graph_bench ${new Date().toISOString().slice(0, 10)}: medians of ${RUNS} runs, ` +
    `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ${gst}`,
});
