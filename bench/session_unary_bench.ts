/**
 * Unary pipeline runs against GStreamer, one table: a 60 s WAV (48 kHz stereo, 16-bit) through
 * gain → reverb, file to file.
 *
 * - **streamlib, cold**: the WAV read in blocks with `WavReader`, sent through
 *   `PipelineRunner.execute()` (a new runner, its session in a Worker started for the run: isolate
 *   start included) running the manifest `Gain → Reverb`, the outputs written with `WavWriter`.
 *   Wall time from opening the input to closing the output.
 * - **streamlib, pooled**: the same through one runner made before the runs with `pool: 1` and the
 *   manifest as its `warmup` (what `streamlib serve --pool` does) and `poolRefillDelayMs: 500`:
 *   the session takes an isolate started and warmed ahead, and its replacement starts 500 ms after
 *   the run ends, not while the bench writes the WAV (on 2 cores the two contend). Before each run
 *   the bench waits, untimed, until an isolate is pooled and 1 s more for its warm-up (a server
 *   between requests).
 * - **GStreamer**: `gst-launch-1.0 filesrc ! wavparse ! audioconvert ! audioamplify ! freeverb !
 *   audioconvert ! wavenc ! filesink`, the process's wall time (its start included).
 *
 * Runs alternate (cold, pooled, GStreamer, cold, ...) `--runs` times each; the table gives the
 * medians and the ratios, and a line after it the medians of streamlib's two phases: `execute()`
 * (the WAV read as it goes) and the WAV's writing after it returns. Each output is checked with `soxi` (duration within one block of the
 * input's). Issue 33's goal: streamlib ≤ 1.2x GStreamer's wall time.
 *
 * Run: `deno run -A bench/session_unary_bench.ts [--seconds 60] [--runs 5] [--block 4800]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { PipelineRunner } from "../sessions/mod.ts";
import { WavReader, WavWriter } from "../processors/formats/mod.ts";

const args = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    runs: { type: "string", default: "5" },
    block: { type: "string", default: "4800" },
  },
});
const SECONDS = Number(args.values.seconds);
const RUNS = Number(args.values.runs);
const BLOCK = Number(args.values.block);
const RATE = 48_000;

const dir = await Deno.makeTempDir({ prefix: "streamlib_unary_bench_" });
const input = `${dir}/in.wav`;

async function run(cmd: string, argv: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args: argv, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`${cmd} ${argv.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

async function duration(path: string): Promise<number> {
  return Number((await run("soxi", ["-D", path])).trim());
}

await run("sox", [
  "-n",
  "-r",
  String(RATE),
  "-c",
  "2",
  "-b",
  "16",
  input,
  "synth",
  String(SECONDS),
  "pinknoise",
  "vol",
  "0.3",
]);

const manifest = {
  version: 1,
  nodes: [
    { id: "gain", type: "Gain", config: { gain: 0.5 } },
    { id: "reverb", type: "Reverb", config: { roomSize: 0.5, damping: 0.5, wet: 0.3, dry: 0.7 } },
  ],
  connections: [{ from: "gain.out", to: "reverb.in" }],
  inputs: { audio: "gain.in" },
  outputs: { audio: "reverb.out" },
};

async function* blocks(path: string) {
  const reader = await WavReader.open(path);
  try {
    for (;;) {
      const samples = new Float32Array(BLOCK * reader.info.channels);
      const frames = await reader.read(samples);
      if (frames === 0) return;
      yield {
        kind: "audio",
        channels: reader.info.channels,
        sampleRate: reader.info.sampleRate,
        samples: frames === BLOCK ? samples : samples.slice(0, frames * reader.info.channels),
      } as const;
    }
  } finally {
    reader.close();
  }
}

/** Each row's phases: `execute()` (reading the WAV as it goes) and the WAV's writing after it. */
const phases: Record<string, { execute: number[]; write: number[] }> = {
  cold: { execute: [], write: [] },
  pooled: { execute: [], write: [] },
};

