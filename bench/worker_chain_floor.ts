/**
 * A reference for issue 13's Worker rows: the same chains as `bench/graph_bench.ts`'s Worker rows
 * (a source in Worker `hop_1`, a pass-through in each further Worker, the sink in the main
 * isolate; and a live 30 fps source in the main isolate through Workers `a` and `b` back to the
 * main isolate), with every hop a bare {@linkcode FloorLink}: a ring of numbers with streamlib's
 * doorbell protocol and nothing else (no scheduler, no frames, no native calls). It shows what the
 * wake-ups alone cost, row by row, beside our graph and GStreamer. It is not a strict floor (a
 * graph can batch differently: ours beats it through one hop), but where this bare loop is itself
 * behind a goal, the goal is about how Workers wake, not about the graph's work per frame.
 *
 * Each bare chain runs twice: with Workers waiting through their event loop (`Atomics.waitAsync`,
 * what a streamlib Worker does, so it keeps serving its timers, I/O and messages) and blocking
 * their thread (`Atomics.wait`, which a Worker with nothing else to do could). The sink, in the
 * main isolate, always waits through the event loop. Our graph (`graph_bench`'s Worker rows, at the
 * same capacity) and GStreamer's pipeline of each row run in the same loop, alternating. The rows:
 * untouched 1080p through 4 hops at capacity 4 (GStreamer's default queues, as in `graph_bench`) and
 * at capacity 8 (GStreamer's queues 8 buffers deep, the same depth), 64-byte frames through 4 hops,
 * untouched 1080p through 1 hop, and the 720p30 latency through two Workers. Then the ceiling of
 * the zero-filled rows. Progress goes to stderr, the tables to stdout.
 *
 * Run: `deno run -A bench/worker_chain_floor.ts [--runs 3] [--count 100000]
 * [--video-frames 20000] [--latency-frames 300]` (about 6 minutes)
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { type FloorJob, FloorLink, type FloorWait } from "./worker_chain_floor_worker.ts";
import { ensureGstreamer } from "./ensure_gstreamer.ts";
import { gstExecutionSeconds, gstLatenciesNs, gstVersion } from "./gstreamer.ts";
import { median, quantile } from "./graph_bench_table.ts";
import { closeWorkerRuns, liveLatenciesNs, workerHopRate } from "./graph_bench_worker_runs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "3" },
    count: { type: "string", default: "100000" },
    "video-frames": { type: "string", default: "20000" },
    "latency-frames": { type: "string", default: "300" },
  },
});
const RUNS = Number(values.runs);
const COUNT = Number(values.count);
const VIDEO_FRAMES = Number(values["video-frames"]);
const LATENCY_FRAMES = Number(values["latency-frames"]);
/** Frames left out at the start of each latency run, as in `graph_bench`. */
const LATENCY_SKIP = 30;
const MODES: readonly FloorWait[] = ["waitAsync", "wait"];

function spawn(): Worker {
  return new Worker(new URL("./worker_chain_floor_worker.ts", import.meta.url), {
    type: "module",
  });
}

function done(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (e) => reject(e.error ?? new Error(e.message));
  });
}

/** Reads `count` numbers from `link` in the main isolate, checking their order. */
async function sink(
  link: FloorLink,
  count: number,
  onValue: (value: number, i: number) => void,
): Promise<void> {
  for (let i = 0; i < count;) {
    const value = link.pop();
    if (value === undefined) {
      await link.untilData("waitAsync");
      continue;
    }
    onValue(value, i++);
  }
}

/** Workers kept up across runs, as `graph_bench` keeps its Workers warm. */
const pools = new Map<string, Worker[]>();
function workers(key: string, n: number): Worker[] {
  let ws = pools.get(key);
  if (!ws) {
    ws = Array.from({ length: n }, spawn);
    pools.set(key, ws);
  }
  return ws;
}

/**
 * Numbers per second through `hops` Worker hops, and the process's CPU µs per number.
 */
