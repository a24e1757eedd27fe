/**
 * H.264 encode throughput, one table, every row measured in this run, at 1280x720 and 1920x1080:
 *
 * - the bare encoder: `H264Encoder` (OpenH264, native) encoding freshly rendered I420 test-pattern
 *   frames in a loop, no graph;
 * - the graph: `PatternBurstSource` (the same rendering) → `H264Encoder` → `NullSink`;
 * - `gst-launch-1.0 videotestsrc ! openh264enc ! fakesink` on the same size (SMPTE pattern);
 * - `ffmpeg -f lavfi -i smptebars -c:v libx264 -preset ultrafast -f null -`.
 *
 * Goals (issue 6): the graph at least 90% of GStreamer's openh264 rate, and the graph's overhead
 * over the bare encoder under 5%.
 *
 * Run: `deno task bench:encode` (or `deno run -A bench/encode_bench.ts [--runs R]`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { H264Encoder } from "../ffi/mod.ts";
import { createRuntime } from "../processors/mod.ts";
import { TestPatternRenderer } from "../processors/video/test_pattern.ts";
import { ensureGstreamer } from "./ensure_gstreamer.ts";
import { gstExecutionSeconds } from "./gstreamer.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "3" } },
});
const RUNS = Number(values.runs);
const SIZES = [
  { width: 1280, height: 720, frames: 240 },
  { width: 1920, height: 1080, frames: 120 },
];
const BITRATE = 2_000_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bareEncoder(width: number, height: number, frames: number): number {
  using encoder = H264Encoder.create({ width, height, backend: "openh264", bitrate: BITRATE });
  const renderer = new TestPatternRenderer("I420", width, height);
  const data = new Uint8Array(width * height * 3 / 2);
  const frame = { format: "I420" as const, data, timestampNs: 0 };
  const out = new Uint8Array(encoder.maxAccessUnitBytes);
  let bytes = 0;
  const start = performance.now();
  for (let n = 0; n < frames; n++) {
    renderer.render(n, data);
    frame.timestampNs = Math.round(n * 1e9 / 30);
    bytes += encoder.encode(frame, out);
  }
  const seconds = (performance.now() - start) / 1000;
  if (bytes === 0) throw new Error("the bare encoder produced nothing");
  return frames / seconds;
}

async function graph(width: number, height: number, frames: number): Promise<number> {
  const rt = createRuntime({ registry: benchRegistry, workers: false });
  rt.add("PatternBurstSource", { frames, width, height }, { id: "source" });
  rt.add("H264Encoder", { backend: "openh264", bitrate: BITRATE }, { id: "encoder" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("source", "out", "encoder", "in", { policy: "fifo", capacity: 2 });
  rt.connectByName("encoder", "out", "sink", "in", { policy: "fifo", capacity: 8 });
  const start = performance.now();
  await rt.start();
  while (rt.stats().nodes.sink.framesIn < frames) {
    if (performance.now() - start > 120_000) throw new Error("the graph did not finish");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const seconds = (performance.now() - start) / 1000;
  await rt.stop();
  return frames / seconds;
}

async function gstreamer(width: number, height: number, frames: number): Promise<number> {
  const seconds = await gstExecutionSeconds(
    `videotestsrc num-buffers=${frames} pattern=smpte ! ` +
      `video/x-raw,format=I420,width=${width},height=${height},framerate=30/1 ! ` +
      `openh264enc bitrate=${BITRATE} ! fakesink`,
  );
  return frames / seconds;
}

async function ffmpegX264(width: number, height: number, frames: number): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ..."-hide_banner -loglevel error -f lavfi".split(" "),
      "-i",
      `smptebars=size=${width}x${height}:rate=30`,
      ..."-frames:v".split(" "),
      String(frames),
      ..."-c:v libx264 -preset ultrafast -f null -".split(" "),
    ],
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return frames / ((performance.now() - start) / 1000);
}

async function measure(run: () => number | Promise<number>): Promise<number | undefined> {
  try {
    await run(); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) rates.push(await run());
    return median(rates);
  } catch (error) {
    console.error(
      `  not measured: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
    );
    return undefined;
  }
}

await ensureGstreamer(["videotestsrc", "openh264enc"]);
const fmt = (x: number | undefined) => (x === undefined ? "not measured" : x.toFixed(1));
console.log(
  `encode_bench: H.264 at ${BITRATE / 1e6} Mbit/s, median of ${RUNS} runs after a warm-up ` +
    `(${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno})\n`,
);
console.log(
  "| size      | bare encoder fps | graph fps | gst openh264enc fps | ffmpeg x264 ultrafast fps |",
);
console.log(
  "| --------- | ---------------- | --------- | ------------------- | ------------------------- |",
);
const verdicts: string[] = [];
for (const { width, height, frames } of SIZES) {
  const bare = await measure(() => bareEncoder(width, height, frames));
  const inGraph = await measure(() => graph(width, height, frames));
  const gst = await measure(() => gstreamer(width, height, frames));
  const x264 = await measure(() => ffmpegX264(width, height, frames));
  console.log(
    `| ${`${width}x${height}`.padEnd(9)} | ${fmt(bare).padStart(16)} | ${
      fmt(inGraph).padStart(9)
    } | ${fmt(gst).padStart(19)} | ${fmt(x264).padStart(25)} |`,
  );
  if (inGraph !== undefined && gst !== undefined) {
    const ratio = inGraph / gst;
    verdicts.push(
      `${width}x${height}: graph / gst openh264enc = ${(100 * ratio).toFixed(0)}% (goal >= 90%: ${
        ratio >= 0.9 ? "met" : "not met"
      })`,
    );
  }
  if (inGraph !== undefined && bare !== undefined) {
    const overhead = 1 - inGraph / bare;
    verdicts.push(
      `${width}x${height}: graph overhead over the bare encoder = ${
        (100 * overhead).toFixed(1)
      }% ` +
        `(goal < 5%: ${overhead < 0.05 ? "met" : "not met"})`,
    );
  }
}
console.log(`\n${verdicts.join("\n")}`);
