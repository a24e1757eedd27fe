/**
 * Rewiring a graph while it runs: no restart, no lost or duplicated blocks on the connections
 * left in place.
 *
 * 1. `low` (440 Hz) → `mix` → `wav`; `high` (880 Hz) runs unconnected (its writes go nowhere).
 * 2. Switch the mixer's input from `low` to `high` (`disconnect` + `connect`).
 * 3. Put a `Gain` between the mixer and the writer (`add` while running, `settled()`).
 * 4. Take the `Gain` out again (`remove` drops its connections) and reconnect directly.
 *
 * After each step it prints a one-line summary of `rt.describe()`, and every edit arrives as an
 * event. The WAV records what the writer heard: 440 Hz first, 880 Hz from step 2 on, quieter
 * during step 3.
 *
 * Run: `deno run -A examples/rewire_live.ts [--step-ms 500] [--out rewire.wav]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { GraphDescription } from "@streamlib/streamlib";
import {
  AudioMixer,
  createRuntime,
  Gain,
  TestToneGenerator,
  WavWriter,
} from "@streamlib/streamlib/processors";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "step-ms": { type: "string", default: "500" },
    out: { type: "string", default: "rewire.wav" },
  },
});
const stepMs = Number(values["step-ms"]);
const wait = () => new Promise((resolve) => setTimeout(resolve, stepMs));

/** `state: a.out -> b.in, ...` with the frames each connection carried so far. */
function summary(graph: GraphDescription): string {
  const edges = graph.connections.map((c) => `${c.from} -> ${c.to} (${c.stats.written})`);
  return `${graph.state}, ${graph.nodes.length} nodes: ${edges.join(", ")}`;
}

const rt = createRuntime();
rt.on((event) => {
  if (event.type === "connection-added" || event.type === "connection-removed") {
    console.log(`  event ${event.type}: ${event.from} -> ${event.to}`);
  } else if (event.type === "node-added" || event.type === "node-removed") {
    console.log(`  event ${event.type}: ${event.node} (${event.processor})`);
  }
});

const low = rt.add(TestToneGenerator, { frequency: 440, amplitude: 0.4 }, { id: "low" });
const high = rt.add(TestToneGenerator, { frequency: 880, amplitude: 0.4 }, { id: "high" });
const mix = rt.add(AudioMixer, {}, { id: "mix" });
const wav = rt.add(WavWriter, { path: values.out }, { id: "wav" });
const lowToMix = rt.connect(low.outputs.audio, mix.inputs.in_0);
let mixToWav = rt.connect(mix.outputs.out, wav.inputs.in);

console.log("1. start: low -> mix -> wav");
await rt.start();
await wait();
console.log(`   now:       ${summary(rt.describe())}`);

console.log("2. switch the mixer input from low to high");
rt.disconnect(lowToMix.id);
rt.connect(high.outputs.audio, mix.inputs.in_0);
await wait();
console.log(`   now:       ${summary(rt.describe())}`);

console.log("3. insert a Gain of 0.25 between mix and wav");
rt.disconnect(mixToWav.id);
const gain = rt.add(Gain, { gain: 0.25 }, { id: "gain" });
rt.connect(mix.outputs.out, gain.inputs.in);
rt.connect(gain.outputs.out, wav.inputs.in);
await rt.settled(); // the new node is set up in the background
await wait();
console.log(`   now:       ${summary(rt.describe())}`);

console.log("4. remove the Gain and reconnect mix -> wav");
rt.remove("gain");
mixToWav = rt.connect(mix.outputs.out, wav.inputs.in);
await wait();
console.log(`   now:       ${summary(rt.describe())}`);

await rt.stop();
const blocks = rt.stats().nodes.wav.framesIn;
console.log(`stopped: ${summary(rt.describe())}`);
console.log(`wav recorded ${blocks} blocks to ${values.out}`);
