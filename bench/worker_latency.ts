/**
 * Latency of a live 1280x720 RGBA 30 fps pipeline through Worker placement, one table, every row
 * measured in this run:
 *
 * - `main only`: source -> VideoScale -> VideoScale -> sink, all in the main isolate;
 * - `2 Worker hops`: the same with each VideoScale in its own Worker (three crossings of native
 *   rings: main -> a -> b -> main), frames in the shared frame pool;
 * - each with pass-through scales (720p -> 720p: frames are forwarded, so the row is the cost of
 *   the crossings and wake-ups) and with real scaling (720p -> 360p -> 720p).
 *
 * The source is a 30 fps loop that takes a frame from `ctx.frames` (pool frames once Workers
 * exist), writes a byte and stamps it with the clock just before writing it; latency is
 * the sink's clock minus that stamp. (TestPattern stamps its frames `setup time + n / fps`, which
 * would count the Workers' setup time in every frame.)
 *
 * Run: `deno run -A bench/worker_latency.ts [--seconds 10]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  defineNode,
  type InputPort,
  type OutputPort,
  type PortTable,
  type ProcessContext,
  Processor,
  type SetupContext,
  type TypesOf,
  type VideoFrame,
} from "../mod.ts";
import { createRuntime } from "../processors/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "10" } },
});
const SECONDS = Number(values.seconds);

const latencies: number[] = [];

class LatencySink extends Processor<{
  inputs: { in: InputPort<VideoFrame> };
  outputs: Record<never, never>;
  config: Record<never, never>;
  handle: never;
}> {
  process(ctx: ProcessContext): void {
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      latencies.push(ctx.clock.nowNs() - frame.timestampNs);
    }
  }
}

class StampedSource extends Processor<{
  inputs: Record<never, never>;
  outputs: { video: OutputPort<VideoFrame> };
  config: Record<never, never>;
  handle: never;
}> {
  #n = 0;
  override setup(ctx: SetupContext): void {
    ctx.loop!.setPeriodNs(1e9 / 30);
  }
  process(ctx: ProcessContext): void {
    const frame = ctx.frames.video({ width: 1280, height: 720, format: "RGBA" });
    if (frame === undefined) return;
    frame.data[0] = this.#n & 0xff;
    frame.frameNumber = this.#n++;
    frame.timestampNs = ctx.clock.nowNs();
    this.outputs.video.write(frame);
  }
}

const stampedSourceNode = defineNode<TypesOf<StampedSource>, StampedSource>({
  descriptor: {
    name: "StampedSource",
    description: "1280x720 RGBA frames stamped when written.",
    tags: [],
    mode: "loop",
    inputs: [],
    outputs: [{
      name: "video",
      direction: "output",
      portType: "VideoFrame",
      required: false,
      description: "video",
    }],
    config: { type: "object", properties: {}, additionalProperties: false },
    source: "bench/worker_latency.ts",
  },
  processorClass: StampedSource,
  accessors: (ports: PortTable) =>
    ({ inputs: {}, outputs: { video: ports.output("video") } }) as never,
});

const latencySinkNode = defineNode<TypesOf<LatencySink>, LatencySink>({
  descriptor: {
    name: "LatencySink",
    description: "Records arrival time minus timestamp.",
    tags: [],
    mode: "push",
    inputs: [{
      name: "in",
      direction: "input",
      portType: "VideoFrame",
      required: true,
      description: "video",
    }],
    outputs: [],
    config: { type: "object", properties: {}, additionalProperties: false },
    source: "bench/worker_latency.ts",
  },
  processorClass: LatencySink,
  accessors: (ports: PortTable) => ({ inputs: { in: ports.input("in") }, outputs: {} }) as never,
});

async function measure(workers: boolean, scale: boolean): Promise<number[]> {
  latencies.length = 0;
  const rt = createRuntime({
    workers: { pool: { slotBytes: 1280 * 720 * 4 + 64, slotCount: 48 } },
  });
  const place = (worker: string) => workers ? { worker } : "main" as const;
  const mid = scale ? { width: 640, height: 360 } : { width: 1280, height: 720 };
  rt.add(stampedSourceNode, {}, { id: "bars" });
  rt.add("VideoScale", mid, { id: "a", placement: place("a") });
  rt.add("VideoScale", { width: 1280, height: 720 }, { id: "b", placement: place("b") });
  rt.add(latencySinkNode, {}, { id: "sink" });
  rt.connectByName("bars", "video", "a", "in");
  rt.connectByName("a", "out", "b", "in");
  rt.connectByName("b", "out", "sink", "in");
  await rt.start();
  await new Promise((resolve) => setTimeout(resolve, 1000)); // warm-up
  latencies.length = 0;
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const result = [...latencies];
  await rt.stop();
  return result;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const rows: string[][] = [];
for (const scale of [false, true]) {
  for (const workers of [false, true]) {
    const ns = (await measure(workers, scale)).sort((a, b) => a - b);
    const ms = (q: number) => (quantile(ns, q) / 1e6).toFixed(2);
    rows.push([
      workers ? "2 Worker hops" : "main only",
      scale ? "720p -> 360p -> 720p" : "pass-through",
      String(ns.length),
      ms(0.5),
      ms(0.99),
      ms(1 - 1e-9),
    ]);
  }
}
const header = ["placement", "scales", "frames", "p50 ms", "p99 ms", "max ms"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