async function chainRate(
  hops: number,
  capacity: number,
  mode: FloorWait,
): Promise<{ rate: number; cpuUs: number }> {
  const links = Array.from({ length: hops }, () => FloorLink.create(capacity));
  const ws = workers(`${hops}/${mode}`, hops);
  const finished = ws.map(done);
  let first = 0;
  let last = 0;
  const cpu0 = process.cpuUsage();
  ws.forEach((w, k) => {
    const job: FloorJob = k === 0
      ? { role: "source", output: links[0].buffer, count: COUNT, mode }
      : { role: "pass", input: links[k - 1].buffer, output: links[k].buffer, count: COUNT, mode };
    w.postMessage(job);
  });
  await sink(links[hops - 1], COUNT, (value, i) => {
    if (value !== i) throw new Error(`Number ${i} arrived as ${value}`);
    if (i === 0) first = performance.now();
    last = performance.now();
  });
  await Promise.all(finished);
  const cpu = process.cpuUsage(cpu0);
  return {
    rate: (COUNT - 1) / ((last - first) / 1000),
    cpuUs: (cpu.user + cpu.system) / COUNT,
  };
}

/** Latencies (ns) of a 30 fps source in the main isolate through Workers `a` and `b` and back. */
async function chainLatenciesNs(mode: FloorWait): Promise<number[]> {
  const links = [0, 1, 2].map(() => FloorLink.create(4));
  const ws = workers(`latency/${mode}`, 2);
  const finished = ws.map(done);
  ws.forEach((w, k) =>
    w.postMessage(
      {
        role: "pass",
        input: links[k].buffer,
        output: links[k + 1].buffer,
        count: LATENCY_FRAMES,
        mode,
      } satisfies FloorJob,
    )
  );
  const latencies: number[] = [];
  const received = sink(links[2], LATENCY_FRAMES, (stamp) => {
    latencies.push((performance.now() - stamp) * 1e6);
  });
  const start = performance.now();
  for (let i = 0; i < LATENCY_FRAMES; i++) {
    const due = start + (i * 1000) / 30;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    if (!links[0].push(performance.now())) throw new Error("The first link was full at 30 fps");
  }
  await received;
  await Promise.all(finished);
  return latencies;
}

const hopsOf = (n: number, depth?: number) =>
  Array(n).fill(
    depth === undefined
      ? "queue"
      : `queue max-size-buffers=${depth} max-size-bytes=0 max-size-time=0`,
  ).join(" ! identity ! ");
const live = `videotestsrc is-live=true num-buffers=${LATENCY_FRAMES} pattern=black ! ` +
  `video/x-raw,format=RGBA,width=1280,height=720,framerate=30/1 ! ${hopsOf(3)} ! fakesink`;

await ensureGstreamer(["fakesrc", "identity", "queue", "videotestsrc"]);
console.error(
  `worker_chain_floor: ${RUNS} alternating runs after a warm-up; ${await gstVersion()}`,
);

/** A throughput row: the chain's shape, our graph's run of it, GStreamer's pipeline of it. */
interface Line {
  what: string;
  hops: number;
  capacity: number;
  ours: () => Promise<number>;
  gst: string;
  /** Buffers in GStreamer's run. */
  buffers: number;
}
const video = (hops: number, capacity: number, depth?: number): Line => ({
  what: `${hops} hop${hops > 1 ? "s" : ""}, capacity ${capacity}: untouched 1080p (GStreamer: ${
    depth === undefined ? "default queues" : `queues of ${depth} buffers`
  })`,
  hops,
  capacity,
  ours: () => workerHopRate(hops, VIDEO_FRAMES, "video", false, 64, capacity),
  gst: `fakesrc num-buffers=${VIDEO_FRAMES} filltype=nothing sizetype=fixed sizemax=${
    1920 * 1080 * 4
  } ! ${hopsOf(hops, depth)} ! fakesink`,
  buffers: VIDEO_FRAMES,
});
const lines: Line[] = [
  video(4, 4),
  video(4, 8, 8),
  {
    what: "4 hops, capacity 256: 64 B (GStreamer: default queues)",
    hops: 4,
    capacity: 256,
    ours: () => workerHopRate(4, COUNT, "small"),
    gst: `fakesrc num-buffers=${COUNT} sizetype=fixed sizemax=64 ! ${hopsOf(4)} ! fakesink`,
    buffers: COUNT,
  },
  video(1, 4),
];

/** Appends `x` to the figures of `key`. */
function add<K>(map: Map<K, number[]>, key: K, x: number): void {
  const xs = map.get(key);
  if (xs) xs.push(x);
  else map.set(key, [x]);
}

