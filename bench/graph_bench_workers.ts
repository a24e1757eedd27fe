/**
 * The Worker rows of `bench/graph_bench.ts`: frames through Worker hops, and the latency of a live
 * pipeline crossing two. GStreamer's side is always measured; a streamlib run that fails (Worker
 * placement unavailable, say) makes its cell "not measured" with the reason, never a number.
 *
 * @module
 */

import { measureTogether, missingReason } from "./graph_bench_measure.ts";
import {
  type Measured,
  median,
  type NotMeasured,
  quantile,
  type Row,
} from "./graph_bench_table.ts";
import { GRAPH_BENCH_GOALS } from "./graph_bench_goals.ts";
import type { WorkerWait } from "../mod.ts";
import { closeWorkerRuns, liveLatenciesNs, workerHopRate } from "./graph_bench_worker_runs.ts";
import { FramePool, videoSlotBytes } from "../ffi/mod.ts";
import { FRAME_HEADER_BYTES } from "../ffi/transport/frame_format.ts";

/** Sizes of the Worker rows and the GStreamer runners. */
export interface WorkerRowOptions {
  /** Alternating runs per figure, after a warm-up run. */
  runs: number;
  /** 64-byte frames per run. */
  frames: number;
  /** 1920x1080 RGBA frames per run. */
  videoFrames: number;
  /** Frames per latency run (at 30 fps); the first second of each run is left out. */
  latencyFrames: number;
  /** The GStreamer runners. */
  gst: {
    executionSeconds: (pipeline: string) => Promise<number>;
    latenciesNs: (pipeline: string) => Promise<number[]>;
  };
}

/** Frames left out at the start of each latency run: one second of start-up and compilation. */
const LATENCY_SKIP = 30;

/** `src ! queue ! identity ! queue ... ! fakesink` with `hops` queues (thread hand-offs). */
function queued(source: string, hops: number): string {
  return `${source} ! ${Array(hops).fill("queue").join(" ! identity ! ")} ! fakesink`;
}

/**
 * Measures the Worker rows.
 *
 * @param options Sizes, runs and GStreamer runners.
 * @returns The rows, in table order.
 */
export async function workerRows(options: WorkerRowOptions): Promise<Row[]> {
  const { runs, frames, videoFrames, latencyFrames, gst } = options;
  const rows: Row[] = [];

  const video = (fill: "zero" | "nothing") =>
    `fakesrc num-buffers=${videoFrames} filltype=${fill} sizetype=fixed sizemax=${1920 * 1080 * 4}`;
  const kinds = [
    {
      kind: "small",
      fill: false,
      label: "64 B",
      unit: "buffers/s",
      n: frames,
      source: `fakesrc num-buffers=${frames} sizetype=fixed sizemax=64`,
      goal: [GRAPH_BENCH_GOALS.oneWorkerHop64B, GRAPH_BENCH_GOALS.fourWorkerHops64B],
    },
    {
      kind: "small",
      fill: false,
      bytes: 3840,
      label: "audio blocks (480 stereo f32, 3840 B)",
      unit: "blocks/s",
      n: frames,
      source: `fakesrc num-buffers=${frames} sizetype=fixed sizemax=3840 filltype=zero`,
      goal: undefined,
    },
    {
      kind: "video",
      fill: true,
      label: "1920x1080 RGBA, zero-filled",
      unit: "frames/s",
      n: videoFrames,
      source: video("zero"),
      goal: [GRAPH_BENCH_GOALS.zeroFilled1080p, GRAPH_BENCH_GOALS.zeroFilled1080p],
    },
    {
      kind: "video",
      fill: false,
      label: "1920x1080 RGBA, untouched",
      unit: "frames/s",
      n: videoFrames,
      source: video("nothing"),
      goal: [GRAPH_BENCH_GOALS.untouched1080p, GRAPH_BENCH_GOALS.untouched1080p],
    },
  ] as const;
  for (const contender of kinds) {
    const { kind, fill, label, unit, n, source, goal } = contender;
    const bytes = "bytes" in contender ? contender.bytes : 64;
    for (const hops of bytes === 64 || kind === "video" ? [1, 4] : [1]) {
      const what = `${hops} Worker hop${hops > 1 ? "s" : ""}, ${label}`;
      // Workers hop_2 .. hop_n run PassThroughs, which may block (wait: "block"); the source's
      // Worker (a loop) waits through its event loop. Untouched and 64-byte 4-hop rows are also
      // measured with event-loop waits everywhere, for the comparison.
      const waits: WorkerWait[] = hops > 1 && !fill && bytes === 64
        ? ["block", "event-loop"]
        : ["block"];
      const contenders = waits.map((wait) => ({
        label: `streamlib ${what}, ${waitLabel(hops, wait)}`,
        run: () => workerHopRate(hops, n, kind, fill, bytes, undefined, wait),
      }));
      const [theirs, ...ours] = await measureTogether(runs, [
        {
          label: `GStreamer ${hops} queue(s), ${label}`,
          run: async () => n / await gst.executionSeconds(queued(source, hops)),
        },
        ...contenders,
      ]);
      for (const [i, wait] of waits.entries()) {
        rows.push({
          name: `${what} (${waitLabel(hops, wait)})`,
          unit,
          ours: ours[i],
          gst: theirs,
          higherIsBetter: true,
          goal: wait === "block" ? goal?.[hops === 1 ? 0 : 1] : undefined,
        });
      }
    }
    if (kind === "video" && fill) rows.push(...fillCeilingRows(runs));
  }

  const live = `videotestsrc is-live=true num-buffers=${latencyFrames} pattern=black ! ` +
    "video/x-raw,format=RGBA,width=1280,height=720,framerate=30/1";
  const [theirs, ours, oursEventLoop] = await latencyTogether(runs, [
    { label: "GStreamer latency", run: () => gst.latenciesNs(queued(live, 3)) },
    { label: "streamlib latency, wait: block", run: () => liveLatenciesNs(latencyFrames) },
    {
      label: "streamlib latency, wait: event-loop",
      run: () => liveLatenciesNs(latencyFrames, "event-loop"),
    },
  ]);
  for (const [wait, measured] of [["block", ours], ["event-loop", oursEventLoop]] as const) {
    for (const q of ["p50", "p99"] as const) {
      rows.push({
        name: `latency 720p30 live, 2 Workers (3 crossings), ${q} (Workers wait: ${wait})`,
        unit: "ms",
        ours: "missing" in measured ? measured : measured[q],
        gst: "missing" in theirs ? theirs : theirs[q],
        higherIsBetter: false,
        goal: q === "p99" && wait === "block" ? GRAPH_BENCH_GOALS.latencyP99Ms : undefined,
      });
    }
  }
  await closeWorkerRuns();
  return rows;
}

