/**
 * Where the time of a frame through Worker hops goes: the graph of `bench/graph_bench.ts`'s Worker
 * rows (`BurstSource` in Worker `hop_1`, a `PassThrough` in each further Worker, a `CountingSink`
 * in the main isolate), run alone, reporting frames/s and the CPU time the whole process spent per
 * frame (every isolate and native thread together, from `process.cpuUsage()`), per run.
 *
 * With `--perf`, the runs go under `perf record` with V8's perf map (`--perf-basic-prof`), and the
 * hottest symbols (JavaScript functions, Deno's FFI and V8 builtins, the native library) are
 * printed with their share of samples, so one can tell encode, decode, ring, refcount and wake-up
 * costs apart.
 *
 * Run: `deno run -A bench/worker_hops_probe.ts [--hops 4] [--kind small|video] [--fill]
 * [--frames 300000] [--runs 3] [--perf] [--top 40]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { closeWorkerRuns, workerHopRate } from "./graph_bench_worker_runs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    hops: { type: "string", default: "4" },
    kind: { type: "string", default: "small" },
    fill: { type: "boolean", default: false },
    frames: { type: "string" },
    runs: { type: "string", default: "3" },
    perf: { type: "boolean", default: false },
    top: { type: "string", default: "40" },
  },
});
const hops = Number(values.hops);
const kind = values.kind === "video" ? "video" : "small";
const frames = Number(values.frames ?? (kind === "video" ? 2000 : 300_000));
const runs = Number(values.runs);

if (values.perf) {
  await underPerf();
} else {
  console.log(
    `${hops} Worker hop(s), ${kind}${values.fill ? ", zero-filled" : ""}, ${frames} frames`,
  );
  for (let run = -1; run < runs; run++) {
    const before = process.cpuUsage();
    const t0 = performance.now();
    const rate = await workerHopRate(hops, frames, kind, values.fill);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(before);
    const cpuUs = cpu.user + cpu.system;
    console.log(
      `${run < 0 ? "warm-up" : `run ${run + 1}`}: ${rate.toPrecision(4)} frames/s, ` +
        `CPU ${(cpuUs / frames).toFixed(2)} µs/frame (${
          (cpuUs / frames / (hops + 1)).toFixed(2)
        } ` +
        `per isolate), ${(cpuUs / 1000 / wallMs).toFixed(2)} cores busy`,
    );
  }
  await closeWorkerRuns();
}

/** Runs this probe again under `perf record` and prints the hottest symbols. */
async function underPerf(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "worker_hops_probe_" });
  try {
    const data = `${dir}/perf.data`;
    const args = Deno.args.filter((a) => a !== "--perf");
    const record = await new Deno.Command("perf", {
      args: [
        "record",
        "-F",
        "2000",
        "-g",
        "-o",
        data,
        "--",
        Deno.execPath(),
        "run",
        "-A",
        "--v8-flags=--perf-basic-prof,--interpreted-frames-native-stack",
        new URL(import.meta.url).pathname,
        ...args,
      ],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!record.success) throw new Error("perf record failed (is perf installed and allowed?)");
    const report = await new Deno.Command("perf", {
      args: ["report", "-i", data, "--no-children", "--sort", "symbol", "--stdio", "-g", "none"],
      stdout: "piped",
      stderr: "null",
    }).output();
    // One line per symbol and isolate (each isolate has its own perf map): add them up by name.
    const shares = new Map<string, number>();
    for (const line of new TextDecoder().decode(report.stdout).split("\n")) {
      const match = /^\s+(\d+\.\d+)%\s+(\[.\])\s+(.*?)\s+-\s+-\s*$/.exec(line);
      if (!match) continue;
      const name = `${match[2]} ${match[3].replace(/^JS:\*?'?/, "JS ")}`;
      shares.set(name, (shares.get(name) ?? 0) + Number(match[1]));
    }
    const kernel = [...shares].filter(([name]) => name.startsWith("[k]"))
      .reduce((sum, [, share]) => sum + share, 0);
    const sorted = [...shares].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
    console.log(`hottest ${sorted.length} symbols (self time, all threads and isolates added up):`);
    for (const [name, share] of sorted) console.log(`${share.toFixed(2).padStart(6)}%  ${name}`);
    console.log(`kernel, every symbol: ${kernel.toFixed(2)}%`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
