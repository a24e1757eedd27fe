/**
 * Runs one side of `bench/gpu_bench.ts` in a process of its own (so its CPU time is its own) and
 * prints one JSON line: the side, its device, frames, seconds and the process's CPU seconds
 * (every thread's: lavapipe's too).
 *
 * Run: `deno run -A bench/gpu_side.ts gpu|graph|cpu [frames]`.
 *
 * @module
 */

import { cpuUsage } from "node:process";
import { type ChainRun, CpuChain, GpuChain, inputFrames } from "./gpu_chain.ts";
import { runGraph } from "./gpu_graph.ts";

async function runSide(side: string, count: number): Promise<ChainRun> {
  if (side === "graph") return await runGraph(count);
  const frames = inputFrames();
  if (side === "gpu") {
    const chain = await GpuChain.create();
    await chain.run(frames, 4); // warm-up: pipelines built, memory touched
    const cpu0 = cpuUsage();
    const t0 = performance.now();
    await chain.run(frames, count);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuUsage(cpu0);
    chain.close();
    return {
      side,
      device: chain.device,
      frames: count,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  }
  const chain = new CpuChain();
  chain.run(frames[0]);
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  for (let n = 0; n < count; n++) chain.run(frames[n % 2]);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  return {
    side,
    device: "CPU (JavaScript, one thread)",
    frames: count,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const [side = "gpu", count = "60"] = Deno.args;
console.log(JSON.stringify(await runSide(side, Number(count))));
