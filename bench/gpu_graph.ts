/**
 * `bench/gpu_bench.ts`'s chain as processors in a runtime (see {@linkcode runGraph}), for the row
 * that puts the runtime's own costs beside the kernels'.
 *
 * @module
 */

import { cpuUsage } from "node:process";
import { type ChainRun, GRADE, H, PIP, W } from "./gpu_chain.ts";

/**
 * How often the bench reads the sink's count: `rt.stats()` builds every node's counters, and read
 * every 5 ms it cost a tenth of the frame time, counted against the graph. A run of 60 frames
 * takes seconds, so a read every 50 ms moves its end by 1% at most.
 */
const POLL_MS = 50;

/** The cube file of {@linkcode GRADE}, for `GpuLut`. */
function gradeCube(): string {
  const lines = [`LUT_3D_SIZE ${GRADE.size}`];
  for (let i = 0; i < GRADE.data.length; i += 3) {
    lines.push(`${GRADE.data[i]} ${GRADE.data[i + 1]} ${GRADE.data[i + 2]}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The same chain as processors in a runtime: `TestPattern` (NV12, 1080p, 240 fps so it is never
 * the limit) -> `YuvToGpu` -> `VideoCompositor` (in_0; and through `GpuScale` to in_1) -> `GpuLut`
 * -> `NullSink` (a CPU input: the connection downloads RGBA).
 *
 * @param count Frames to time, after a warm-up of 4.
 * @returns The run's frames, seconds and process CPU seconds.
 */
export async function runGraph(count: number): Promise<ChainRun> {
  const { createRuntime, GpuLut, GpuScale, NullSink, TestPattern, VideoCompositor, YuvToGpu } =
    await import("../processors/mod.ts");
  const cube = await Deno.makeTempFile({ suffix: ".cube" });
  await Deno.writeTextFile(cube, gradeCube());
  const rt = createRuntime();
  const source = rt.add(TestPattern, { width: W, height: H, fps: 240, pixelFormat: "NV12" });
  const up = rt.add(YuvToGpu);
  const scale = rt.add(GpuScale, { width: PIP.width, height: PIP.height });
  const mix = rt.add(VideoCompositor, {
    width: W,
    height: H,
    layers: [{ x: 0, y: 0, width: W, height: H, alpha: 1, z: 0 }, { ...PIP }],
  });
  const grade = rt.add(GpuLut, { path: cube });
  const sink = rt.add(NullSink);
  const fifo = { policy: "fifo", capacity: 2 } as const;
  rt.connect(source.outputs.video, up.inputs.in, fifo);
  rt.connect(up.outputs.out, mix.inputs.in_0, fifo);
  rt.connect(up.outputs.out, scale.inputs.in, fifo);
  rt.connect(scale.outputs.out, mix.inputs.in_1, fifo);
  rt.connect(mix.outputs.out, grade.inputs.in, fifo);
  rt.connect(grade.outputs.out, sink.inputs.in, fifo);
  const received = () => rt.stats().nodes[sink.name].framesIn;
  const until = async (n: number) => {
    const deadline = Date.now() + 600_000;
    while (received() < n && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  await rt.start();
  await until(4); // warm-up: pipelines built, the pool filled
  const first = received();
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  await until(first + count);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  const frames = received() - first;
  const device = rt.stats().gpu?.adapter ?? "unknown";
  await rt.stop();
  await Deno.remove(cube);
  return { side: "graph", device, frames, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