const table: string[] = [];
for (const line of lines) {
  const figures = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (let round = -1; round < RUNS; round++) {
    const gst = line.buffers / await gstExecutionSeconds(line.gst);
    const ours = await line.ours();
    if (round >= 0) {
      add(figures, "gst", gst);
      add(figures, "ours", ours);
    }
    for (const mode of MODES) {
      const { rate, cpuUs } = await chainRate(line.hops, line.capacity, mode);
      if (round < 0) continue;
      add(figures, mode, rate);
      add(cpu, mode, cpuUs);
    }
  }
  const fmt = (key: string) => Math.round(median(figures.get(key)!)).toLocaleString("en");
  const withCpu = (mode: FloorWait) => `${fmt(mode)} (${median(cpu.get(mode)!).toFixed(1)} µs CPU)`;
  for (const [k, xs] of figures) console.error(`  ${line.what} ${k}: ${xs.map(Math.round)}`);
  table.push(
    `| ${line.what}, per s | ${fmt("ours")} | ${withCpu("waitAsync")} | ${withCpu("wait")} | ${
      fmt("gst")
    } |`,
  );
}

const p50s = new Map<string, number[]>();
const p99s = new Map<string, number[]>();
for (let round = -1; round < RUNS; round++) {
  const runs: [string, () => Promise<number[]>][] = [
    ["gst", () => gstLatenciesNs(live)],
    ["ours", () => liveLatenciesNs(LATENCY_FRAMES)],
    ...MODES.map((m) => [m, () => chainLatenciesNs(m)] as [string, () => Promise<number[]>]),
  ];
  for (const [key, run] of runs) {
    const ns = (await run()).slice(LATENCY_SKIP);
    if (round < 0) continue;
    add(p50s, key, quantile(ns, 0.5) / 1e6);
    add(p99s, key, quantile(ns, 0.99) / 1e6);
  }
}
await closeWorkerRuns();
for (const [q, map] of [["p50", p50s], ["p99", p99s]] as const) {
  const ms = (k: string) =>
    `${median(map.get(k)!).toFixed(3)} [${map.get(k)!.map((x) => x.toFixed(3)).join(", ")}]`;
  table.push(
    `| latency, 30 frames a second, 3 crossings, ${q} (ms) | ${ms("ours")} | ${ms("waitAsync")} | ${
      ms("wait")
    } | ${ms("gst")} |`,
  );
}

// The zero-filled rows: a source that writes every byte of each frame on one thread (as
// `fakesrc filltype=zero` does) cannot go faster than one thread zeroing one cache-warm frame
// over and over.
const FILLS = 2000;
const frame = new Uint8Array(1920 * 1080 * 4);
const fills: number[] = [];
const zeroed = new Map<number, number[]>();
for (let round = -1; round < RUNS; round++) {
  for (const hops of [1, 4]) {
    const rate = FILLS / await gstExecutionSeconds(
      `fakesrc num-buffers=${FILLS} filltype=zero sizetype=fixed sizemax=${frame.length} ! ` +
        `${hopsOf(hops)} ! fakesink`,
    );
    if (round >= 0) add(zeroed, hops, rate);
  }
  for (let i = 0; i < 100; i++) frame.fill(0);
  const t0 = performance.now();
  for (let i = 0; i < FILLS; i++) frame.fill(0);
  if (round >= 0) fills.push(FILLS / ((performance.now() - t0) / 1000));
}

for (const ws of pools.values()) for (const w of ws) w.terminate();
console.log(
  `\nworker_chain_floor, medians of ${RUNS}, Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores\n`,
);
console.log(
  "| chain | our graph | bare chain, Workers wait through their event loop | bare chain, Workers block | GStreamer |",
);
console.log(
  "| ----- | --------: | ------------------------------------------------: | ------------------------: | --------: |",
);
for (const line of table) console.log(line);

const rate = (xs: number[]) =>
  `${Math.round(median(xs)).toLocaleString("en")} [${xs.map(Math.round).join(", ")}]`;
console.log("\n| zero-filled 1920x1080 RGBA | frames/s |");
console.log("| -------------------------- | -------: |");
console.log(
  `| one thread zeroing one frame over and over (V8 \`fill\`): the ceiling | ${rate(fills)} |`,
);
for (const hops of [1, 4]) {
  const xs = zeroed.get(hops)!;
  console.log(`| GStreamer, ${hops} queue${hops > 1 ? "s" : ""} | ${rate(xs)} |`);
  console.log(
    `| 1.5x GStreamer, ${hops} queue${hops > 1 ? "s" : ""} (issue 13's goal) | ${
      Math.round(1.5 * median(xs)).toLocaleString("en")
    } |`,
  );
}
