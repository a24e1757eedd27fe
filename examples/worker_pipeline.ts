/**
 * A processor in a Worker: the reverb runs off the main isolate, placed with
 * `placement: { worker: "dsp" }`.
 *
 * ```
 * main:        TestToneGenerator --audio--┐                 ┌--> WavWriter
 * worker:dsp:                             └--> Reverb --out--┘
 * ```
 *
 * `createRuntime()` starts the Worker when the first node names it. The two connections that
 * cross isolates are native rings; the blocks' samples travel in slots of a shared frame pool.
 * Nothing else changes: the same `add`/`connect`, the same stats and events.
 *
 * Run: `deno run -A examples/worker_pipeline.ts [--seconds 2] [--frequency 440]
 * [--out worker.wav]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  createRuntime,
  Reverb,
  TestToneGenerator,
  WavWriter,
} from "@streamlib/streamlib/processors";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "2" },
    frequency: { type: "string", default: "440" },
    out: { type: "string", default: "worker.wav" },
  },
});
const seconds = Number(values.seconds);
const path = values.out;

// A 64 KiB slot holds any audio block here; the default pool is sized for 1080p video.
const rt = createRuntime({ workers: { pool: { slotBytes: 65_536, slotCount: 64 } } });
const tone = rt.add(TestToneGenerator, { frequency: Number(values.frequency), amplitude: 0.5 }, {
  id: "tone",
});
const room = rt.add(Reverb, { wet: 0.25, dry: 0.75 }, { id: "room", placement: { worker: "dsp" } });
const wav = rt.add(WavWriter, { path }, { id: "wav" });
rt.connect(tone.outputs.audio, room.inputs.in); // main -> worker:dsp
rt.connect(room.outputs.out, wav.inputs.in); // worker:dsp -> main

await rt.start();
const graph = rt.describe();
for (const [isolate, nodes] of Object.entries(graph.isolates)) {
  console.log(`isolate ${isolate}: ${nodes.join(", ")}`);
}
for (const c of graph.connections) {
  console.log(`connection ${c.from} -> ${c.to}${c.crossIsolate ? " (crosses isolates)" : ""}`);
}
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
await rt.stop(); // drains both Worker hops, then the writer finalizes the file

const stats = rt.stats();
const p99 = (stats.nodes.room.processTime.p99Ns / 1000).toFixed(1);
console.log(`room (in the Worker): ${stats.nodes.room.framesIn} blocks in, p99 ${p99} µs`);
const { filledSamples } = stats.nodes.wav.processor as Record<string, number>;
const { skippedMs } = stats.nodes.tone.processor as Record<string, number>;
console.log(`wav: ${stats.nodes.wav.framesIn} blocks recorded to ${path}`);
// A machine that stalls the tone's loop (a Worker starting) leaves a gap the file fills.
console.log(
  `gaps: the tone skipped ${skippedMs} ms, the file holds ${filledSamples} samples of silence`,
);
