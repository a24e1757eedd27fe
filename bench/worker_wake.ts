/**
 * What waking a Deno Worker costs, the two ways a Worker can wait for another thread's
 * `Atomics.notify`, in one run:
 *
 * - `waitAsync`: `Atomics.waitAsync` through the Worker's event loop (what a streamlib Worker's
 *   reader and room waiter do, so the Worker keeps serving its messages and timers);
 * - `wait`: a blocking `Atomics.wait` (the thread does nothing else while it waits).
 *
 * Two figures per way: the CPU time of the whole process per hand-off when two Workers pass a turn
 * back and forth as fast as they can (each hand-off is one wake-up of a sleeping thread), and the
 * latency from the bell to the woken Worker running, for a Worker idle between bells (one bell
 * every 10 ms, as a live stream's frames come).
 *
 * Run: `deno run -A bench/worker_wake.ts [--turns 50000] [--wakes 300] [--rounds 2]`
 *
 * @module
 */

import assert from "node:assert/strict";
import process from "node:process";
import { parseArgs } from "node:util";
import type { WaitMode, WakeJob } from "./worker_wake_worker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    turns: { type: "string", default: "50000" },
    wakes: { type: "string", default: "300" },
    rounds: { type: "string", default: "2" },
  },
});
const TURNS = Number(values.turns);
const WAKES = Number(values.wakes);
const ROUNDS = Number(values.rounds);

function spawn(): Worker {
  return new Worker(new URL("./worker_wake_worker.ts", import.meta.url), { type: "module" });
}

function reply<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data as T);
    worker.onerror = (e) => reject(e.error ?? new Error(e.message));
  });
}

const settle = () => new Promise((r) => setTimeout(r, 200));

/** CPU µs per hand-off and hand-offs per second of two Workers passing a turn. */
async function pingPong(mode: WaitMode): Promise<{ cpuUs: number; perSecond: number }> {
  const sab = new SharedArrayBuffer(16);
  const players = [spawn(), spawn()];
  try {
    const done = players.map((w) => reply<{ done: number }>(w));
    await settle(); // both started, compiled and idle
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    players.forEach((w, me) =>
      w.postMessage({ job: "pingpong", sab, me: me as 0 | 1, turns: TURNS, mode } satisfies WakeJob)
    );
    const results = await Promise.all(done);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    for (const r of results) assert.equal(r.done, TURNS);
    const handOffs = 2 * TURNS;
    return { cpuUs: (cpu.user + cpu.system) / handOffs, perSecond: handOffs / seconds };
  } finally {
    for (const w of players) w.terminate();
  }
}

/** Latencies (µs, sorted) from a bell to an idle Worker running. */
async function idleWakes(mode: WaitMode): Promise<number[]> {
  const sab = new SharedArrayBuffer(16);
  const word = new Int32Array(sab, 0, 2);
  const stamp = new Float64Array(sab, 8, 1);
  const worker = spawn();
  try {
    const done = reply<{ latenciesMs: number[] }>(worker);
    worker.postMessage({ job: "idle", sab, wakes: WAKES, mode } satisfies WakeJob);
    await settle();
    for (let i = 1; i <= WAKES; i++) {
      await new Promise((r) => setTimeout(r, 10));
      stamp[0] = performance.timeOrigin + performance.now();
      Atomics.store(word, 0, i);
      Atomics.notify(word, 0);
    }
    const { latenciesMs } = await done;
    assert.equal(latenciesMs.length, WAKES);
    return latenciesMs.map((ms) => ms * 1000).sort((a, b) => a - b);
  } finally {
    worker.terminate();
  }
}

const at = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))];

console.log(
  `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, ${navigator.hardwareConcurrency} cores`,
);
console.log(
  "\n| round | wait        | CPU per hand-off (µs) | hand-offs/s | idle wake p50 (µs) | p99 (µs) |",
);
console.log(
  "| ----- | ----------- | --------------------: | ----------: | -----------------: | -------: |",
);
for (let round = 1; round <= ROUNDS; round++) {
  for (const mode of ["waitAsync", "wait"] as const) {
    const { cpuUs, perSecond } = await pingPong(mode);
    const wakes = await idleWakes(mode);
    console.log(
      `| ${round}     | ${mode.padEnd(11)} | ${cpuUs.toFixed(1).padStart(21)} | ${
        perSecond.toFixed(0).padStart(11)
      } | ${at(wakes, 0.5).toFixed(0).padStart(18)} | ${at(wakes, 0.99).toFixed(0).padStart(8)} |`,
    );
  }
}
