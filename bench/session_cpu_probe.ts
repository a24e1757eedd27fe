/**
 * Where a session block's CPU goes on the server: starts `streamlib serve` with the gain pipeline
 * of `bench/session_pipecat_bench.ts` (a pool of `--pool` isolates), opens `--sessions` sessions,
 * lets them settle for `--settle` seconds (the pool's replacements start meanwhile), then streams
 * a 20 ms block of 16 kHz mono audio per session every 20 ms for `--seconds`, and prints, per
 * thread name of the server process, its CPU time and voluntary context switches per block (from
 * `/proc/PID/task/TID/stat` and `status`, in clock ticks of 10 ms), with the round trip p50/p99.
 * `deno` is the serving thread, `worker-N` the session isolates, `V8 DefaultWorke` V8's own
 * (compilation, GC), `tokio-runtime-w` Deno's I/O threads.
 *
 * Run: `deno run -A bench/session_cpu_probe.ts [--sessions 10] [--seconds 10] [--settle 3]
 * [--pool 2]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect } from "../sessions/client/mod.ts";
import { GAIN_SESSION_MANIFEST } from "./session_gain_manifest.ts";
import { startServe } from "./first_line.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sessions: { type: "string", default: "10" },
    seconds: { type: "string", default: "10" },
    settle: { type: "string", default: "3" },
    pool: { type: "string", default: "2" },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const SETTLE = Number(values.settle);
const POOL = Number(values.pool);
if (
  [SESSIONS, SECONDS].some((n) => !Number.isInteger(n) || n < 1) ||
  [SETTLE, POOL].some((n) => !Number.isInteger(n) || n < 0)
) {
  throw new RangeError(
    `Cannot run session_cpu_probe: expected --sessions and --seconds positive integers, --settle ` +
      `and --pool integers from 0; got ${JSON.stringify(values)}`,
  );
}
const BLOCK = 320;
const BLOCKS = SECONDS * 50;

/** Per thread: name, CPU ms, voluntary context switches. */
type Threads = Map<string, { name: string; cpuMs: number; switches: number }>;

async function threads(pid: number): Promise<Threads> {
  const out: Threads = new Map();
  for await (const entry of Deno.readDir(`/proc/${pid}/task`)) {
    try {
      const stat = await Deno.readTextFile(`/proc/${pid}/task/${entry.name}/stat`);
      const status = await Deno.readTextFile(`/proc/${pid}/task/${entry.name}/status`);
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const switches = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      out.set(entry.name, {
        name,
        cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
        switches,
      });
    } catch { /* the thread ended */ }
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const dir = await Deno.makeTempDir({ prefix: "session_cpu_probe_" });
await Deno.writeTextFile(`${dir}/gain.json`, JSON.stringify(GAIN_SESSION_MANIFEST));
const { child, sessionsUrl } = await startServe(dir, POOL, SESSIONS + 8);
try {
  const client = connect(sessionsUrl);
  const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => client.open("gain")));
  await new Promise((resolve) => setTimeout(resolve, SETTLE * 1000));
  const before = await threads(child.pid);
  const times: number[] = [];
  await Promise.all(sessions.map(async (session, k) => {
    const sent: number[] = [];
    let got = 0;
    const reading = (async () => {
      for await (const _ of session.outputs()) {
        times.push(performance.now() - sent[got++]);
        if (got === BLOCKS) break;
      }
    })();
    const samples = new Float32Array(BLOCK).fill(0.25);
    const start = performance.now() + (k * 20) / SESSIONS; // spread over one period
    for (let i = 0; i < BLOCKS; i++) {
      const wait = start + i * 20 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sent.push(performance.now());
      await session.send("audio", { kind: "audio", channels: 1, sampleRate: 16_000, samples });
    }
    await reading;
  }));
  const after = await threads(child.pid);
  const blocks = SESSIONS * BLOCKS;
  const byName = new Map<string, { cpuMs: number; switches: number }>();
  let total = 0;
  for (const [tid, now] of after) {
    const then = before.get(tid) ?? { cpuMs: 0, switches: 0 };
    const sum = byName.get(now.name) ?? { cpuMs: 0, switches: 0 };
    sum.cpuMs += now.cpuMs - then.cpuMs;
    sum.switches += now.switches - then.switches;
    byName.set(now.name, sum);
    total += now.cpuMs - then.cpuMs;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${SESSIONS} sessions, ${blocks} blocks: ${(total * 1000 / blocks).toFixed(0)} µs of server ` +
      `CPU a block; round trip p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${
        percentile(times, 0.99).toFixed(2)
      } ms`,
  );
  console.log("| thread | CPU µs per block (all blocks) | voluntary switches per block |");
  console.log("| --- | ---: | ---: |");
  for (const [name, { cpuMs, switches }] of [...byName].sort((a, b) => b[1].cpuMs - a[1].cpuMs)) {
    if (cpuMs === 0 && switches === 0) continue;
    console.log(
      `| ${name} | ${(cpuMs * 1000 / blocks).toFixed(0)} | ${(switches / blocks).toFixed(2)} |`,
    );
  }
  await Promise.all(sessions.map((session) => session.close()));
} finally {
  child.kill("SIGTERM");
  await child.status;
  await Deno.remove(dir, { recursive: true });
}