type Quantiles = { p50: Measured; p99: Measured };

/** How a row's Workers wait, as its name says it. */
function waitLabel(hops: number, wait: WorkerWait): string {
  return hops === 1 ? "source's Worker waits: event-loop" : `PassThrough Workers wait: ${wait}`;
}

/**
 * The ceilings of the zero-filled rows, measured in the same run: one thread zeroing one
 * cache-warm 1920x1080 RGBA frame over and over with V8's `fill`, as the source's
 * `frame.data.fill(0)` does, the median of `runs` rounds of 2,000 fills; once in a JavaScript
 * `Uint8Array` (the allocator's base pages) and once in a slot of a frame pool made as the Worker
 * rows make theirs (the memory the source writes: huge pages where the OS gives them). A chain
 * whose source writes every byte on one thread cannot pass more frames than the pool's figure.
 *
 * @param runs Rounds.
 * @returns The two rows (no GStreamer counterpart).
 */
function fillCeilingRows(runs: number): Row[] {
  const fillRates = (frame: Uint8Array): Measured => {
    for (let i = 0; i < 100; i++) frame.fill(0);
    const rates: number[] = [];
    for (let round = 0; round < runs; round++) {
      const started = performance.now();
      for (let i = 0; i < 2000; i++) frame.fill(i & 1);
      rates.push(2000 / ((performance.now() - started) / 1000));
    }
    return { value: median(rates), runs: rates };
  };
  const row = (name: string, ours: Measured): Row => ({
    name,
    unit: "frames/s",
    ours,
    gst: { missing: "no counterpart" },
    higherIsBetter: true,
  });
  const bytes = 1920 * 1080 * 4;
  using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 1920, 1080), slotCount: 2 });
  const slot = pool.acquire();
  const inSlot = fillRates(
    pool.bytes(slot).subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + bytes),
  );
  pool.release(slot);
  return [
    row("one thread filling 1920x1080 RGBA in a JS Uint8Array", fillRates(new Uint8Array(bytes))),
    row("one thread filling 1920x1080 RGBA in a pool slot: the rows' ceiling", inSlot),
  ];
}

/**
 * Like `measureTogether` for latency runs: alternating runs after a warm-up; of each run, the
 * p50 and p99 in milliseconds of its frames after the first {@linkcode LATENCY_SKIP}; their
 * medians over runs.
 */
async function latencyTogether(
  runs: number,
  contenders: readonly { label: string; run: () => Promise<number[]> }[],
): Promise<(Quantiles | NotMeasured)[]> {
  const p50s = contenders.map(() => [] as number[]);
  const p99s = contenders.map(() => [] as number[]);
  const failed: (string | undefined)[] = contenders.map(() => undefined);
  for (let round = -1; round < runs; round++) {
    for (const [i, { label, run }] of contenders.entries()) {
      if (failed[i]) continue;
      try {
        const ns = (await run()).slice(LATENCY_SKIP);
        if (round < 0) continue;
        p50s[i].push(quantile(ns, 0.5) / 1e6);
        p99s[i].push(quantile(ns, 0.99) / 1e6);
      } catch (error) {
        console.error(`  ${label}: failed:`, error);
        failed[i] = missingReason(error);
      }
    }
  }
  return contenders.map(({ label }, i) => {
    if (failed[i]) return { missing: failed[i] };
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(", ");
    console.error(`  ${label}: p50 [${ms(p50s[i])}] p99 [${ms(p99s[i])}] ms`);
    return {
      p50: { value: median(p50s[i]), runs: p50s[i] },
      p99: { value: median(p99s[i]), runs: p99s[i] },
    };
  });
}
