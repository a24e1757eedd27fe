/**
 * Pipeline sessions against pipecat, both served over WebSocket, one table: the same job on both
 * sides, 20 ms blocks of 16 kHz mono audio in, a gain, the blocks back out.
 *
 * - **streamlib**: `streamlib serve` (a process of its own, a pool of pre-started isolates) with a
 *   pipeline `ChannelConverter (to stereo) → Gain → ChannelConverter (to mono)` (the built-in
 *   `Gain` takes stereo), reached with the package's client (`sessions/client`).
 * - **pipecat**: `bench/peers/pipecat_gain_server.py` (a process of its own): FastAPI + pipecat's
 *   `FastAPIWebsocketTransport` with its `ProtobufFrameSerializer`, one pipeline per connection
 *   (input transport → gain → output transport), 16-bit PCM.
 *
 * Both are driven by this process, over the same WebSocket client (`sessions/client`'s, with
 * `TCP_NODELAY`): every session sends one block every 20 ms (real time) and
 * matches its outputs to what it sent in order; a round trip is from a block's send to its
 * output's arrival. Measures, per side: round trip p50/p99 with 10 sessions; the most concurrent
 * sessions whose p99 stays under 20 ms and none is lost (1, 2, 4, 8, ... up to `--max`, then
 * bisecting between the last count that held and the first that failed); the server process's CPU
 * time (all its threads, from `/proc/PID/stat`) per block while 10 sessions stream; set-up time (connect
 * to the first output of one block) p50/p99; resident memory per idle session (the server
 * process's RSS with 20 idle sessions open, less its RSS with none, over 20).
 *
 * Needs pipecat: `python3 -m pip install "pipecat-ai[websocket]" fastapi uvicorn` (in a venv:
 * `--python /path/to/venv/bin/python`).
 *
 * Run: `deno run -A bench/session_pipecat_bench.ts [--python python3] [--seconds 5] [--max 128]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect } from "../sessions/client/mod.ts";
import { openWebSocket } from "../sessions/client/_tcp_websocket.ts";
import { decodePipecatAudio, encodePipecatAudio } from "./peers/pipecat_wire.ts";
import { GAIN_SESSION_MANIFEST } from "./session_gain_manifest.ts";
import { firstLine, startServe } from "./first_line.ts";

const args = parseArgs({
  options: {
    python: { type: "string", default: "python3" },
    seconds: { type: "string", default: "5" },
    max: { type: "string", default: "128" },
    setups: { type: "string", default: "20" },
  },
});
const SECONDS = Number(args.values.seconds);
const MAX = Number(args.values.max);
const SETUPS = Number(args.values.setups);
const RATE = 16_000;
const BLOCK = 320; // 20 ms
const GOAL_MS = 20;

/** One side's session: send a block, get outputs in order. */
interface BenchSession {
  send(samples: Float32Array): Promise<void>;
  /** Resolves with each output's arrival time, in order, until the session closes. */
  onOutput(callback: () => void): void;
  close(): Promise<void>;
}

interface Side {
  name: string;
  open(): Promise<BenchSession>;
  pid: number;
  stop(): Promise<void>;
}