/** One unary run through `runner`, its outputs written to `output`. */
async function execute(
  runner: PipelineRunner,
  output: string,
  row: "cold" | "pooled",
): Promise<void> {
  const t = performance.now();
  const outputs = await runner.execute(manifest, { audio: blocks(input) });
  const executed = performance.now();
  const writer = await WavWriter.create(output, { sampleRate: RATE, channels: 2 });
  for (const { frame } of outputs.audio) {
    await writer.write((frame as { samples: Float32Array }).samples);
  }
  await writer.close();
  phases[row].execute.push(executed - t);
  phases[row].write.push(performance.now() - executed);
}

async function cold(output: string): Promise<number> {
  const t = performance.now();
  const runner = new PipelineRunner({ maxSessions: 1 });
  await execute(runner, output, "cold");
  const wall = performance.now() - t;
  await runner.close();
  return wall;
}

const pool = new PipelineRunner({
  maxSessions: 1,
  pool: 1,
  warmup: [manifest],
  poolRefillDelayMs: 500,
});

async function pooled(output: string): Promise<number> {
  while (pool.pooled === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const t = performance.now();
  await execute(pool, output, "pooled");
  return performance.now() - t;
}

async function gstreamer(output: string): Promise<number> {
  const t = performance.now();
  await run("gst-launch-1.0", [
    "-q",
    "filesrc",
    `location=${input}`,
    "!",
    "wavparse",
    "!",
    "audioconvert",
    "!",
    "audio/x-raw,format=F32LE",
    "!",
    "audioamplify",
    "amplification=0.5",
    "!",
    "freeverb",
    "room-size=0.5",
    "damping=0.5",
    "level=0.3",
    "!",
    "audioconvert",
    "!",
    "audio/x-raw,format=S16LE",
    "!",
    "wavenc",
    "!",
    "filesink",
    `location=${output}`,
  ]);
  return performance.now() - t;
}

const times: Record<string, number[]> = { cold: [], pooled: [], gstreamer: [] };
for (let i = 0; i < RUNS; i++) {
  for (
    const [name, fn] of [["cold", cold], ["pooled", pooled], ["gstreamer", gstreamer]] as const
  ) {
    const output = `${dir}/${name}_${i}.wav`;
    const wall = await fn(output);
    const got = await duration(output);
    if (Math.abs(got - SECONDS) > BLOCK / RATE + 0.01) {
      throw new Error(`${name} wrote ${got} s for ${SECONDS} s in (${output})`);
    }
    times[name].push(wall);
    console.error(`run ${i + 1}/${RUNS} ${name}: ${wall.toFixed(0)} ms`);
    await Deno.remove(output);
  }
}
await pool.close();
await Deno.remove(dir, { recursive: true });

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const g = median(times.gstreamer);
const ratio = (s: number) =>
  `${(s / g).toFixed(2)}x (goal ≤ 1.2x: ${s / g <= 1.2 ? "met" : "not met"})`;
console.log(`| ${SECONDS} s WAV, gain → reverb, file to file | median wall ms | / GStreamer |`);
console.log("| --- | --- | --- |");
for (const [name, label] of [["cold", "new runner"], ["pooled", "pool of 1, warmed"]] as const) {
  const s = median(times[name]);
  console.log(
    `| streamlib, PipelineRunner.execute(), ${label} (block ${BLOCK}) | ${s.toFixed(0)} | ${
      ratio(s)
    } |`,
  );
}
console.log(`| GStreamer 1.22, gst-launch-1.0 | ${g.toFixed(0)} | |`);
console.log(
  `\nPhases, median ms: ${
    (["cold", "pooled"] as const).map((row) =>
      `${row} execute() ${median(phases[row].execute).toFixed(0)}, WAV write ${
        median(phases[row].write).toFixed(0)
      }`
    ).join("; ")
  } (WAV reading overlaps execute()).`,
);
