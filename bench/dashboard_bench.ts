/**
 * What the dashboard costs the pipeline, and how fast its event stream is.
 *
 * 1. Throughput with 0, 1 and 20 connected clients (each watching every preview), for two
 *    pipelines in the main isolate: the demo at its real-time rates, and a saturated video chain
 *    (1280x720 test pattern asking for 240 fps, scaled to 640x360) whose frame rate is bound by
 *    the CPU, so any main-thread time the dashboard takes shows up as lost frames. Clients run in
 *    a separate process, as browsers would.
 * 2. Event-stream latency: from a runtime change (`rt.add()` of a node) to the `node-added`
 *    event arriving at a WebSocket client, with 0 and 20 other clients connected.
 *
 * On a machine with `taskset` and at least 2 cores, the client process is pinned to the last
 * core, so the figures show what the dashboard's server side costs the pipeline more than how 20
 * clients' JavaScript competes for the same cores (`--no-pin` leaves it unpinned). Client counts
 * are interleaved within each run (0, 1, 20, 0, 1, 20, ...), so a change in the machine's load
 * touches every column alike; the load average is printed with the table.
 *
 * Run: `deno run -A bench/dashboard_bench.ts [--runs 3] [--seconds 4] [--no-pin]`. Prints one
 * table per part; the figures in `docs/performance.md` come from it.
 *
 * @module
 */

import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { addDemoPipeline } from "../examples/demo_pipeline.ts";
import type { Runtime } from "../mod.ts";
import { createRuntime } from "../processors/mod.ts";
import { createDashboard, type Dashboard, type SnapshotMessage } from "../web/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "3" },
    seconds: { type: "string", default: "4" },
    samples: { type: "string", default: "200" },
    clients: { type: "string" },
    url: { type: "string" },
    "no-pin": { type: "boolean", default: false },
  },
});

if (values.clients !== undefined) {
  await runClients(Number(values.clients), values.url!);
  Deno.exit(0);
}

const PIN = !values["no-pin"] && navigator.hardwareConcurrency >= 2 && await hasTaskset();

async function hasTaskset(): Promise<boolean> {
  try {
    return (await new Deno.Command("taskset", { args: ["-V"], stdout: "null" }).output()).success;
  } catch {
    return false;
  }
}

const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const SAMPLES = Number(values.samples);
const CLIENT_COUNTS = [0, 1, 20];

// -- Clients (a separate process) ------------------------------------------------------------

/** Opens `n` stream clients that watch every preview; prints `ready` when all have a snapshot. */
async function runClients(n: number, url: string): Promise<void> {
  let bytes = 0;
  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    const got = Promise.withResolvers<void>();
    ready.push(got.promise);
    socket.onmessage = (e) => {
      bytes += typeof e.data === "string" ? e.data.length : (e.data as ArrayBuffer).byteLength;
      if (typeof e.data !== "string") return;
      const message = JSON.parse(e.data);
      if (message.type !== "snapshot") return;
      const snapshot = message as SnapshotMessage;
      const outputs = snapshot.graph.nodes.flatMap((node) =>
        node.outputs.filter((p) => /^(VideoFrame|AudioFrame)/.test(p.portType))
          .map((p) => `${node.id}.${p.name}`)
      );
      socket.send(JSON.stringify({ type: "watch", outputs }));
      got.resolve();
    };
  }
  await Promise.all(ready);
  console.log("ready");
  setInterval(() => console.log(`bytes ${bytes}`), 1000);
  await new Promise(() => {}); // until killed
}

async function spawnClients(n: number, dashboard: Dashboard): Promise<Deno.ChildProcess | null> {
  if (n === 0) return null;
  const url = `${dashboard.origin.replace("http", "ws")}/api/v1/stream?token=${dashboard.token}`;
  const deno = [Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname];
  const command = [
    ...(PIN ? ["taskset", "-c", String(navigator.hardwareConcurrency - 1)] : []),
    ...deno,
    "--clients",
    String(n),
    "--url",
    url,
  ];
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("client process ended before it was ready");
    text += value;
  }
  void (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  await new Promise((r) => setTimeout(r, 500)); // taps set up, previews flowing
  return child;
}

async function stopClients(child: Deno.ChildProcess | null): Promise<void> {
  if (!child) return;
  child.kill("SIGTERM");
  await child.status;
}

// -- Pipelines -------------------------------------------------------------------------------

interface Pipeline {
  readonly name: string;
  readonly build: (rt: Runtime) => void;
  /** Sinks whose frames/s are the throughput. */
  readonly sinks: readonly string[];
}

