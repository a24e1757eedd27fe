/**
 * What a pooled session's set-up costs, and what starting its replacement costs the thread that
 * serves it. One table, alternating rounds:
 *
 * - how long starting an isolate blocks the calling thread: a session isolate as `PipelineRunner`
 *   starts it (a web `Worker` of `sessions/_session_worker.ts`, `sessions/_isolate.ts`), the same
 *   module in a `node:worker_threads` Worker (what it started before decision 0065), and a web
 *   `Worker` of one line, each ended after a second;
 * - `PipelineRunner.stream()` (pool 2, the manifest as its warm-up) to the first output of one
 *   20 ms block, with the replacement isolate started at once (`poolRefillDelayMs: 0`, inside
 *   the open) and after a delay of 250 ms, sessions `--gap` ms apart,
 *   and the longest the main thread stalled meanwhile (a 1 ms interval's lateness): what every
 *   other open session's frames would wait.
 *
 * Run: `deno run -A bench/session_setup_bench.ts [--rounds 3] [--sessions 10] [--gap 700]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Worker as NodeWorker } from "node:worker_threads";
import { PipelineRunner } from "../sessions/mod.ts";
import { SessionIsolate } from "../sessions/_isolate.ts";
import { GAIN_SESSION_MANIFEST } from "./session_gain_manifest.ts";
import { quantile } from "./graph_bench_table.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "3" },
    sessions: { type: "string", default: "10" },
    gap: { type: "string", default: "700" },
  },
});
const ROUNDS = Number(values.rounds);
const SESSIONS = Number(values.sessions);
const GAP_MS = Number(values.gap);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds `make()` blocked this thread, over `n` Workers started a second apart. */
async function blocked(n: number, make: () => { terminate(): unknown }): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const worker = make();
    times.push(performance.now() - started);
    await sleep(1_000);
    await worker.terminate();
  }
  return times;
}

const SESSION_WORKER = new URL("../sessions/_session_worker.ts", import.meta.url);
const ONE_LINE = URL.createObjectURL(
  new Blob(["self.onmessage = () => {};"], { type: "text/javascript" }),
);

/**
 * Set-up times (ms, `stream()` to the first output) of `SESSIONS` sessions `GAP_MS` apart, and
 * the main thread's longest stall over them.
 */
async function setups(poolRefillDelayMs: number): Promise<{ times: number[]; stall: number }> {
  const runner = new PipelineRunner({
    pool: 2,
    warmup: [GAIN_SESSION_MANIFEST],
    poolRefillDelayMs,
  });
  await sleep(3_000); // the pool's warm-up
  const times: number[] = [];
  let stall = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last - 1);
    last = now;
  }, 1);
  try {
    for (let i = 0; i < SESSIONS; i++) {
      await sleep(GAP_MS);
      const started = performance.now();
      const session = await runner.stream(GAIN_SESSION_MANIFEST, { pipeline: "gain" });
      const first = session.outputs()[Symbol.asyncIterator]().next();
      await session.send("audio", {
        kind: "audio",
        channels: 1,
        sampleRate: 16_000,
        samples: new Float32Array(320),
      });
      await first;
      times.push(performance.now() - started);
      await session.close();
    }
  } finally {
    clearInterval(ticker);
    await runner.close();
  }
  return { times, stall };
}

const figures = {
  sessionIsolate: [] as number[],
  nodeWorker: [] as number[],
  webWorker: [] as number[],
  atOnce: [] as number[],
  delayed: [] as number[],
  atOnceStall: [] as number[],
  delayedStall: [] as number[],
};
for (let round = 0; round < ROUNDS; round++) {
  console.error(`session_setup_bench: round ${round + 1} of ${ROUNDS}`);
  figures.sessionIsolate.push(...await blocked(3, () => new SessionIsolate()));
  figures.nodeWorker.push(...await blocked(3, () => new NodeWorker(SESSION_WORKER)));
  figures.webWorker.push(...await blocked(3, () => new Worker(ONE_LINE, { type: "module" })));
  const runs = [
    [0, figures.atOnce, figures.atOnceStall],
    [250, figures.delayed, figures.delayedStall],
  ] as const;
  for (const [delay, times, stalls] of runs) {
    const measured = await setups(delay);
    times.push(...measured.times);
    stalls.push(measured.stall);
  }
}

const row = (name: string, times: number[]) =>
  `| ${name.padEnd(72)} | ${quantile(times, 0.5).toFixed(1).padStart(6)} | ${
    quantile(times, 0.99).toFixed(1).padStart(6)
  } | ${String(times.length).padStart(3)} |`;
const rows: [string, number[]][] = [
  ["session isolate start blocks its caller: web Worker (PipelineRunner)", figures.sessionIsolate],
  ["`new Worker()` blocks its caller: node:worker_threads, same module", figures.nodeWorker],
  ["`new Worker()` blocks its caller: web Worker, one line", figures.webWorker],
  ["pooled set-up to first output, replacement at once (delay 0)", figures.atOnce],
  ["pooled set-up to first output, replacement after 250 ms", figures.delayed],
  ["main thread's longest stall per round, replacement at once", figures.atOnceStall],
  ["main thread's longest stall per round, replacement after 250 ms", figures.delayedStall],
];
console.log(`| ${"measure (ms)".padEnd(72)} |    p50 |    p99 |   n |`);
console.log(`| ${"-".repeat(72)} | -----: | -----: | --: |`);
for (const [name, times] of rows) console.log(row(name, times));
console.log(
  `set-up goal < 50 ms (issue 33), the default (replacement at once): ${
    quantile(figures.atOnce, 0.5) < 50 ? "met" : "not met"
  } (p50 ${quantile(figures.atOnce, 0.5).toFixed(1)} ms)`,
);
