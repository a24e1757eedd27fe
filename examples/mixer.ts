/**
 * Two tones mixed, given a room, and recorded.
 *
 * ```
 * TestToneGenerator (low)  --audio--> AudioMixer.in_0
 * TestToneGenerator (high) --audio--> AudioMixer.in_1 --out--> Reverb --out--> WavWriter
 * ```
 *
 * The mixer waits for a block from both tones before it mixes (`waitForAll`), so the two stay
 * aligned; the reverb is Freeverb at its defaults (30% wet). The WAV holds both frequencies.
 *
 * Run: `deno run -A examples/mixer.ts [--seconds 2] [--low 440] [--high 1000] [--out mix.wav]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  AudioMixer,
  createRuntime,
  Reverb,
  TestToneGenerator,
  WavWriter,
} from "@streamlib/streamlib/processors";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "2" },
    low: { type: "string", default: "440" },
    high: { type: "string", default: "1000" },
    out: { type: "string", default: "mix.wav" },
  },
});
const seconds = Number(values.seconds);
const path = values.out;

const rt = createRuntime();
const low = rt.add(TestToneGenerator, { frequency: Number(values.low), amplitude: 0.4 }, {
  id: "low",
});
const high = rt.add(TestToneGenerator, { frequency: Number(values.high), amplitude: 0.4 }, {
  id: "high",
});
const mix = rt.add(AudioMixer, { gains: [0.5, 0.5] }, { id: "mix" });
const room = rt.add(Reverb, { roomSize: 0.6, wet: 0.3, dry: 0.7 }, { id: "room" });
const wav = rt.add(WavWriter, { path, sampleFormat: "float32" }, { id: "wav" });

// Typed connections: each pair carries AudioFrame<2>, so a wrong port would not compile.
rt.connect(low.outputs.audio, mix.inputs.in_0);
rt.connect(high.outputs.audio, mix.inputs.in_1);
rt.connect(mix.outputs.out, room.inputs.in);
rt.connect(room.outputs.out, wav.inputs.in);

await rt.start();
console.log(`mixing ${values.low} Hz + ${values.high} Hz through a reverb into ${path}`);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
await rt.stop();

// One line per node: blocks in and out, and the 99th percentile of its process() time.
for (const [id, node] of Object.entries(rt.stats().nodes)) {
  const p99 = (node.processTime.p99Ns / 1000).toFixed(1);
  console.log(`${id.padEnd(5)} in ${node.framesIn}, out ${node.framesOut}, p99 ${p99} µs`);
}
