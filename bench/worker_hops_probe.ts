/**
 * Where the time of a frame through Worker hops goes: the graph of `bench/graph_bench.ts`'s Worker
 * rows (`BurstSource` in Worker `hop_1`, a `PassThrough` in each further Worker, a `CountingSink`
 * in the main isolate), run alone, reporting frames/s, the CPU time the whole process spent per
 * frame (every isolate and native thread together, from `process.cpuUsage()`) and the context
 * switches per frame (every thread's, from `/proc/self/task/<tid>/status`), per run.
 *
 * With `--gst`, GStreamer's pipeline of the same row (`fakesrc ! queue ! identity ! ... !
 * fakesink`, one `queue` per hop) runs after ours under `/usr/bin/time`, and the same figures
 * are printed for it: CPU and context switches of a run of `--frames` buffers minus those of a run
 * of a tenth as many, per buffer of the difference, so process start, plugin loading and preroll
 * drop out.
 *
 * With `--perf`, the runs go under `perf record` with V8's perf map (`--perf-basic-prof`), and the
 * hottest symbols (JavaScript functions, Deno's FFI and V8 builtins, the native library) are
 * printed with their share of samples, so one can tell encode, decode, ring, refcount and wake-up
 * costs apart.
 *
 * `--wait event-loop` runs the `PassThrough` Workers with event-loop waits (default `block`, as the
 * graph bench's goal rows).
 *
 * `--threads` prints, after each run, the CPU time per frame of each busy thread of the process
 * (user and system, from `/proc/self/task/<tid>/stat`, in clock ticks): `deno` is the main isolate,
 * `worker-N` the Workers in the order they started (`hop_1` first), `V8 DefaultWorke` V8's own (GC,
 * compilation).
 *
 * Run: `deno run -A bench/worker_hops_probe.ts [--hops 4] [--kind small|video] [--fill]
 * [--frames 300000] [--runs 3] [--wait block|event-loop] [--gst] [--perf] [--top 40] [--threads]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { closeWorkerRuns, workerHopRate, workerWaits } from "./graph_bench_worker_runs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    hops: { type: "string", default: "4" },
    kind: { type: "string", default: "small" },
    fill: { type: "boolean", default: false },
    frames: { type: "string" },
    runs: { type: "string", default: "3" },
    perf: { type: "boolean", default: false },
    gst: { type: "boolean", default: false },
    top: { type: "string", default: "40" },
    wait: { type: "string", default: "block" },
    threads: { type: "boolean", default: false },
  },
});
const wait = values.wait === "event-loop" ? "event-loop" : "block";
const hops = Number(values.hops);
const kind = values.kind === "video" ? "video" : "small";
const frames = Number(values.frames ?? (kind === "video" ? 2000 : 300_000));
const runs = Number(values.runs);

if (values.perf) {
  await underPerf();
} else {
  console.log(
    `${hops} Worker hop(s), ${kind}${
      values.fill ? ", zero-filled" : ""
    }, ${frames} frames, PassThrough Workers wait: ${wait}`,
  );
  for (let run = -1; run < runs; run++) {
    const threadsBefore = values.threads ? threadTimes() : undefined;
    const switchesBefore = contextSwitches();
    const before = process.cpuUsage();
    const t0 = performance.now();
    const rate = await workerHopRate(hops, frames, kind, values.fill, 64, undefined, wait);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(before);
    const cpuUs = cpu.user + cpu.system;
    console.log(
      `${run < 0 ? "warm-up" : `run ${run + 1}`}: ${rate.toPrecision(4)} frames/s, ` +
        `CPU ${(cpuUs / frames).toFixed(2)} µs/frame (${
          (cpuUs / frames / (hops + 1)).toFixed(2)
        } ` +
        `per isolate), ${(cpuUs / 1000 / wallMs).toFixed(2)} cores busy, ` +
        `${((contextSwitches() - switchesBefore) / frames).toFixed(3)} context switches/frame`,
    );
    if (threadsBefore) console.log(`  ${threadShares(threadsBefore, threadTimes(), frames)}`);
  }
  // How the Workers waited over every run (blocking loop passes; see WorkerHost.waits).
  for (const [isolate, w] of Object.entries(workerWaits())) {
    console.log(
      `${isolate}: ${w.blocked} blocks (${w.ranOut} 1 ms bounds ran out), ${w.eventLoop} event-loop passes`,
    );
  }
  await closeWorkerRuns();
  if (values.gst) await gstreamer();
}

/** Each thread's name and user and system CPU ticks so far, by thread id, this process. */
function threadTimes(): Map<string, { name: string; user: number; system: number }> {
  const times = new Map<string, { name: string; user: number; system: number }>();
  for (const task of Deno.readDirSync("/proc/self/task")) {
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/self/task/${task.name}/stat`);
    } catch {
      continue; // the thread ended meanwhile
    }
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" "); // fields 3.. of proc(5)
    const name = stat.slice(stat.indexOf("(") + 1, close);
    times.set(task.name, { name, user: Number(fields[11]), system: Number(fields[12]) });
  }
  return times;
}

/** The busiest threads of a run: user and system µs per frame each (100 ticks a second). */
function threadShares(
  before: ReturnType<typeof threadTimes>,
  after: ReturnType<typeof threadTimes>,
  frames: number,
): string {
  const usPerTick = 10_000 / frames;
  return [...after].map(([tid, t]) => {
    const b = before.get(tid);
    return { name: t.name, user: t.user - (b?.user ?? 0), system: t.system - (b?.system ?? 0) };
  }).filter((t) => t.user + t.system > 0)
    .sort((a, b) => b.user + b.system - a.user - a.system)
    .slice(0, 8)
    .map((t) =>
      `${t.name} ${(t.user * usPerTick).toFixed(1)}+${(t.system * usPerTick).toFixed(1)} µs`
    ).join(", ");
}

/** Every thread's context switches so far (voluntary and not), this process. */
function contextSwitches(): number {
  let n = 0;
  for (const task of Deno.readDirSync("/proc/self/task")) {
    let status: string;
    try {
      status = Deno.readTextFileSync(`/proc/self/task/${task.name}/status`);
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) {
      n += Number(m[1]);
    }
  }
  return n;
}

/** GStreamer's pipeline of the same row, `--runs` times: the same figures per buffer. */
async function gstreamer(): Promise<void> {
  const source = kind === "video"
    ? `fakesrc filltype=${values.fill ? "zero" : "nothing"} sizetype=fixed sizemax=${
      1920 * 1080 * 4
    }`
    : "fakesrc sizetype=fixed sizemax=64";
  const queues = Array(hops).fill("queue").join(" ! identity ! ");
  const pipeline = (n: number) => `${source} num-buffers=${n} ! ${queues} ! fakesink`;
  console.log(`GStreamer: ${pipeline(frames)}`);
  for (let run = 0; run < runs; run++) {
    const full = await timed(pipeline(frames));
    const tenth = await timed(pipeline(Math.round(frames / 10)));
    const n = frames - Math.round(frames / 10);
    console.log(
      `run ${run + 1}: ${(frames / full.seconds).toPrecision(4)} buffers/s, CPU ${
        ((full.cpuS - tenth.cpuS) * 1e6 / n).toFixed(2)
      } µs/buffer, ${((full.switches - tenth.switches) / n).toFixed(3)} context switches/buffer`,
    );
  }
}

/** Runs gst-launch under `/usr/bin/time`: its execution time, CPU seconds and context switches. */
async function timed(
  pipeline: string,
): Promise<{ seconds: number; cpuS: number; switches: number }> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "TIME %U %S %w %c", "gst-launch-1.0", ...pipeline.split(/\s+/)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  const time = /TIME (\S+) (\S+) (\d+) (\d+)/.exec(stderr);
  const ended = /Execution ended after (\d+):(\d+):(\d+\.\d+)/.exec(stdout);
  if (!out.success || time === null || ended === null || !stdout.includes("Got EOS")) {
    throw new Error(
      `/usr/bin/time gst-launch-1.0 ${pipeline} failed (both must be installed):\n${stderr}`,
    );
  }
  return {
    seconds: Number(ended[1]) * 3600 + Number(ended[2]) * 60 + Number(ended[3]),
    cpuS: Number(time[1]) + Number(time[2]),
    switches: Number(time[3]) + Number(time[4]),
  };
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
