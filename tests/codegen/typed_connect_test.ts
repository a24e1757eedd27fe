/**
 * The typed connect: a connection between ports of different frame types does not compile. Each
 * `// @ts-expect-error` below must be needed, or `deno check` (run by `deno test`) fails; at run
 * time the same pairs are refused by their port type strings.
 */

import assert from "node:assert/strict";
import {
  assertConnectable,
  type AudioFrame,
  type DataFrame,
  type OutputRef,
  PortNotFoundError,
  PortTypeMismatchError,
  type TypesOf,
  type VideoFrame,
} from "../../mod.ts";
import type { AudioMixer } from "../../processors/mod.ts";
import { audioMixerNode } from "../../processors/transforms/audio_mixer.gen.ts";
import { gainNode } from "../../processors/transforms/gain.gen.ts";
import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
import { testToneGeneratorNode } from "../../processors/sources/test_tone_generator.gen.ts";

const tone = testToneGeneratorNode.handle("tone");
const gain = gainNode.handle("gain");
const mixer = audioMixerNode.handle("mixer");
const sink = nullSinkNode.handle("sink");

function output<T>(node: string, port: string, portType: string): OutputRef<T> {
  return { node, port, portType, direction: "output" };
}
const camera = output<VideoFrame>("camera", "video", "VideoFrame");
const mic = output<AudioFrame<1>>("mic", "audio", "AudioFrame<1>");
const stats = output<DataFrame<{ fps: number }>>("stats", "out", "DataFrame<{ fps: number }>");

Deno.test("assertConnectable() compiles and passes for matching frame types", () => {
  assertConnectable(tone.outputs.audio, gain.inputs.in);
  assertConnectable(gain.outputs.out, mixer.inputs.in_0);
  assertConnectable(tone.outputs.audio, mixer.inputs.in_3);
  assertConnectable(mixer.outputs.out, sink.inputs.in);
  assertConnectable(camera, sink.inputs.in);
  assertConnectable(stats, sink.inputs.in);
});

Deno.test("assertConnectable() with mismatched frame types fails to compile and throws", () => {
  const mismatches = [
    // @ts-expect-error VideoFrame into AudioFrame<2>
    () => assertConnectable(camera, gain.inputs.in),
    // @ts-expect-error AudioFrame<1> into AudioFrame<2>
    () => assertConnectable(mic, mixer.inputs.in_1),
    // @ts-expect-error DataFrame into AudioFrame<2>
    () => assertConnectable(stats, gain.inputs.in),
  ];
  for (const connect of mismatches) assert.throws(connect, PortTypeMismatchError);
});

Deno.test("assertConnectable() takes an output first and an input second", () => {
  const reversed = () =>
    // @ts-expect-error an input where an output belongs
    assertConnectable(gain.inputs.in, tone.outputs.audio);
  assert.equal(typeof reversed, "function");
  // A misspelt port is a compile error, and at run time a PortNotFoundError naming what exists.
  // @ts-expect-error the tone generator has no input named `in`
  assert.throws(() => tone.inputs.in, PortNotFoundError);
  // @ts-expect-error the mixer has eight inputs, in_0..in_7
  assert.throws(() => mixer.inputs.in_8, {
    name: "PortNotFoundError",
    available: [
      "in_0",
      "in_1",
      "in_2",
      "in_3",
      "in_4",
      "in_5",
      "in_6",
      "in_7",
    ],
  });
});

Deno.test("TypesOf<P> recovers the generated types from a processor class", () => {
  const config: TypesOf<AudioMixer>["config"] = { gains: [1, 0.5], waitForAll: false };
  // @ts-expect-error waitForAll is a boolean
  const bad: TypesOf<AudioMixer>["config"] = { gains: [], waitForAll: "no" };
  assert.equal(audioMixerNode.create(config).config.gains[1], 0.5);
  assert.throws(() => audioMixerNode.create(bad), /config field 'waitForAll' must be a boolean/);
});
