/**
 * What a probe across a Worker costs the writer it watches, in instructions counted by valgrind's
 * cachegrind: the graph of `bench/probe_bench.ts` (`BurstSource` writing 1920x1080 RGBA frames to
 * a `CountingSink`, `fifo`, capacity 4) with the source in a Worker and the probe attached from
 * the main isolate (it samples in the Worker and posts its samples back).
 *
 * Why instructions: the cost is far below the run-to-run noise of timing a Worker on a shared
 * 2-core machine (`probe_bench.ts`'s A/A interval is 3-14% wide there), while instruction counts
 * do not move with the machine's load. Each variant runs for a few and for many frames;
 * instructions per frame = difference / frames added, so start-up cancels. The count is the whole
 * process's (every thread, both isolates), the base `probe_bench.ts` divides CPU time by.
 *
 * Variants: no probe; a probe attached that never samples (its interval longer than any run: what
 * an attached probe costs every frame); a probe sampling every 100 ms; the dashboard's preview
 * probe (a 160x90 thumbnail) every 100 ms. A 100 ms probe's cost beyond being attached comes per
 * tick (a timer in the Worker, then the next frame's summary posted), so it is counted per tick.
 * Under valgrind the graph runs ~50x slower and ticks come ~50x more often per frame than at full
 * speed: the 100 ms row under valgrind is an upper bound. The cost at full speed = per-frame cost of
 * being attached + per-tick cost x ticks per frame measured in runs without valgrind.
 *
 * The main isolate is not a row here: its pass-through runs at ~2 M frames/s once V8 has optimised
 * it, which valgrind's slow runs of a few thousand frames never reach; `probe_bench.ts` resolves
 * that row by timing.
 *
 * Needs valgrind (`apt-get install valgrind`). Takes ~5 minutes.
 *
 * Run: `deno run -A bench/probe_instructions.ts [--reps 3]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Runtime } from "../mod.ts";
import { FramePool, videoSlotBytes, WorkerBackend } from "../ffi/mod.ts";
import { builtinRegistry } from "../processors/mod.ts";
import { countInstructions, requireValgrind } from "./cachegrind.ts";
import { runToSink } from "./graph_bench_runs.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";

const PREVIEW = new URL("../web/server/preview_probe.ts", import.meta.url).href;
const VARIANTS = ["none", "attached", "probe", "preview"] as const;
type Variant = typeof VARIANTS[number];
type Writer = "main" | "worker";
/** An interval no run reaches: the probe is attached and never samples. */
const NEVER_MS = 1e7;
const FEW = 300;
const MANY = 3000;

/** The child: runs the graph once for `frames` frames, prints its samples and rate to stderr. */
async function child(writer: Writer, variant: Variant, frames: number): Promise<void> {
  const registry = builtinRegistry.with(benchRegistry);
  const worker = writer === "worker";
  const pool = worker
    ? FramePool.create({ slotBytes: videoSlotBytes("RGBA", 1920, 1080), slotCount: 64 })
    : undefined;
  const backend = pool ? new WorkerBackend({ pool }) : undefined;
  const rt = new Runtime({ registry, isolates: backend });
  rt.add("BurstSource", { frames, kind: "video", burst: 4 }, {
    id: "source",
    placement: worker ? { worker: "w" } : "main",
  });
  rt.add("CountingSink", { expect: frames }, { id: "sink" });
  rt.connectByName("source", "out", "sink", "in", { capacity: 4, policy: "fifo" });
  let samples = 0;
  const preview = {
    transform: { module: PREVIEW, export: "previewSample", options: { width: 160, height: 90 } },
  };
  const probe = variant === "none" ? undefined : rt.probe("source.out", () => samples++, {
    everyMs: variant === "attached" ? NEVER_MS : 100,
    ...(variant === "preview" ? preview : {}),
  });
  const t0 = performance.now();
  await runToSink(rt, "sink", `probe instructions ${writer} ${variant}`);
  const seconds = (performance.now() - t0) / 1000;
  probe?.close();
  const leaks = rt.frameLeaks();
  if (leaks.length > 0) throw new Error(`frame leaks: ${JSON.stringify(leaks)}`);
  if (variant === "attached" && samples > 0) throw new Error("the attached probe sampled");
  console.error(`RESULT samples=${samples} fps=${frames / seconds}`);
  await backend?.close();
  pool?.close();
}

function childCommand(writer: Writer, variant: Variant, frames: number): string[] {
  return [
    Deno.execPath(),
    "run",
    "-A",
    new URL(import.meta.url).pathname,
    `--child=${writer}`,
    `--variant=${variant}`,
    `--frames=${frames}`,
  ];
}

function result(stderr: string): { samples: number; fps: number } {
  const match = /RESULT samples=(\d+) fps=([\d.e+]+)/.exec(stderr);
  if (!match) throw new Error(`the child printed no result: ${stderr.slice(-500)}`);
  return { samples: Number(match[1]), fps: Number(match[2]) };
}