/** The CPU time of a process, all its threads, in ms (clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function rss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const line = status.split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

async function startStreamlib(): Promise<Side> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_pipecat_bench_" });
  await Deno.writeTextFile(
    `${dir}/gain.json`,
    JSON.stringify(GAIN_SESSION_MANIFEST),
  );
  const { child, sessionsUrl } = await startServe(dir, 2, Math.max(MAX, 20) + 8);
  return {
    name: "streamlib",
    pid: child.pid,
    async open() {
      const session = await connect(sessionsUrl).open("gain");
      return {
        async send(samples) {
          await session.send("audio", { kind: "audio", channels: 1, sampleRate: RATE, samples });
        },
        onOutput(callback) {
          (async () => {
            try {
              for await (const _ of session.outputs()) callback();
            } catch { /* ended */ }
          })();
        },
        async close() {
          await session.close();
        },
      };
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function startPipecat(): Promise<Side> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(args.values.python!, {
    args: [
      new URL("./peers/pipecat_gain_server.py", import.meta.url).pathname,
      "--port",
      String(port),
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  await firstLine(child.stdout);
  return {
    name: "pipecat",
    pid: child.pid,
    async open() {
      // The same WebSocket client as the streamlib side (TCP_NODELAY; see sessions/client).
      const socket = openWebSocket(`ws://127.0.0.1:${port}/ws`);
      socket.binaryType = "arraybuffer";
      await new Promise<void>((resolve, reject) => {
        socket.onopen = () => resolve();
        socket.onerror = (e) => reject(new Error(`pipecat refused: ${(e as ErrorEvent).message}`));
      });
      let callback: () => void = () => {};
      socket.onmessage = (event) => {
        if (event.data instanceof ArrayBuffer && decodePipecatAudio(new Uint8Array(event.data))) {
          callback();
        }
      };
      const pcm = new Int16Array(BLOCK);
      return {
        send(samples) {
          for (let i = 0; i < BLOCK; i++) pcm[i] = Math.round(samples[i] * 32767);
          socket.send(encodePipecatAudio(pcm, RATE));
          return Promise.resolve();
        },
        onOutput(cb) {
          callback = cb;
        },
        close() {
          socket.close();
          return Promise.resolve();
        },
      };
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/**
 * `n` sessions, each sending a block every 20 ms for SECONDS: every round trip in ms, and the
 * server's CPU time per block while they stream (their set-up left out).
 */
async function realTime(
  side: Side,
  n: number,
): Promise<{ times: number[]; lost: number; cpuPerBlockUs: number }> {
  const sessions = await Promise.all(Array.from({ length: n }, () => side.open()));
  const cpuBefore = await cpuMs(side.pid);
  const frames = Math.round(SECONDS * 1000 / 20);
  const times: number[] = [];
  let lost = 0;
  await Promise.all(sessions.map(async (session, k) => {
    const sent: number[] = [];
    let got = 0;
    session.onOutput(() => {
      const t = sent[got++];
      if (t !== undefined) times.push(performance.now() - t);
    });
    const samples = new Float32Array(BLOCK).fill(0.25);
    const start = performance.now() + (k * 20) / n; // spread the sessions over one period
    for (let i = 0; i < frames; i++) {
      const due = start + i * 20;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sent.push(performance.now());
      await session.send(samples);
    }
    const deadline = performance.now() + 2_000;
    while (got < frames && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    lost += frames - got;
  }));
  const cpuPerBlockUs = (1000 * (await cpuMs(side.pid) - cpuBefore)) / (n * frames);
  await Promise.all(sessions.map((s) => s.close()));
  await new Promise((r) => setTimeout(r, 500));
  return { times, lost, cpuPerBlockUs };
}

async function setups(side: Side): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < SETUPS; i++) {
    await new Promise((r) => setTimeout(r, 300)); // a pool refills in the background
    const t = performance.now();
    const session = await side.open();
    const first = new Promise<void>((resolve) => session.onOutput(resolve));
    await session.send(new Float32Array(BLOCK));
    await first;
    times.push(performance.now() - t);
    await session.close();
  }
  return times;
}

async function idleMemory(side: Side): Promise<number> {
  await new Promise((r) => setTimeout(r, 1_000));
  const before = await rss(side.pid);
  const sessions = [];
  for (let i = 0; i < 20; i++) {
    const session = await side.open();
    session.onOutput(() => {});
    sessions.push(session);
  }
  await new Promise((r) => setTimeout(r, 2_000));
  const after = await rss(side.pid);
  await Promise.all(sessions.map((s) => s.close()));
  await new Promise((r) => setTimeout(r, 1_000));
  return (after - before) / 20;
}

interface Result {
  rt10: number[];
  lost10: number;
  /** Server CPU µs per block with 10 sessions. */
  cpu10: number;
  capacity: number;
  setup: number[];
  idleBytes: number;
}

async function measure(start: () => Promise<Side>): Promise<Result> {
  const side = await start();
  try {
    console.error(`${side.name}: set-up`);
    const setup = await setups(side);
    console.error(`${side.name}: idle memory`);
    const idleBytes = await idleMemory(side);
    console.error(`${side.name}: 10 sessions in real time`);
    const ten = await realTime(side, 10);
    const holds = async (n: number) => {
      const { times, lost, cpuPerBlockUs } = await realTime(side, n);
      const p99 = percentile(times, 0.99);
      console.error(
        `${side.name}: ${n} sessions: p99 ${p99.toFixed(2)} ms, ${lost} lost, ` +
          `${cpuPerBlockUs.toFixed(0)} µs CPU per block`,
      );
      return p99 < GOAL_MS && lost === 0;
    };
    // Doubling finds the first count that fails; bisecting between it and the last that held
    // finds the capacity to one session, on both sides alike (powers of two alone would make a
    // ratio of 4.0x out of 16 against 4, and 2.0x out of 16 against 8, whatever lies between).
    let capacity = 0;
    let failed = 0;
    for (let n = 1; n <= MAX; n *= 2) {
      if (!(await holds(n))) {
        failed = n;
        break;
      }
      capacity = n;
    }
    while (failed > 0 && failed - capacity > 1) {
      const n = Math.floor((capacity + failed) / 2);
      if (await holds(n)) capacity = n;
      else failed = n;
    }
    return {
      rt10: ten.times,
      lost10: ten.lost,
      cpu10: ten.cpuPerBlockUs,
      capacity,
      setup,
      idleBytes,
    };
  } finally {
    await side.stop();
  }
}

const ours = await measure(startStreamlib);
const theirs = await measure(startPipecat);

const ms = (v: number) => v.toFixed(2);
const rows: [string, string, string, string][] = [
  [
    `concurrent real-time sessions, p99 < ${GOAL_MS} ms (tried up to ${MAX})`,
    String(ours.capacity),
    String(theirs.capacity),
    theirs.capacity === 0
      ? "≥ 4x: not measured (pipecat ran no session in real time: the machine is too busy)"
      : `≥ 4x: ${ours.capacity >= 4 * theirs.capacity ? "met" : "not met"} (${
        (ours.capacity / theirs.capacity).toFixed(1)
      }x)`,
  ],
  [
    "round trip p50 ms, 10 sessions",
    ms(percentile(ours.rt10, 0.5)),
    ms(percentile(theirs.rt10, 0.5)),
    `≤ 0.5x: ${
      percentile(ours.rt10, 0.5) <= 0.5 * percentile(theirs.rt10, 0.5) ? "met" : "not met"
    } (${(percentile(ours.rt10, 0.5) / percentile(theirs.rt10, 0.5)).toFixed(2)}x)`,
  ],
  [
    "round trip p99 ms, 10 sessions",
    ms(percentile(ours.rt10, 0.99)),
    ms(percentile(theirs.rt10, 0.99)),
    `≤ 0.5x: ${
      percentile(ours.rt10, 0.99) <= 0.5 * percentile(theirs.rt10, 0.99) ? "met" : "not met"
    } (${(percentile(ours.rt10, 0.99) / percentile(theirs.rt10, 0.99)).toFixed(2)}x)`,
  ],
  ["blocks lost, 10 sessions", String(ours.lost10), String(theirs.lost10), ""],
  [
    "server CPU µs per block, 10 sessions (all threads)",
    ours.cpu10.toFixed(0),
    theirs.cpu10.toFixed(0),
    "",
  ],
  [
    "set-up p50 ms (connect to first output)",
    ms(percentile(ours.setup, 0.5)),
    ms(percentile(theirs.setup, 0.5)),
    `< 50 ms: ${percentile(ours.setup, 0.5) < 50 ? "met" : "not met"}`,
  ],
  [
    "set-up p99 ms",
    ms(percentile(ours.setup, 0.99)),
    ms(percentile(theirs.setup, 0.99)),
    "",
  ],
  [
    "RSS per idle session MB",
    (ours.idleBytes / 2 ** 20).toFixed(1),
    (theirs.idleBytes / 2 ** 20).toFixed(1),
    `< 20 MB: ${ours.idleBytes < 20 * 2 ** 20 ? "met" : "not met"}`,
  ],
];
console.log(
  `load average at the end: ${
    Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ")
  }`,
);
console.log("| measure | streamlib | pipecat | goal |");
console.log("| --- | ---: | ---: | --- |");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
