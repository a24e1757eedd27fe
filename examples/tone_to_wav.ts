/**
 * The smallest useful pipeline: a test tone recorded to a WAV file.
 *
 * ```
 * TestToneGenerator --audio--> WavWriter
 * ```
 *
 * The tone runs in real time (one 10 ms block per loop deadline), so `--seconds 2` records about
 * two seconds of audio. `stop()` drains the queued blocks and tears the writer down, which
 * finalizes the file.
 *
 * Run: `deno run -A examples/tone_to_wav.ts [--seconds 2] [--frequency 440] [--out tone.wav]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createRuntime, TestToneGenerator, WavWriter } from "@streamlib/streamlib/processors";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "2" },
    frequency: { type: "string", default: "440" },
    out: { type: "string", default: "tone.wav" },
  },
});
const seconds = Number(values.seconds);
const frequency = Number(values.frequency);
const sampleRate = 48_000, blockSize = 480; // 10 ms blocks

// A runtime that knows the built-in processors.
const rt = createRuntime();

// Typed handles: `tone.outputs.audio` is an OutputRef<AudioFrame<2>>.
const tone = rt.add(
  TestToneGenerator,
  { frequency, amplitude: 0.5, sampleRate, blockSize },
  { id: "tone" },
);
const path = values.out;
const wav = rt.add(WavWriter, { path, sampleRate, sampleFormat: "pcm16" }, { id: "wav" });
rt.connect(tone.outputs.audio, wav.inputs.in);

await rt.start();
console.log(`recording a ${frequency} Hz tone to ${path} for ${seconds} s`);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
await rt.stop(); // sources stop, queued blocks are written, the writer closes the file

const stats = rt.stats();
const blocks = stats.nodes.wav.framesIn;
const { framesWritten, filledSamples } = stats.nodes.wav.processor as Record<string, number>;
const recorded = (framesWritten / sampleRate).toFixed(2);
console.log(
  `wrote ${blocks} blocks of ${blockSize} samples and ${filledSamples} samples of silence where the tone skipped time: ${framesWritten} samples, ${recorded} s at ${sampleRate} Hz, stereo`,
);
console.log(`tone process() p99: ${(stats.nodes.tone.processTime.p99Ns / 1000).toFixed(1)} µs`);
