/**
 * How long the thread that serves sessions stalls while a runner's pool refills, with the session
 * isolates started on that thread (a `PipelineRunner` in a script) and started by the main isolate
 * for a serving Worker (`streamlib serve`, decision 0075), in one run, one table.
 *
 * Each side: a runner with a pool of 2; `--rounds` times, a session is opened and closed (its
 * pooled isolate's replacement starts), then 500 ms pass (the replacement preloads). A 1 ms
 * interval on the serving thread records how late each tick came: what every open session's
 * frames would wait. `new Worker()` blocks its caller until the isolate exists (17-21 ms here).
 *
 * Run: `deno run -A bench/serving_thread_stall.ts [--rounds 12] [--runs 3]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { hostSessionIsolates } from "../sessions/_isolate.ts";
import { tickLags } from "./serving_thread_stall_probe.ts";

const args = parseArgs({
  options: { rounds: { type: "string", default: "12" }, runs: { type: "string", default: "3" } },
});
const ROUNDS = Number(args.values.rounds);
const RUNS = Number(args.values.runs);

async function onThisThread(): Promise<number[]> {
  return await tickLags(ROUNDS);
}

async function inAServingWorker(): Promise<number[]> {
  const { port1, port2 } = new MessageChannel();
  const close = hostSessionIsolates(port1);
  const worker = new Worker(new URL("./serving_thread_stall_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    worker.postMessage({ port: port2, rounds: ROUNDS }, [port2]);
    return await new Promise<number[]>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
    });
  } finally {
    await close();
    worker.terminate();
  }
}

function row(name: string, lags: number[]): string {
  const sorted = [...lags].sort((a, b) => a - b);
  const over = (ms: number) => sorted.filter((lag) => lag > ms).length;
  const p99 = sorted[Math.floor(sorted.length * 0.99)];
  return `| ${name} | ${sorted.length} | ${over(5)} | ${over(10)} | ${over(15)} | ${
    p99.toFixed(1)
  } | ${sorted[sorted.length - 1].toFixed(1)} |`;
}

const rows: string[] = [];
for (let run = 1; run <= RUNS; run++) {
  rows.push(row(`run ${run}: isolates started on the serving thread`, await onThisThread()));
  rows.push(row(`run ${run}: started by the main isolate (serve)`, await inAServingWorker()));
}
console.log(
  `${ROUNDS} pool refills a run; load average at the end: ${
    Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ")
  }`,
);
console.log("| serving thread | 1 ms ticks | late > 5 ms | > 10 ms | > 15 ms | p99 ms | max ms |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const line of rows) console.log(line);
