/**
 * H.264 encode throughput, one table, every row measured in this run, at 1280x720 and 1920x1080,
 * every row encoding the same frames read from the same file and timed the same way:
 *
 * - the frames: our test pattern (SMPTE bars and a moving box, `TestPatternRenderer`, I420)
 *   rendered once per size into a raw I420 file in a temporary directory;
 * - bare encoder: `H264Encoder` (OpenH264, native, ffi) reading the file frame by frame, no graph;
 * - graph: `RawFileBurstSource` (defined here: reads the file into pool frames as fast as the
 *   graph takes them) → `H264Encoder` → `NullSink`;
 * - `gst-launch-1.0 filesrc ! rawvideoparse ! openh264enc ! fakesink`, with openh264enc's default
 *   settings and with ours (complexity low, bit-rate rate control, one thread, a keyframe every 60
 *   frames, camera usage, no frame skipping);
 * - `ffmpeg -f rawvideo -i <file> -c:v libx264 -preset ultrafast -f null -`.
 *
 * Timing, the same for every row: the wall-clock time of a whole run (process start, plugin and
 * library loading, encoder creation and file opening included) of N frames and of 2N frames;
 * the rate is N / (t(2N) - t(N)), so every fixed cost cancels and only the per-frame cost
 * remains. Each t is the median of `--runs` runs after a warm-up.
 *
 * Goals (issue 6): the graph at least 90% of GStreamer's openh264 rate, and the graph's overhead
 * over the bare encoder under 5%.
 *
 * Run: `deno task bench:encode` (or `deno run -A bench/encode_bench.ts [--runs R]`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  defineNode,
  type FrameAllocator,
  type NodeDefinition,
  type NodeHandle,
  type OutputPort,
  PlainFrameAllocator,
  type PortTable,
  Processor,
  processorInit,
  type SetupContext,
  type VideoFrame,
} from "../mod.ts";
import { H264Encoder } from "../ffi/mod.ts";
import { createRuntime } from "../processors/mod.ts";
import { TestPatternRenderer } from "../processors/video/test_pattern.ts";
import { ensureGstreamer } from "./ensure_gstreamer.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";
import { SelfWake } from "./processors/self_wake.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "3" } },
});
const RUNS = Number(values.runs);
/** N per size; the file holds 2N frames. */
const SIZES = [
  { width: 1280, height: 720, frames: 240 },
  { width: 1920, height: 1080, frames: 120 },
];
const BITRATE = 2_000_000;
const FPS = 30;
/** Our encoder's settings (the `H264Encoder` defaults: low latency) as openh264enc properties. */
const GST_OUR_SETTINGS =
  "complexity=low rate-control=bitrate multi-thread=1 gop-size=60 usage-type=camera " +
  "enable-frame-skip=false";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

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
 * Reads I420 frames from a raw file into frame-pool frames as fast as the graph accepts them
 * (like `PatternBurstSource`, with a file read in place of rendering).
 */
class RawFileBurstSource extends Processor<RawFileTypes> {
  #file: Deno.FsFile | undefined;
  #frames: FrameAllocator | undefined;
  #wake: SelfWake | undefined;
  #written = 0;