/** Samples per frame of a 100 ms probe at full speed, and the plain run's frames per second. */
async function fullSpeed(writer: Writer): Promise<{ samplesPerFrame: number; fps: number }> {
  const frames = 200_000;
  const fps: number[] = [];
  const density: number[] = [];
  for (let i = 0; i < 3; i++) {
    for (const variant of ["none", "probe"] as const) {
      const out = await new Deno.Command(childCommand(writer, variant, frames)[0], {
        args: childCommand(writer, variant, frames).slice(1),
        stdout: "null",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      if (!out.success) throw new Error(`full-speed run failed: ${stderr.slice(-500)}`);
      const r = result(stderr);
      if (variant === "none") fps.push(r.fps);
      else density.push(r.samples / frames);
    }
  }
  return { samplesPerFrame: median(density), fps: median(fps) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

interface Rep {
  /** Instructions per frame by variant. */
  readonly perFrame: Record<Variant, number>;
  /** Samples per frame added between the few and the many frames' runs, by variant. */
  readonly samples: Record<Variant, number>;
  /** Samples per frame of the 100 ms probe under valgrind. */
  readonly density: number;
}

async function rep(writer: Writer): Promise<Rep> {
  const perFrame = {} as Record<Variant, number>;
  const samples = {} as Record<Variant, number>;
  for (const variant of VARIANTS) {
    const few = await countInstructions(childCommand(writer, variant, FEW));
    const many = await countInstructions(childCommand(writer, variant, MANY));
    perFrame[variant] = (many.instructions - few.instructions) / (MANY - FEW);
    samples[variant] = (result(many.stderr).samples - result(few.stderr).samples) / (MANY - FEW);
  }
  return { perFrame, samples, density: samples.probe };
}

async function main(reps: number): Promise<void> {
  await requireValgrind();
  const writer: Writer = "worker";
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const k = (x: number) => `${(x / 1e3).toFixed(1)} k`;
  const range = (xs: number[], f: (x: number) => string) =>
    `${f(median(xs))} [${f(Math.min(...xs))}, ${f(Math.max(...xs))}]`;
  const speed = await fullSpeed(writer);
  await countInstructions(childCommand(writer, "none", FEW)); // warm-up: Deno's first compile
  const runs: Rep[] = [];
  for (let i = 0; i < reps; i++) runs.push(await rep(writer));
  const base = runs.map((r) => r.perFrame.none);
  const attached = runs.map((r) => r.perFrame.attached - r.perFrame.none);
  // A 100 ms probe's instructions beyond being attached come with its ticks (each tick samples
  // the next frame): per tick = extra instructions per frame / ticks per frame.
  const perTick = runs.map((r) => (r.perFrame.probe - r.perFrame.attached) / r.samples.probe);
  const previewPerTick = runs.map((r) =>
    (r.perFrame.preview - r.perFrame.attached) / r.samples.preview
  );
  const bound = runs.map((r) => (r.perFrame.probe - r.perFrame.none) / r.perFrame.none);
  const atSpeed = (tick: number[]) =>
    runs.map((r, i) => (attached[i] + tick[i] * speed.samplesPerFrame) / r.perFrame.none);
  const probe = atSpeed(perTick);
  const preview = atSpeed(previewPerTick);
  const verdict = Math.max(...bound) < 0.02
    ? "yes (upper bound)"
    : Math.max(...probe) < 0.02
    ? "yes (at full speed)"
    : "no";
  console.log(
    `Worker -> main, 1920x1080 RGBA; ${reps} repetitions, median [min, max]; instructions per ` +
      `frame from runs of ${FEW} and ${MANY} frames under cachegrind, whole process`,
  );
  console.log(
    "| instr/frame, no probe | attached, never sampling: instr/frame | 100 ms probe: instr per tick | preview probe: instr per tick | ticks/frame under valgrind | 100 ms probe under valgrind (upper bound) | frames/s at full speed | ticks/frame at full speed | 100 ms probe at full speed | preview probe at full speed | probe < 2% shown |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  const density = (x: number) => `1/${(1 / x).toFixed(0)}`;
  console.log(
    `| ${range(base, k)} | ${range(attached, (x) => x.toFixed(0))} | ${range(perTick, k)} | ${
      range(previewPerTick, k)
    } | ${range(runs.map((r) => r.density), density)} | ${range(bound, pct)} | ${
      speed.fps.toFixed(0)
    } | ${density(speed.samplesPerFrame)} | ${range(probe, pct)} | ${
      range(preview, pct)
    } | ${verdict} |`,
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      child: { type: "string" },
      variant: { type: "string" },
      frames: { type: "string" },
      reps: { type: "string" },
    },
  });
  if (values.child) {
    await child(values.child as Writer, values.variant as Variant, Number(values.frames));
  } else {
    await main(Number(values.reps ?? 3));
  }
}
