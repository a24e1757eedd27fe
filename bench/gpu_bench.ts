/**
 * The GPU chain against our CPU chain and GStreamer's GL elements on the same device, one table:
 * a 1920x1080 NV12 frame converted to RGBA, scaled to 480x270, composited with itself (picture in
 * picture) and graded (`bench/gpu_chain.ts` says the chain), as frames/s and CPU milliseconds
 * per frame (every thread of the process: on lavapipe and llvmpipe the "GPU" is CPU threads).
 *
 * - **GPU chain**: our WebGPU kernels on the first adapter (lavapipe where there is no GPU), one
 *   upload and one download a frame, three frames in flight;
 * - **GPU processors**: the same chain as a graph (`TestPattern` NV12 -> `YuvToGpu` ->
 *   `GpuScale`/`VideoCompositor` -> `GpuLut` -> `NullSink`, the last connection downloading), so
 *   the runtime's cost is in the figure, and the source's rendering too;
 * - **CPU chain**: our CPU code for the same steps (`convertFrame`, `BilinearScaler`,
 *   `compositeRgba`, `applyLut3d`), one thread;
 * - **GStreamer GL**: `multifilesrc` (the same two frames) `! glupload ! glcolorconvert ! tee`, one
 *   branch through `glcolorscale` to 480x270, `glvideomixer` (the same placement and opacity)
 *   `! glcolorbalance ! gldownload ! fakesink`, on an EGL device context
 *   (`GST_GL_WINDOW=egl-device`, no window system). GStreamer has no GL 3D LUT element, so
 *   `glcolorbalance` (a per-pixel colour transform) stands in the LUT's place. Its frames/s are
 *   from gst-launch's own execution time; its CPU per frame is the difference of the process's CPU
 *   time between a long and a short run, so start-up is not counted.
 *
 * Each figure is the median of `--runs` runs. Progress goes to stderr, the table to stdout.
 *
 * Run: `deno run -A bench/gpu_bench.ts [--frames 120] [--cpu-frames 10] [--runs 3]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ensureGstreamer } from "./ensure_gstreamer.ts";
import { gstVersion } from "./gstreamer.ts";
import { median } from "./graph_bench_table.ts";
import { type ChainRun, checkChains, H, inputFrames, PIP, W } from "./gpu_chain.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    frames: { type: "string", default: "120" },
    "cpu-frames": { type: "string", default: "10" },
    runs: { type: "string", default: "3" },
  },
});
const FRAMES = Number(values.frames);
const CPU_FRAMES = Number(values["cpu-frames"]);
const RUNS = Number(values.runs);

/** GStreamer's GL stack without a window system: an EGL device (Mesa's llvmpipe here). */
const GL_ENV = { GST_GL_WINDOW: "egl-device", GST_GL_PLATFORM: "egl" };

interface Figure {
  fps: number;
  cpuMsPerFrame: number;
  device: string;
}

async function side(name: "gpu" | "graph" | "cpu", frames: number): Promise<ChainRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./gpu_side.ts", import.meta.url).pathname, name, String(frames)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `The ${name} chain failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`,
    );
  }
  return JSON.parse(text.split("\n").at(-1)!);
}

async function ours(name: "gpu" | "graph" | "cpu", frames: number): Promise<Figure> {
  const runs: ChainRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await side(name, frames);
    console.error(`  ${name}: ${(run.frames / run.seconds).toFixed(2)} frames/s`);
    runs.push(run);
  }
  return {
    fps: median(runs.map((r) => r.frames / r.seconds)),
    cpuMsPerFrame: median(runs.map((r) => (1000 * r.cpuSeconds) / r.frames)),
    device: runs[0].device.replace(/^[\d\s]+(?=\D)/, ""), // "65541 0 llvmpipe" -> "llvmpipe"
  };
}

function gstPipeline(dir: string, frames: number): string[] {
  return [
    `multifilesrc location=${dir}/frame%d.nv12 index=0 stop-index=1 loop=true num-buffers=${frames}`,
    `! rawvideoparse format=nv12 width=${W} height=${H} framerate=30/1`,
    "! glupload ! glcolorconvert ! video/x-raw(memory:GLMemory),format=RGBA ! tee name=t",
    "t. ! queue ! m.sink_0",
    `t. ! queue ! glcolorscale ! video/x-raw(memory:GLMemory),width=${PIP.width},height=${PIP.height} ! m.sink_1`,
    `glvideomixer name=m background=black sink_1::xpos=${PIP.x} sink_1::ypos=${PIP.y}`,
    `sink_1::alpha=${PIP.alpha} sink_1::zorder=1`,
    "! glcolorbalance contrast=1.1 saturation=1.1 ! gldownload ! video/x-raw,format=RGBA ! fakesink",
  ].join(" ").split(/\s+/);
}

