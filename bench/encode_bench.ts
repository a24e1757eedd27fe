/**
 * H.264 encode throughput, one table, every row measured side by side in this run, at 1280x720
 * and 1920x1080, every row encoding the same frames read from the same file:
 *
 * - the frames: our test pattern (SMPTE bars and a moving box, `TestPatternRenderer`, I420)
 *   rendered once per size into a raw I420 file in a temporary directory;
 * - bare encoder: `H264Encoder` (OpenH264, native, ffi) reading the file frame by frame, no graph;
 * - graph: `RawFileBurstSource` (defined here: reads the file into frames from `ctx.frames` as
 *   fast as the graph takes them) → `H264Encoder` → `NullSink`, in one isolate;
 * - `gst-launch-1.0 filesrc ! rawvideoparse ! openh264enc ! fakesink` with our settings
 *   (complexity low, bit-rate rate control, a keyframe every 60 frames, camera usage, no frame
 *   skipping, one thread) and with openh264enc's defaults;
 * - the bare encoder and openh264enc with 2 threads over 2 slices (OpenH264 threads by slice);
 * - `ffmpeg -f rawvideo -i <file> -c:v libx264 -preset ultrafast -f null -`, for reference.
 *
 * Timing, the same for every row: each row is a child process (`deno run` of this file with
 * `--child`, or the GStreamer/ffmpeg command) run for N frames and for 2N frames; the rate is
 * N / (t(2N) - t(N)), so process start, library loading, encoder creation and file opening cancel
 * and only the per-frame cost remains. t is measured twice: wall-clock, and CPU time (user + sys
 * of the child, from bash's `times`). On a shared machine the CPU time is the steadier figure for
 * one thread (it does not count time spent waiting for a core); threads only show in wall-clock.
 * The rounds are interleaved (every row once per round, in turn), so that a busy spell of the
 * machine hits all rows alike; the table gives the median over rounds and the spread (min-max),
 * and each ratio is the median of that round's ratios.
 *
 * Goals (issue 19): the graph at least 100% of openh264enc at our settings, and the graph's
 * overhead over the bare encoder under 3%.
 *
 * Run: `deno task bench:encode` (or `deno run -A bench/encode_bench.ts [--rounds R]`). Whole-process
 * timings like these are noisy on a shared machine; `bench/openh264_library_ab.c` compares OpenH264
 * builds (ours, Debian's) frame by frame in one process.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import {
  defineNode,
  type NodeDefinition,
  type NodeHandle,
  type OutputPort,
  type PortTable,
  type ProcessContext,
  Processor,
  type SetupContext,
  type VideoFrame,
} from "../mod.ts";
import { processorInit } from "../core/processor/processor.ts";
import { H264Encoder } from "../ffi/mod.ts";
import { createRuntime } from "../processors/mod.ts";
import { TestPatternRenderer } from "../processors/video/test_pattern.ts";
import { ensureGstreamer } from "./ensure_gstreamer.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";
import { SelfWake } from "./processors/self_wake.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    child: { type: "string" },
    path: { type: "string" },
    width: { type: "string" },
    height: { type: "string" },
    frames: { type: "string" },
    threads: { type: "string", default: "1" },
  },
});
/**
 * N per size; the file holds 2N frames. N is large enough that t(2N) - t(N) (about 0.8 s here)
 * dwarfs the jitter of a process start (tens of ms), which decided the 720p graph row when N was
 * 240.
 */
const SIZES = [
  { width: 1280, height: 720, frames: 600 },
  { width: 1920, height: 1080, frames: 240 },
];
const BITRATE = 2_000_000;
const FPS = 30;
/** Our encoder's settings (the `H264Encoder` defaults: low latency) as openh264enc properties. */
const GST_OUR_SETTINGS =
  "complexity=low rate-control=bitrate gop-size=60 usage-type=camera enable-frame-skip=false";

function readFrame(file: Deno.FsFile, into: Uint8Array): void {
  let filled = 0;
  while (filled < into.length) {
    const n = file.readSync(into.subarray(filled));
    if (n === null) throw new Error(`the frame file ended after ${filled} bytes of a frame`);
    filled += n;
  }
}

/** Renders frames 0 .. count-1 of the pattern into a raw I420 file. */
function renderFile(path: string, width: number, height: number, count: number): void {
  const renderer = new TestPatternRenderer("I420", width, height);
  const frame = new Uint8Array(renderer.byteLength);
  using file = Deno.openSync(path, { write: true, create: true, truncate: true });
  for (let n = 0; n < count; n++) {
    renderer.render(n, frame);
    let written = 0;
    while (written < frame.length) written += file.writeSync(frame.subarray(written));
  }
}

