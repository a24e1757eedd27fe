/**
 * The pipeline whose peak memory `bench/graph_bench.ts` measures, run as its own process under
 * `/usr/bin/time`: a tone into a mixer into a WAV file, in real time, for `--seconds`. It prints
 * the process's `VmHWM` (peak resident set) from `/proc/self/status` at the end, as a check on
 * what `/usr/bin/time` reports.
 *
 * `--imports minimal` loads only the three processors' modules and the core;
 * `--imports all` loads `createRuntime()` from `processors/runtime.ts`, whose registry lists
 * every built-in processor: their descriptors, with each class imported when a node of it is
 * first set up (here the three), and a Worker backend imported with the first Worker placement
 * (here none); `--imports mod` loads `processors/mod.ts` instead, which also exports every
 * built-in class (each processor imports its native, file-format, pixel or DSP code in
 * `setup()`, so none of that either way). Each `--preload <path>` (relative to the repository)
 * is imported first, whatever the imports: what one module costs is its row's peak minus the
 * minimal row's (`bench/import_rss.ts`).
 *
 * Run: `deno run -A bench/graph_bench_rss.ts --out /tmp/rss.wav [--seconds 3]
 * [--imports minimal|all|mod] [--preload ffi/workers/backend.ts]...`
 *
 * @module
 */

import { NodeRegistry, Runtime } from "../mod.ts";
import { audioMixerNode } from "../processors/transforms/audio_mixer.gen.ts";
import { testToneGeneratorNode } from "../processors/sources/test_tone_generator.gen.ts";
import { wavWriterNode } from "../processors/sinks/wav_writer.gen.ts";

// The options are read by hand: `node:util`'s `parseArgs` would make Deno set up its Node
// compatibility layer, 1-3 MB of this process's peak that no streamlib program pays for it
// (the runtime imports no `node:` module, decision 0062).
const values = { seconds: "3", out: "", imports: "minimal", preload: [] as string[] };
for (let i = 0; i < Deno.args.length; i += 2) {
  const [name, value] = [Deno.args[i].replace(/^--/, ""), Deno.args[i + 1]];
  if (value === undefined || !(name in values)) values.imports = ""; // the usage error below
  else if (name === "preload") values.preload.push(value);
  else values[name as "seconds" | "out" | "imports"] = value;
}
if (!values.out || !["minimal", "all", "mod"].includes(values.imports)) {
  throw new TypeError(
    "Usage: graph_bench_rss.ts --out file.wav [--seconds N] [--imports minimal|all|mod] [--preload path]",
  );
}
for (const path of values.preload) await import(new URL(`../${path}`, import.meta.url).href);

// Each row's entry is imported by a URL Deno cannot read ahead of time: Deno keeps the source of
// every module a program can import, dynamic imports it can read included, so a literal
// `import("../processors/mod.ts")` here would add every built-in's source to the minimal row.
const entry = { all: "../processors/runtime.ts", mod: "../processors/mod.ts" }[values.imports];
const loaded: { createRuntime(): Runtime } | undefined = entry
  ? await import(new URL(entry, import.meta.url).href)
  : undefined;
const rt = loaded ? loaded.createRuntime() : new Runtime({
  registry: new NodeRegistry([testToneGeneratorNode, audioMixerNode, wavWriterNode]),
});
const tone = rt.add(testToneGeneratorNode, { frequency: 440 });
const mix = rt.add(audioMixerNode, {});
const wav = rt.add(wavWriterNode, { path: values.out, sampleFormat: "float32" });
rt.connect(tone.outputs.audio, mix.inputs.in_0);
rt.connect(mix.outputs.out, wav.inputs.in);
await rt.start();
await new Promise((resolve) => setTimeout(resolve, Number(values.seconds) * 1000));
await rt.stop();

const status = await Deno.readTextFile("/proc/self/status");
const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
console.log(JSON.stringify({ vmHwmKb: Number(hwm), blocks: rt.stats().nodes[wav.name].framesIn }));