/** One gst-launch run: its execution seconds and the process's CPU seconds. */
async function gstRun(dir: string, frames: number): Promise<{ seconds: number; cpu: number }> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "cpu=%U+%S", "gst-launch-1.0", ...gstPipeline(dir, frames)],
    env: GL_ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success || !stdout.includes("Got EOS")) {
    throw new Error(`GStreamer GL failed: ${stdout.slice(-1500)}${stderr.slice(-1500)}`);
  }
  const time = /Execution ended after (\d+):(\d+):(\d+\.\d+)/.exec(stdout)!;
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(stderr)!;
  return {
    seconds: Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3]),
    cpu: Number(cpu[1]) + Number(cpu[2]),
  };
}

async function gstreamer(dir: string): Promise<Figure> {
  const short = Math.max(2, Math.floor(FRAMES / 4));
  const fps: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const long = await gstRun(dir, FRAMES);
    const brief = await gstRun(dir, short);
    fps.push(FRAMES / long.seconds);
    cpu.push((1000 * (long.cpu - brief.cpu)) / (FRAMES - short));
    console.error(`  GStreamer GL: ${fps.at(-1)!.toFixed(2)} frames/s`);
  }
  return { fps: median(fps), cpuMsPerFrame: median(cpu), device: await glRenderer() };
}

/** The GL renderer GStreamer gets (`llvmpipe (LLVM ...)` here), from its context's log. */
async function glRenderer(): Promise<string> {
  const out = await new Deno.Command("gst-launch-1.0", {
    args: "videotestsrc num-buffers=1 ! glupload ! gldownload ! fakesink".split(" "),
    env: { ...GL_ENV, GST_DEBUG: "glcontext:4", GST_DEBUG_NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return /GL_RENDERER: (.*)/.exec(new TextDecoder().decode(out.stderr))?.[1].trim() ?? "unknown";
}

if (!await ensureGstreamer(["glupload", "glvideomixer", "multifilesrc", "rawvideoparse"])) {
  throw new Error("GStreamer's GL elements are missing: apt-get install gstreamer1.0-gl");
}
console.error(`gpu_bench: ${RUNS} runs per figure; ${await gstVersion()}`);
const agreement = await checkChains();
console.error(`GPU and CPU chains agree at ${agreement.toFixed(1)} dB PSNR`);
const dir = await Deno.makeTempDir({ prefix: "gpu_bench" });
try {
  const frames = inputFrames();
  for (const [i, frame] of frames.entries()) await Deno.writeFile(`${dir}/frame${i}.nv12`, frame);
  console.error("GPU chain");
  const gpu = await ours("gpu", FRAMES);
  console.error("GPU chain as processors in a runtime");
  const graph = await ours("graph", FRAMES);
  console.error("CPU chain");
  const cpu = await ours("cpu", CPU_FRAMES);
  console.error("GStreamer GL");
  const gst = await gstreamer(dir);
  const rows: [string, Figure][] = [
    ["GPU chain (WebGPU kernels)", gpu],
    ["GPU chain (processors in a runtime)", graph],
    ["CPU chain (JavaScript)", cpu],
    ["GStreamer GL", gst],
  ];
  const head = ["chain", "device", "frames/s", "CPU ms/frame", "frames/s vs GStreamer GL"];
  const table = rows.map(([name, f]) => [
    name,
    f.device,
    f.fps.toFixed(2),
    f.cpuMsPerFrame.toFixed(1),
    `${(f.fps / gst.fps).toFixed(2)}x`,
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...table.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((s, c) => s.padEnd(widths[c])).join(" | ")} |`;
  console.log(`1920x1080 NV12 -> RGBA -> scale 480x270 -> composite(2) -> LUT, ${FRAMES} frames`);
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of table) console.log(line(row));
  const verdict = (f: Figure) =>
    `${(f.fps / gst.fps).toFixed(2)}x, ${f.fps >= gst.fps ? "met" : "not met"}`;
  console.log(
    `goal: GPU chain >= 1x GStreamer GL on the same device: kernels ${verdict(gpu)}, processors ${
      verdict(graph)
    }; GPU kernels vs CPU chain: ${(gpu.fps / cpu.fps).toFixed(2)}x; chains agree at ${
      agreement.toFixed(1)
    } dB`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
