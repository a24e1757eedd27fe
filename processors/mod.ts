/**
 * The built-in processors, each an annotated class whose ports, descriptor, config schema and
 * factory `deno task codegen` generated, and the registry that lists them.
 *
 * @example Build a tone → gain chain by hand
 * ```ts
 * import { assertConnectable, connectLocal, monotonicClock } from "@streamlib/streamlib";
 * import { gainNode, testToneGeneratorNode } from "@streamlib/streamlib/processors";
 *
 * const toneRef = testToneGeneratorNode.handle("tone");
 * const gainRef = gainNode.handle("gain");
 * assertConnectable(toneRef.outputs.audio, gainRef.inputs.in); // a mismatch would not compile
 *
 * const tonePorts = testToneGeneratorNode.ports();
 * const gainPorts = gainNode.ports();
 * const tone = testToneGeneratorNode.create({ frequency: 220 }, tonePorts);
 * const gain = gainNode.create({ gain: 0.5 }, gainPorts);
 * connectLocal(tonePorts.output("audio"), gainPorts.input("in"));
 * const ctx = { node: "demo", clock: monotonicClock };
 * tone.setup(ctx);
 * gain.setup(ctx);
 * tone.process(ctx);
 * gain.process(ctx);
 * ```
 *
 * @module
 */

export { AudioMixer, type AudioMixerConfig } from "./audio_mixer.ts";
export {
  type AudioMixerHandle,
  AudioMixerInputs,
  audioMixerNode,
  AudioMixerOutputs,
  type AudioMixerTypes,
} from "./audio_mixer.gen.ts";
export { describeProcessor, listProcessors } from "./catalog.ts";
export { Gain, type GainConfig } from "./gain.ts";
export { type GainHandle, GainInputs, gainNode, GainOutputs, type GainTypes } from "./gain.gen.ts";
export { NullSink } from "./null_sink.ts";
export {
  type NullSinkHandle,
  NullSinkInputs,
  nullSinkNode,
  NullSinkOutputs,
  type NullSinkTypes,
} from "./null_sink.gen.ts";
export { registry as builtinRegistry } from "./registry.gen.ts";
export { type TestToneConfig, TestToneGenerator } from "./test_tone_generator.ts";
export {
  type TestToneGeneratorHandle,
  TestToneGeneratorInputs,
  testToneGeneratorNode,
  TestToneGeneratorOutputs,
  type TestToneGeneratorTypes,
} from "./test_tone_generator.gen.ts";