const PIPELINES: Pipeline[] = [
  { name: "demo (real time)", build: addDemoPipeline, sinks: ["video_out", "audio_out"] },
  {
    name: "saturated video",
    build: (rt) => {
      rt.add("TestPattern", { width: 1280, height: 720, fps: 240 }, { id: "pattern" });
      rt.add("VideoScale", { width: 640, height: 360 }, { id: "scale" });
      rt.add("NullSink", {}, { id: "video_out" });
      rt.connectByName("pattern", "video", "scale", "in");
      rt.connectByName("scale", "out", "video_out", "in");
    },
    sinks: ["video_out"],
  },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Frames per second at each sink, and this process's CPU time (all threads) in ms per second. */
interface Measure {
  fps: number[];
  cpu: number;
}

async function throughput(pipeline: Pipeline, clients: number): Promise<Measure> {
  const rt = createRuntime();
  pipeline.build(rt);
  await rt.start();
  const dashboard = await createDashboard(rt);
  const child = await spawnClients(clients, dashboard);
  await sleep(1000); // warm-up
  const count = () => pipeline.sinks.map((id) => rt.stats().nodes[id].framesIn);
  const before = count();
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const after = count();
  const cpu = cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  await stopClients(child);
  await dashboard.close();
  await rt.stop();
  return {
    fps: after.map((n, i) => (n - before[i]) / seconds),
    cpu: (cpu.user + cpu.system) / 1000 / seconds,
  };
}

// -- Latency ---------------------------------------------------------------------------------

async function latency(clients: number): Promise<{ p50: number; p99: number; max: number }> {
  const rt = createRuntime();
  addDemoPipeline(rt);
  await rt.start();
  const dashboard = await createDashboard(rt);
  const child = await spawnClients(clients, dashboard);
  const socket = new WebSocket(
    `${dashboard.origin.replace("http", "ws")}/api/v1/stream?token=${dashboard.token}`,
  );
  const waiting = new Map<string, (t: number) => void>();
  const opened = Promise.withResolvers<void>();
  socket.onmessage = (e) => {
    if (typeof e.data !== "string") return;
    const message = JSON.parse(e.data);
    if (message.type === "snapshot") opened.resolve();
    if (message.type !== "events") return;
    const now = performance.now();
    for (const { event } of message.events) {
      if (event.type === "node-added") waiting.get(event.node)?.(now);
    }
  };
  await opened.promise;
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const id = `probe_${i}`;
    const arrived = new Promise<number>((resolve) => waiting.set(id, resolve));
    const t0 = performance.now();
    rt.add("NullSink", {}, { id });
    samples.push((await arrived) - t0);
    rt.remove(id);
    await sleep(10 + Math.random() * 15);
  }
  socket.close();
  await stopClients(child);
  await dashboard.close();
  await rt.stop();
  samples.sort((a, b) => a - b);
  return {
    p50: samples[Math.floor(samples.length * 0.5)],
    p99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))],
    max: samples.at(-1)!,
  };
}

// -- Report ----------------------------------------------------------------------------------

console.log(`Load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(", ")}`);
console.log(
  `Dashboard bench: ${RUNS} runs of ${SECONDS} s per cell (median), Deno ${Deno.version.deno}, ${
    PIN ? "clients pinned to the last core" : "unpinned"
  }\n`,
);
console.log(
  "| pipeline | sink | clients | frames/s (median) | min-max | vs 0 clients | process CPU ms/s (median) |",
);
console.log(
  "| -------- | ---- | ------- | ----------------- | ------- | ------------ | ------------------------- |",
);
for (const pipeline of PIPELINES) {
  const runs = new Map<number, Measure[]>(CLIENT_COUNTS.map((n) => [n, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const clients of CLIENT_COUNTS) {
      runs.get(clients)!.push(await throughput(pipeline, clients));
    }
  }
  pipeline.sinks.forEach((sink, i) => {
    const baseline = median(runs.get(0)!.map((run) => run.fps[i]));
    for (const clients of CLIENT_COUNTS) {
      const fps = runs.get(clients)!.map((run) => run.fps[i]);
      const cpu = median(runs.get(clients)!.map((run) => run.cpu));
      const m = median(fps);
      const change = clients === 0 ? "-" : `${((m / baseline - 1) * 100).toFixed(1)}%`;
      const range = `${Math.min(...fps).toFixed(1)}-${Math.max(...fps).toFixed(1)}`;
      console.log(
        `| ${pipeline.name} | ${sink} | ${clients} | ${m.toFixed(1)} | ${range} | ${change} | ${
          cpu.toFixed(0)
        } |`,
      );
    }
  });
}
console.log(`\nLoad average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(", ")}`);
console.log(`\nEvent latency, rt.add() to the node-added event at a client (${SAMPLES} samples)\n`);
console.log("| other clients | p50 | p99 | max |");
console.log("| ------------- | --- | --- | --- |");
for (const clients of [0, 20]) {
  const { p50, p99, max } = await latency(clients);
  console.log(
    `| ${clients} | ${p50.toFixed(2)} ms | ${p99.toFixed(2)} ms | ${max.toFixed(2)} ms |`,
  );
}