  get #config(): RawFileConfig {
    return processorInit(this)!.config as RawFileConfig;
  }

  override setup(ctx: SetupContext): void {
    this.#file = Deno.openSync(this.#config.path, { read: true });
    this.#frames = ctx.frameAllocator?.(4) ?? new PlainFrameAllocator({ hold: 4 });
    this.#written = 0;
    if (ctx.wake) {
      this.#wake = new SelfWake(ctx.wake);
      ctx.wake();
    }
  }

  process(): void {
    const { frames, width, height } = this.#config;
    if (this.#written >= frames || this.outputs.out.space === 0) return; // woken when room frees
    this.#frames?.fit(this.outputs.out.capacity);
    const frame = this.#frames?.allocateVideo("I420", width, height);
    if (!frame) return this.#wake?.retry();
    readFrame(this.#file!, frame.data);
    frame.frameNumber = this.#written;
    frame.timestampNs = Math.round(this.#written * 1e9 / FPS);
    if (!this.outputs.out.write(frame)) return this.#wake?.retry();
    this.#written++;
    if (this.#written < frames && this.outputs.out.space > 0) this.#wake?.request();
  }

  override teardown(): void {
    this.#wake?.close();
    this.#wake = undefined;
    this.#frames?.close();
    this.#frames = undefined;
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

/** One run of `frames` frames from `path`: how long it took, fixed costs included. */
type Run = (path: string, width: number, height: number, frames: number) => Promise<number>;

const bareEncoder: Run = (path, width, height, frames) => {
  const start = performance.now();
  using encoder = H264Encoder.create({ width, height, backend: "openh264", bitrate: BITRATE });
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
  return Promise.resolve((performance.now() - start) / 1000);
};

const graph: Run = async (path, width, height, frames) => {
  const rt = createRuntime({ registry: benchRegistry, workers: false });
  rt.add(rawFileBurstSourceNode, { path, frames, width, height }, { id: "source" });
  rt.add("H264Encoder", { backend: "openh264", bitrate: BITRATE }, { id: "encoder" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("source", "out", "encoder", "in", { policy: "fifo", capacity: 2 });
  rt.connectByName("encoder", "out", "sink", "in", { policy: "fifo", capacity: 8 });
  const start = performance.now();
  await rt.start();
  while (rt.stats().nodes.sink.framesIn < frames) {
    if (performance.now() - start > 120_000) throw new Error("the graph did not finish");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const seconds = (performance.now() - start) / 1000;
  await rt.stop();
  return seconds;
};

async function timedCommand(command: string, args: string[]): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const seconds = (performance.now() - start) / 1000;
  if (!out.success) {
    throw new Error(`${command} failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  }
  return seconds;
}

function gstreamer(settings: string): Run {
  return (path, width, height, frames) =>
    timedCommand("gst-launch-1.0", [
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
  timedCommand("ffmpeg", [
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

/** N / (t(2N) - t(N)), t the median of RUNS wall-clock runs each, after a warm-up. */
async function measure(
  run: Run,
  path: string,
  width: number,
  height: number,
  frames: number,
): Promise<number | undefined> {
  try {
    await run(path, width, height, frames); // warm-up
    const short: number[] = [];
    const long: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      short.push(await run(path, width, height, frames));
      long.push(await run(path, width, height, 2 * frames));
    }
    const perFrames = median(long) - median(short);
    if (perFrames <= 0) throw new Error("t(2N) <= t(N): too noisy to measure");
    return frames / perFrames;
  } catch (error) {
    console.error(
      `  not measured: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
    );
    return undefined;
  }
}

await ensureGstreamer(["filesrc", "rawvideoparse", "openh264enc", "fakesink"]);
const dir = await Deno.makeTempDir({ prefix: "streamlib_encode_bench_" });
try {
  const fmt = (x: number | undefined) => (x === undefined ? "not measured" : x.toFixed(1));
  console.log(
    `encode_bench: H.264 at ${BITRATE / 1e6} Mbit/s from the same raw I420 file of our test ` +
      `pattern; fps = N / (t(2N) - t(N)), t the median wall-clock time of ${RUNS} whole runs ` +
      `after a warm-up (${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno})\n`,
  );
  console.log(
    "| size      | N   | bare encoder | graph | gst openh264enc, defaults | gst openh264enc, our settings | ffmpeg x264 ultrafast |",
  );
  console.log(
    "| --------- | --- | ------------ | ----- | ------------------------- | ----------------------------- | --------------------- |",
  );
  const verdicts: string[] = [];
  for (const { width, height, frames } of SIZES) {
    const path = `${dir}/pattern_${width}x${height}.yuv`;
    renderFile(path, width, height, 2 * frames);
    const bare = await measure(bareEncoder, path, width, height, frames);
    const inGraph = await measure(graph, path, width, height, frames);
    const gstDefault = await measure(gstreamer(""), path, width, height, frames);
    const gstOurs = await measure(gstreamer(GST_OUR_SETTINGS), path, width, height, frames);
    const x264 = await measure(ffmpegX264, path, width, height, frames);
    await Deno.remove(path);
    console.log(
      `| ${`${width}x${height}`.padEnd(9)} | ${String(frames).padEnd(3)} | ${
        fmt(bare).padStart(12)
      } | ${fmt(inGraph).padStart(5)} | ${fmt(gstDefault).padStart(25)} | ${
        fmt(gstOurs).padStart(29)
      } | ${fmt(x264).padStart(21)} |`,
    );
    for (const [label, gst] of [["defaults", gstDefault], ["our settings", gstOurs]] as const) {
      if (inGraph === undefined || gst === undefined) continue;
      const ratio = inGraph / gst;
      verdicts.push(
        `${width}x${height}: graph / gst openh264enc (${label}) = ${(100 * ratio).toFixed(0)}% ` +
          `(goal >= 90%: ${ratio >= 0.9 ? "met" : "not met"})`,
      );
    }
    if (inGraph !== undefined && bare !== undefined) {
      const overhead = 1 - inGraph / bare;
      verdicts.push(
        `${width}x${height}: graph overhead over the bare encoder = ${
          (100 * overhead).toFixed(1)
        }% (goal < 5%: ${overhead < 0.05 ? "met" : "not met"})`,
      );
    }
  }
  console.log(`\n${verdicts.join("\n")}`);
} finally {
  await Deno.remove(dir, { recursive: true });
}
