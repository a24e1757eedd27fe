/**
 * Pipeline sessions: session set-up time and per-frame round trip through a gain, one table.
 *
 * 1. set-up: `runner.stream(manifest)` (a Worker started, the manifest loaded, the graph running)
 *    until the first output frame of one sent frame is read, p50 and p99 over `--setups` sessions
 *    opened one after another, without a pool and with a pool of one pre-started isolate (given
 *    300 ms to refill between sessions);
 * 2. round trip: 20 ms blocks of 16 kHz mono audio (320 samples) sent and read back one at a time
 *    (send, then wait for its output frame) through a `Gain`, p50 and p99 per frame, with 1 and
 *    with `--sessions` sessions running at once.
 *
 * No peer is measured here (the pipecat comparison needs its WebSocket transport, which is
 * not built yet). Progress goes to stderr, the table to stdout.
 *
 * Run: `deno run -A bench/session_bench.ts [--setups 20] [--frames 500] [--sessions 10]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { PipelineRunner, type Session } from "../sessions/mod.ts";

const args = parseArgs({
  options: {
    setups: { type: "string", default: "20" },
    frames: { type: "string", default: "500" },
    sessions: { type: "string", default: "10" },
  },
});
const SETUPS = Number(args.values.setups);
const FRAMES = Number(args.values.frames);
const SESSIONS = Number(args.values.sessions);

const manifest = {
  version: 1,
  nodes: [{ id: "fx", type: "Gain", config: { gain: 0.5 } }],
  inputs: { audio: "fx.in" },
  outputs: { audio: "fx.out" },
};
const monoGain = {
  version: 1,
  nodes: [{ id: "conv", type: "ChannelConverter" }, { id: "fx", type: "Gain" }],
  connections: [{ from: "conv.stereo", to: "fx.in" }],
  inputs: { audio: "conv.in" },
  outputs: { audio: "fx.out" },
};
const block = () =>
  ({ kind: "audio", channels: 1, sampleRate: 16_000, samples: new Float32Array(320) }) as const;
const stereo = () =>
  ({ kind: "audio", channels: 2, sampleRate: 16_000, samples: new Float32Array(640) }) as const;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function roundTrips(session: Session, frames: number, mono: boolean): Promise<number[]> {
  const times: number[] = [];
  const outputs = session.outputs()[Symbol.asyncIterator]();
  for (let i = 0; i < frames; i++) {
    const t = performance.now();
    await session.send("audio", mono ? block() : stereo());
    await outputs.next();
    times.push(performance.now() - t);
  }
  return times;
}

const runner = new PipelineRunner({ maxSessions: SESSIONS + 1 });

console.error(`set-up: ${SETUPS} sessions, one after another`);
const setups: number[] = [];
for (let i = 0; i < SETUPS; i++) {
  const t = performance.now();
  const session = await runner.stream(manifest);
  await roundTrips(session, 1, false);
  setups.push(performance.now() - t);
  await session.close();
}

const pooledRunner = new PipelineRunner({ maxSessions: 2, pool: 1 });
console.error(`set-up from a pool of 1 started isolate: ${SETUPS} sessions, one after another`);
const pooledSetups: number[] = [];
for (let i = 0; i < SETUPS; i++) {
  await new Promise((r) => setTimeout(r, 300)); // the pool refills in the background
  const t = performance.now();
  const session = await pooledRunner.stream(manifest);
  await roundTrips(session, 1, false);
  pooledSetups.push(performance.now() - t);
  await session.close();
}
await pooledRunner.close();

const rows: [string, number[]][] = [
  ["session set-up (stream() to first output), no pool", setups],
  ["session set-up (stream() to first output), pool of 1", pooledSetups],
];
for (
  const [label, m, mono] of [["Gain", manifest, false], [
    "ChannelConverter → Gain",
    monoGain,
    true,
  ]] as const
) {
  for (const n of [1, SESSIONS]) {
    console.error(`round trip through ${label}: ${n} session(s), ${FRAMES} frames each`);
    const sessions = await Promise.all(Array.from({ length: n }, () => runner.stream(m)));
    const all = (await Promise.all(sessions.map((s) => roundTrips(s, FRAMES, mono)))).flat();
    await Promise.all(sessions.map((s) => s.close()));
    rows.push([`round trip per frame, ${label}, ${n} session(s)`, all]);
  }
}

console.log("| measure | p50 ms | p99 ms | samples |");
console.log("| --- | --- | --- | --- |");
for (const [label, values] of rows) {
  console.log(
    `| ${label} | ${percentile(values, 0.5).toFixed(2)} | ${
      percentile(values, 0.99).toFixed(2)
    } | ${values.length} |`,
  );
}
await runner.close();
