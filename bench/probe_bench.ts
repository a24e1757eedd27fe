/**
 * What a probe costs the writer it watches: `BurstSource` writing 1920x1080 RGBA frames as fast as
 * a `CountingSink` takes them (`fifo`, capacity 4), without a probe, with a probe sampling every
 * 100 ms, and with a dashboard preview probe (a 160x90 thumbnail made every 100 ms, in the
 * writer's isolate). Main isolate, and across a Worker (source in a Worker, sink in the main
 * isolate, the probe attached from the main isolate and sampling in the Worker). Runs alternate
 * (`ROUNDS` times: none, probe, none again, preview, the order turning each round) and the table gives the median of each; the
 * second no-probe column is the A/A noise floor of the machine.
 *
 * `deno run -A bench/probe_bench.ts [frames] [rounds]`
 *
 * @module
 */

import { Runtime } from "../mod.ts";
import { FramePool, videoSlotBytes, WorkerBackend } from "../ffi/mod.ts";
import { builtinRegistry } from "../processors/mod.ts";
import { arrivalRate, runToSink } from "./graph_bench_runs.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";

const SECONDS = Number(Deno.args[0] ?? 1.5);
const ROUNDS = Number(Deno.args[1] ?? 5);
const PREVIEW = new URL("../web/preview_probe.ts", import.meta.url).href;

type Variant = "none" | "again" | "probe" | "preview";

async function run(
  rt: Runtime,
  worker: boolean,
  variant: Variant,
  frames: number,
): Promise<number> {
  const placement = worker ? { worker: "w" } : "main";
  rt.add("BurstSource", { frames, kind: "video", burst: 4 }, { id: "source", placement });
  rt.add("CountingSink", { expect: frames }, { id: "sink" });
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
  const rate = arrivalRate(await runToSink(rt, "sink", `probe bench ${variant}`), frames);
  if (rt.state === "running") await rt.stop();
  probe?.close();
  const leaks = rt.frameLeaks();
  if (leaks.length > 0) throw new Error(`frame leaks: ${JSON.stringify(leaks)}`);
  if (probe && samples === 0) throw new Error("the probe never sampled");
  for (const node of rt.describe().nodes) rt.remove(node.id);
  await rt.settled();
  return rate;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Row {
  readonly frames: number;
  readonly rates: Record<Variant, number>;
}

/** A warm-up run sizes the runs to about `SECONDS` each; then the variants alternate. */
async function measure(rt: Runtime, worker: boolean): Promise<Row> {
  await run(rt, worker, "none", 20_000); // JIT warm-up
  const warm = await run(rt, worker, "none", 100_000);
  const frames = Math.max(20_000, Math.round(warm * SECONDS));
  const rates: Record<Variant, number[]> = { none: [], again: [], probe: [], preview: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // The order turns each round, so no variant always follows the same one.
    const order = ["none", "probe", "again", "preview"] as const;
    for (let k = 0; k < order.length; k++) {
      const variant = order[(k + round) % order.length];
      rates[variant].push(await run(rt, worker, variant, frames));
    }
  }
  const m = {
    none: median(rates.none),
    again: median(rates.again),
    probe: median(rates.probe),
    preview: median(rates.preview),
  };
  return { frames, rates: m };
}

const registry = builtinRegistry.with(benchRegistry);
const rows: [string, Row][] = [];
rows.push(["main isolate", await measure(new Runtime({ registry }), false)]);
{
  const pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 1920, 1080), slotCount: 64 });
  const backend = new WorkerBackend({ pool });
  const rt = new Runtime({ registry, isolates: backend });
  rows.push(["Worker -> main", await measure(rt, true)]);
  await backend.close();
  pool.close();
}

const pct = (with_: number, without: number) => `${((1 - with_ / without) * 100).toFixed(1)}%`;
console.log(`1920x1080 RGBA, runs of ~${SECONDS} s, median of ${ROUNDS} alternating runs`);
console.log(
  "| writer | frames/run | no probe (fps) | no probe again (A/A noise) | probe 100 ms (fps) | cost | preview probe 100 ms (fps) | cost |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [name, { frames, rates: r }] of rows) {
  const cells = [
    name,
    frames,
    r.none.toFixed(0),
    `${r.again.toFixed(0)} (${pct(r.again, r.none)})`,
    r.probe.toFixed(0),
    pct(r.probe, r.none),
    r.preview.toFixed(0),
    pct(r.preview, r.none),
  ];
  console.log(`| ${cells.join(" | ")} |`);
}

// The work a probe adds on the writer's thread per sample, timed alone: the cost bound that the
// throughput rows (noisy on a loaded machine, see the A/A column) cannot resolve below ~1-9%.
{
  const { previewSample } = await import("../web/preview_probe.ts");
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