interface RawFileConfig {
  path: string;
  frames: number;
  width: number;
  height: number;
}

type RawFileTypes = {
  inputs: Record<never, never>;
  outputs: { readonly out: OutputPort<VideoFrame> };
  config: RawFileConfig;
  handle: NodeHandle;
};

/**
 * Reads I420 frames from a raw file into frames from `ctx.frames` as fast as the graph accepts
 * them (like `PatternBurstSource`, with a file read in place of rendering).
 */
class RawFileBurstSource extends Processor<RawFileTypes> {
  #file: Deno.FsFile | undefined;
  #wake: SelfWake | undefined;
  #written = 0;

  get #config(): RawFileConfig {
    return processorInit(this)!.config as RawFileConfig;
  }

  override setup(ctx: SetupContext): void {
    this.#file = Deno.openSync(this.#config.path, { read: true });
    this.#written = 0;
    if (ctx.wake) {
      this.#wake = new SelfWake(ctx.wake);
      ctx.wake();
    }
  }

  process(ctx: ProcessContext): void {
    const { frames, width, height } = this.#config;
    if (this.#written >= frames) return ctx.endOfStream(); // GStreamer's EOS: the graph ends
    if (this.outputs.out.space === 0) return; // woken when room frees
    // No frame memory free: the runtime runs us again when a frame is released.
    const frame = ctx.frames.video({ width, height, format: "I420" });
    if (frame === undefined) return;
    readFrame(this.#file!, frame.data);
    frame.frameNumber = this.#written;
    frame.timestampNs = Math.round(this.#written * 1e9 / FPS);
    this.outputs.out.write(frame);
    this.#written++;
    if (this.#written >= frames) ctx.endOfStream();
    else if (this.outputs.out.space > 0) this.#wake?.request();
  }

  override teardown(): void {
    this.#wake?.close();
    this.#wake = undefined;
    this.#file?.close();
    this.#file = undefined;
  }
}

const rawFileBurstSourceNode: NodeDefinition<RawFileBurstSource> = defineNode<
  RawFileTypes,
  RawFileBurstSource
>({
  descriptor: {
    name: "RawFileBurstSource",
    description: "Reads raw I420 frames from a file as fast as the graph takes them.",
    tags: ["bench", "source", "video"],
    mode: "pull",
    inputs: [],
    outputs: [{
      name: "out",
      direction: "output",
      portType: "VideoFrame",
      required: false,
      description: "The frames.",
    }],
    config: {
      type: "object",
      properties: {
        path: { type: "string" },
        frames: { type: "integer", minimum: 1 },
        width: { type: "integer", minimum: 16 },
        height: { type: "integer", minimum: 16 },
      },
      required: ["path", "frames", "width", "height"],
      additionalProperties: false,
    },
    source: "bench/encode_bench.ts",
  },
  processorClass: RawFileBurstSource,
  accessors:
    ((ports: PortTable) => ({ inputs: {}, outputs: { out: ports.output("out") } })) as never,
});

/** The work of one child process: encode `frames` frames of the file. */
interface ChildJob {
  path: string;
  width: number;
  height: number;
  frames: number;
  threads: number;
}

function bareEncoder({ path, width, height, frames, threads }: ChildJob): void {
  using encoder = H264Encoder.create({
    width,
    height,
    backend: "openh264",
    bitrate: BITRATE,
    threads,
  });
  using file = Deno.openSync(path, { read: true });
  const data = new Uint8Array(width * height * 3 / 2);
  const frame = { format: "I420" as const, data, timestampNs: 0 };
  const out = new Uint8Array(encoder.maxAccessUnitBytes);
  let bytes = 0;
  for (let n = 0; n < frames; n++) {
    readFrame(file, data);
    frame.timestampNs = Math.round(n * 1e9 / FPS);
    bytes += encoder.encode(frame, out);
  }
  if (bytes === 0) throw new Error("the bare encoder produced nothing");
}

async function graph({ path, width, height, frames, threads }: ChildJob): Promise<void> {
  const rt = createRuntime({ registry: benchRegistry, workers: false });
  rt.add(rawFileBurstSourceNode, { path, frames, width, height }, { id: "source" });
  rt.add("H264Encoder", { backend: "openh264", bitrate: BITRATE, threads }, { id: "encoder" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("source", "out", "encoder", "in", { policy: "fifo", capacity: 2 });
  rt.connectByName("encoder", "out", "sink", "in", { policy: "fifo", capacity: 8 });
  // The source ends its stream after the last frame; the graph's `end-of-stream` event comes once
  // the sink has read everything (no polling, which would run on the graph's thread).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = new Promise<void>((resolve, reject) => {
    rt.on((event) => {
      if (event.type === "end-of-stream") resolve();
    });
    timer = setTimeout(() => reject(new Error("the graph did not finish in 120 s")), 120_000);
  });
  await rt.start();
  try {
    await ended;
  } finally {
    clearTimeout(timer);
  }
  const encoded = rt.stats().nodes.sink.framesIn;
  await rt.stop();
  if (encoded !== frames) throw new Error(`the sink received ${encoded} of ${frames} frames`);
}

/** Wall-clock and CPU seconds of one child process. */
interface Times {
  wall: number;
  cpu: number;
}

/** Runs `command` under bash, whose `times` gives the child's user and sys CPU time. */
async function timed(command: string, args: string[]): Promise<Times> {
  const start = performance.now();
  const out = await new Deno.Command("bash", {
    args: ["-c", '"$@" > /dev/null || exit $?; times', "bash", command, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wall = (performance.now() - start) / 1000;
  if (!out.success) {
    throw new Error(`${command} failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  }
  // `times` prints the shell's user/sys, then its children's: "0m1.234s 0m0.056s".
  const children = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(([, m, s]) => 60 * +m + +s);
  if (seconds.length !== 2) throw new Error(`cannot read bash's times: ${children}`);
  return { wall, cpu: seconds[0] + seconds[1] };
}

/** One row: how to run it for `frames` frames of `path`. */
type Run = (path: string, width: number, height: number, frames: number) => Promise<Times>;

const self = fileURLToPath(import.meta.url);

function child(kind: "bare" | "graph", threads = 1): Run {
  return (path, width, height, frames) =>
    timed(Deno.execPath(), [
      "run",
      "-A",
      self,
      `--child=${kind}`,
      `--path=${path}`,
      `--width=${width}`,
      `--height=${height}`,
      `--frames=${frames}`,
      `--threads=${threads}`,
    ]);
}

function gstreamer(settings: string): Run {
  return (path, width, height, frames) =>
    timed("gst-launch-1.0", [
      "-q",
      "filesrc",
      `location=${path}`,
      `blocksize=${width * height * 3 / 2}`,
      `num-buffers=${frames}`,
      "!",
      "rawvideoparse",
      "format=i420",
      `width=${width}`,
      `height=${height}`,
      `framerate=${FPS}/1`,
      "!",
      "openh264enc",
      `bitrate=${BITRATE}`,
      ...settings.split(" ").filter((s) => s !== ""),
      "!",
      "fakesink",
    ]);
}

const ffmpegX264: Run = (path, width, height, frames) =>
  timed("ffmpeg", [
    ..."-hide_banner -loglevel error -f rawvideo -pix_fmt yuv420p -s".split(" "),
    `${width}x${height}`,
    "-framerate",
    `${FPS}`,
    "-i",
    path,
    "-frames:v",
    `${frames}`,
    ..."-c:v libx264 -preset ultrafast -b:v".split(" "),
    `${BITRATE}`,
    ..."-f null -".split(" "),
  ]);

const ROWS: { label: string; run: Run }[] = [
  { label: "bare encoder", run: child("bare") },
  { label: "graph", run: child("graph") },
  { label: "gst openh264enc, our settings", run: gstreamer(`${GST_OUR_SETTINGS} multi-thread=1`) },
  { label: "gst openh264enc, defaults", run: gstreamer("") },
  { label: "bare encoder, 2 threads", run: child("bare", 2) },
  { label: "graph, 2 threads", run: child("graph", 2) },
  {
    label: "gst openh264enc, our settings, 2 threads",
    run: gstreamer(`${GST_OUR_SETTINGS} multi-thread=2 slice-mode=n-slices num-slices=2`),
  },
  { label: "ffmpeg x264 ultrafast", run: ffmpegX264 },
];

/** Per round: frames per wall-clock second and per CPU second; undefined when it failed. */
type Rates = ({ wall: number; cpu: number } | undefined)[];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** "median (min-max)" of the defined values. */
function summary(xs: (number | undefined)[], digits = 0): string {
  const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (v.length === 0) return "not measured";
  return `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)}-${
    Math.max(...v).toFixed(digits)
  })`;
}

/** Median over rounds of a/b, taken round by round (both measured in the same round). */
function ratio(a: Rates, b: Rates, key: "wall" | "cpu"): number | undefined {
  const r = a.flatMap((x, i) => (x && b[i] ? [x[key] / b[i]![key]] : []));
  return r.length > 0 ? median(r) : undefined;
}

async function main(rounds: number): Promise<void> {
  await ensureGstreamer(["filesrc", "rawvideoparse", "openh264enc", "fakesink"]);
  const dir = await Deno.makeTempDir({ prefix: "streamlib_encode_bench_" });
  try {
    console.log(
      `encode_bench: H.264 at ${BITRATE / 1e6} Mbit/s from the same raw I420 file of our test ` +
        `pattern; fps = N / (t(2N) - t(N)) per round, ${rounds} interleaved rounds after a ` +
        `warm-up; median (min-max) over rounds (${navigator.hardwareConcurrency} cores, Deno ` +
        `${Deno.version.deno})\n`,
    );
    const verdicts: string[] = [];
    for (const { width, height, frames } of SIZES) {
      const path = `${dir}/pattern_${width}x${height}.yuv`;
      renderFile(path, width, height, 2 * frames);
      const rates: Rates[] = ROWS.map(() => []);
      const failed = new Set<number>();
      for (let round = -1; round < rounds; round++) { // round -1 is the warm-up
        for (const [i, { label, run }] of ROWS.entries()) {
          if (failed.has(i)) continue;
          try {
            const short = await run(path, width, height, frames);
            const long = round < 0 ? short : await run(path, width, height, 2 * frames);
            if (round < 0) continue;
            const wall = frames / (long.wall - short.wall);
            const cpu = frames / (long.cpu - short.cpu);
            rates[i].push(wall > 0 && cpu > 0 ? { wall, cpu } : undefined);
          } catch (error) {
            failed.add(i);
            const text = error instanceof Error ? error.message.split("\n")[0] : String(error);
            console.error(`  ${label}: not measured: ${text}`);
          }
        }
      }
      await Deno.remove(path);
      console.log(`${width}x${height}, N = ${frames}:\n`);
      console.log("| row | fps, wall-clock | fps, CPU time |");
      console.log("| --- | --------------- | ------------- |");
      for (const [i, { label }] of ROWS.entries()) {
        console.log(
          `| ${label} | ${summary(rates[i].map((r) => r?.wall))} | ${
            summary(rates[i].map((r) => r?.cpu))
          } |`,
        );
      }
      console.log("");
      const [bare, inGraph, gstOurs, , bare2, graph2, gst2] = rates;
      const pct = (x: number | undefined) => (x === undefined ? "n/a" : `${(100 * x).toFixed(1)}%`);
      for (const key of ["wall", "cpu"] as const) {
        const vsGst = ratio(inGraph, gstOurs, key);
        const overhead = ratio(inGraph, bare, key);
        verdicts.push(
          `${width}x${height} (${key}): graph / gst openh264enc (our settings) = ${pct(vsGst)} ` +
            `(goal >= 100%: ${vsGst !== undefined && vsGst >= 1 ? "met" : "not met"}); ` +
            `graph overhead over the bare encoder = ${
              pct(overhead === undefined ? undefined : 1 - overhead)
            } (goal < 3%: ${overhead !== undefined && 1 - overhead < 0.03 ? "met" : "not met"})`,
        );
      }
      verdicts.push(
        `${width}x${height} (wall): 2 threads / 1 thread: bare ${pct(ratio(bare2, bare, "wall"))}` +
          `, graph ${pct(ratio(graph2, inGraph, "wall"))}, gst ${
            pct(ratio(gst2, gstOurs, "wall"))
          }; graph, 2 threads / gst, 2 threads = ${pct(ratio(graph2, gst2, "wall"))}`,
      );
    }
    console.log(verdicts.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (values.child !== undefined) {
  const job: ChildJob = {
    path: values.path!,
    width: Number(values.width),
    height: Number(values.height),
    frames: Number(values.frames),
    threads: Number(values.threads),
  };
  if (values.child === "bare") bareEncoder(job);
  else if (values.child === "graph") await graph(job);
  else throw new Error(`unknown --child ${values.child}: bare or graph`);
} else {
  await main(Number(values.rounds));
}
