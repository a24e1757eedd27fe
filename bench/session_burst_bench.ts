/**
 * A burst of sessions: `--sessions` opened at once over `streamlib serve`, then streamed at once,
 * for each pool size in `--pools`. What it shows is the start of the stream: the round trips of
 * the first 2 s against those after, and how many took over 10 ms in each. When the opens
 * take pooled isolates, the pool starts their replacements one at a time, each once the previous
 * one has preloaded. Each replacement blocks the serving thread (about 21 ms here) and then takes
 * a core for its preload while the sessions stream.
 *
 * The pipeline is `bench/session_gain_manifest.ts`'s: 20 ms blocks of 16 kHz mono audio through a
 * gain, with one block every 20 ms per session. The client is the package's (`sessions/client`),
 * running in this process.
 *
 * Run: `deno run -A bench/session_burst_bench.ts [--sessions 10] [--pools 2,12] [--seconds 6]
 * [--runs 2]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect } from "../sessions/client/mod.ts";
import { GAIN_SESSION_MANIFEST } from "./session_gain_manifest.ts";
import { startServe } from "./first_line.ts";
import { quantile } from "./graph_bench_table.ts";

const args = parseArgs({
  options: {
    sessions: { type: "string", default: "10" },
    pools: { type: "string", default: "2,12" },
    seconds: { type: "string", default: "6" },
    runs: { type: "string", default: "2" },
  },
});
const SESSIONS = Number(args.values.sessions);
const POOLS = args.values.pools.split(",").map(Number);
const SECONDS = Number(args.values.seconds);
const RUNS = Number(args.values.runs);
/** The start of the stream, in ms. */
const START_MS = 2_000;

interface Run {
  pool: number;
  firstP99: number;
  restP99: number;
  p50: number;
  slowFirst: number;
  slowRest: number;
  blocks: number;
}

async function burst(pool: number): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_burst_bench_" });
  await Deno.writeTextFile(`${dir}/gain.json`, JSON.stringify(GAIN_SESSION_MANIFEST));
  const { child, sessionsUrl } = await startServe(dir, pool, SESSIONS + 8);
  try {
    await new Promise((r) => setTimeout(r, 3_000 + 300 * pool)); // the pool's preloads
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, () => connect(sessionsUrl).open("gain")),
    );
    const times: [number, number][] = []; // [sent, round trip]
    const began = performance.now();
    const frames = Math.round((SECONDS * 1000) / 20);
    const samples = new Float32Array(320).fill(0.25);
    await Promise.all(sessions.map(async (session, k) => {
      const sent: number[] = [];
      let got = 0;
      const reading = (async () => {
        for await (const _ of session.outputs()) {
          const at = sent[got++];
          times.push([at - began, performance.now() - at]);
          if (got === frames) return;
        }
      })();
      const start = performance.now() + (k * 20) / SESSIONS;
      for (let i = 0; i < frames; i++) {
        const wait = start + i * 20 - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sent.push(performance.now());
        await session.send("audio", { kind: "audio", channels: 1, sampleRate: 16_000, samples });
      }
      await reading;
    }));
    await Promise.all(sessions.map((s) => s.close()));
    const first = times.filter(([at]) => at < START_MS).map(([, rt]) => rt);
    const rest = times.filter(([at]) => at >= START_MS).map(([, rt]) => rt);
    return {
      pool,
      firstP99: quantile(first, 0.99),
      restP99: quantile(rest, 0.99),
      p50: quantile(times.map(([, rt]) => rt), 0.5),
      slowFirst: first.filter((rt) => rt > 10).length,
      slowRest: rest.filter((rt) => rt > 10).length,
      blocks: times.length,
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const runs: Run[] = [];
for (let run = 0; run < RUNS; run++) {
  for (const pool of POOLS) {
    console.error(`pool ${pool}, run ${run + 1}`);
    runs.push(await burst(pool));
  }
}
console.log(
  `\n${SESSIONS} sessions opened at once, then streamed (${SECONDS} s); load average at the end: ${
    (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ")
  }`,
);
console.log(
  "| pool | p99 ms, first 2 s | p99 ms, after | p50 ms | round trips > 10 ms, first 2 s | > 10 ms, after | blocks |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of runs) {
  console.log(
    `| ${r.pool} | ${r.firstP99.toFixed(1)} | ${r.restP99.toFixed(1)} | ${
      r.p50.toFixed(2)
    } | ${r.slowFirst} | ${r.slowRest} | ${r.blocks} |`,
  );
}
