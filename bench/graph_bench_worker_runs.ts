/**
 * The streamlib side of the Worker rows of `bench/graph_bench.ts`: graphs whose nodes run in
 * Workers (`WorkerBackend`), each run with a backend of its own that is closed afterwards.
 *
 * @module
 */

import { Runtime, type WorkerWait } from "../mod.ts";
import {
  FramePool,
  slotBytesFor,
  videoSlotBytes,
  WorkerBackend,
  type WorkerHost,
} from "../ffi/mod.ts";
import { builtinRegistry } from "../processors/mod.ts";
import { arrivalRate, runToSink } from "./graph_bench_runs.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";

/** Pool sizes per row kind: small slots for 64-byte frames, 1080p RGBA ones for video. */
const POOLS = {
  small: { slotBytes: slotBytesFor(3840), slotCount: 4096 },
  video: { slotBytes: videoSlotBytes("RGBA", 1920, 1080), slotCount: 64 },
  live: { slotBytes: videoSlotBytes("RGBA", 1280, 720), slotCount: 48 },
} as const;

/**
 * Connection capacity per row kind (`fifo`). Small frames: the source writes bursts of this size
 * per run. Video: one frame per run, as `fakesrc` pushes one buffer per loop, so (as in GStreamer)
 * the frames in flight are the few the hops hold, not a burst of 8 MB frames written ahead.
 */
const CAPACITY = { small: 256, video: 4 } as const;

interface Rig {
  readonly pool: FramePool;
  readonly backend: WorkerBackend;
  readonly rt: Runtime;
}

const rigs = new Map<keyof typeof POOLS, Rig>();

/**
 * Runs `run` on the runtime of one pool size, made on first use with a `WorkerBackend` over a
 * pool of its own, then removes every node (closing their channel ends, which releases their
 * slots). Runs of one size share the backend, so their Workers (`hop_1`, ..., `a`, `b`) stay up
 * and warm between runs, as in a long-running pipeline (a Worker never closes its handle of the
 * pool, so a fresh backend per run would keep a pool per run).
 */
async function withWorkers<T>(
  size: keyof typeof POOLS,
  run: (rt: Runtime) => Promise<T>,
): Promise<T> {
  let rig = rigs.get(size);
  if (!rig) {
    const pool = FramePool.create(POOLS[size]);
    const backend = new WorkerBackend({ pool });
    const rt = new Runtime({ registry: builtinRegistry.with(benchRegistry), isolates: backend });
    rig = { pool, backend, rt };
    rigs.set(size, rig);
  }
  const { rt } = rig;
  try {
    return await run(rt);
  } finally {
    for (const node of rt.describe().nodes) rt.remove(node.id);
    await rt.settled();
  }
}

/**
 * How each Worker of the runs so far has waited (`WorkerHost.waits`, as of its latest snapshot),
 * by isolate name.
 *
 * @returns The counts.
 */
export function workerWaits(): Record<string, WorkerHost["waits"]> {
  const waits: Record<string, WorkerHost["waits"]> = {};
  for (const { backend } of rigs.values()) {
    for (const host of backend.hosts) waits[host.isolate] = host.waits;
  }
  return waits;
}

/** Ends the Workers of every runtime made by the runs above and closes their pools. */
export async function closeWorkerRuns(): Promise<void> {
  for (const { backend, pool } of rigs.values()) {
    await backend.close();
    pool.close();
  }
  rigs.clear();
}

/**
 * Frames through `hops` Worker hops: `BurstSource` in Worker `hop_1`, a `PassThrough` in each
 * of Workers `hop_2` .. `hop_<hops>`, and a `CountingSink` in the main isolate, so every
 * connection crosses an isolate (GStreamer's equivalent has a `queue`, a thread, per hop).
 * Checks that every frame arrives, in order.
 *
 * @param hops Isolate crossings, 1 or more.
 * @param frames Frames to send.
 * @param kind `"small"`: 64-byte mono audio frames (made in a pool slot, passed by slot);
 * `"video"`: 1920x1080 RGBA frames from the pool (passed by slot, not copied).
 * @param fill For video: zero each frame's pixels in the source, as `fakesrc filltype=zero`.
 * @param bytes For small frames: their size.
 * @param capacity Each connection's capacity (default: the row kind's, {@linkcode CAPACITY}).
 * @param wait How the `PassThrough` Workers wait (`BurstSource`, a loop, always waits through
 * its event loop): `"block"` by default.
 * @returns Frames per second at the sink.
 */
export function workerHopRate(
  hops: number,
  frames: number,
  kind: "small" | "video",
  fill = false,
  bytes = 64,
  capacity: number = CAPACITY[kind],
  wait: WorkerWait = "block",
): Promise<number> {
  return withWorkers(kind, async (rt) => {
    const options = { capacity, policy: "fifo" } as const;
    rt.add(
      "BurstSource",
      {
        frames,
        kind: kind === "small" ? "audio" : "video",
        bytes,
        burst: kind === "video" ? 1 : capacity,
        fill,
      },
      { id: "source", placement: { worker: "hop_1" } },
    );
    let from = "source";
    for (let i = 2; i <= hops; i++) {
      const placement = { worker: `hop_${i}`, wait };
      rt.add("PassThrough", {}, { id: `pass_${i}`, placement });
      rt.connectByName(from, "out", `pass_${i}`, "in", options);
      from = `pass_${i}`;
    }
    rt.add("CountingSink", { expect: frames }, { id: "sink" });
    rt.connectByName(from, "out", "sink", "in", options);
    return arrivalRate(await runToSink(rt, "sink", `${hops} Worker hops`), frames);
  });
}

/**
 * A live 1280x720 RGBA 30 fps pipeline through two Workers: `LiveSource` (main) → `PassThrough`
 * (Worker `a`) → `PassThrough` (Worker `b`) → `CountingSink` (main), three ring crossings, `fifo`
 * capacity 4. Source and sink share the main isolate's clock, so each latency is one clock's
 * difference.
 *
 * @param frames Frames to time (at 30 fps, `frames / 30` seconds).
 * @param wait How Workers `a` and `b` wait: `"block"` by default.
 * @returns Each frame's latency in nanoseconds, from being written by the source to being read
 * by the sink. A frame the source could not write (a stall filled a `fifo`) is missing, and the
 * gap is reported on stderr.
 */
export function liveLatenciesNs(frames: number, wait: WorkerWait = "block"): Promise<number[]> {
  return withWorkers("live", async (rt) => {
    const options = { capacity: 4, policy: "fifo" } as const;
    rt.add("LiveSource", { width: 1280, height: 720, fps: 30 }, { id: "camera" });
    rt.add("PassThrough", {}, { id: "pass_a", placement: { worker: "a", wait } });
    rt.add("PassThrough", {}, { id: "pass_b", placement: { worker: "b", wait } });
    rt.add("CountingSink", { expect: frames, latency: true }, { id: "sink" });
    rt.connectByName("camera", "video", "pass_a", "in", options);
    rt.connectByName("pass_a", "out", "pass_b", "in", options);
    rt.connectByName("pass_b", "out", "sink", "in", options);
    const report = await runToSink(rt, "sink", "live pipeline", { allowGaps: true });
    if (report.outOfOrder > 0) {
      console.error(`  live pipeline: ${report.outOfOrder} gaps (frames refused by a full fifo)`);
    }
    return [...report.latenciesNs];
  });
}
