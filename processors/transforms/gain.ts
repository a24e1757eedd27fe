/**
 * The {@linkcode Gain} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
} from "../../mod.ts";
import type { GainTypes } from "./gain.gen.ts";

/**
 * Config of {@linkcode Gain}.
 *
 * @example Halve a tone's level in a running graph
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, Gain, type GainConfig, NullSink, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * const config: GainConfig = { gain: 0.5 };
 * const rt = createRuntime();
 * const tone = rt.add(TestToneGenerator, { amplitude: 0.5 });
 * const gain = rt.add(Gain, config, { id: "gain" });
 * const sink = rt.add(NullSink);
 * rt.connect(tone.outputs.audio, gain.inputs.in);
 * rt.connect(gain.outputs.out, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 30));
 * await rt.stop();
 * assert.ok(rt.stats().nodes.gain.framesOut > 0);
 * assert.deepEqual(rt.frameLeaks(), []);
 * ```
 */
export interface GainConfig {
  /**
   * Linear factor applied to every sample; 1 leaves the audio unchanged.
   *
   * @live
   * @minimum 0
   * @maximum 16
   * @default 1
   */
  gain: number;
}

/**
 * Multiplies each sample of `samples` by `gain`, in place.
 *
 * A function of its own rather than a loop inside `process()`: V8 optimizes it as a whole after a
 * few blocks, where a loop in `process()` is compiled on-stack (OSR) and deoptimized ("exit from
 * OSR'd inner loop") each time the loop ends, once per block.
 */
function scale(samples: Float32Array, gain: number): void {
  for (let i = 0; i < samples.length; i++) samples[i] *= gain;
}

/**
 * Multiplies every sample of a stereo stream by a constant factor.
 *
 * Each block is scaled in place when this node holds its only reference
 * (`ctx.frames.writable()`), so in steady state the gain allocates nothing; a block another
 * reader still sees (fan-out) is copied first. Blocks keep their sample rate, timestamp and frame
 * number.
 *
 * @example Halve a block
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createAudioFrame, createProcessContext, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { gainNode } from "./gain.gen.ts";
 *
 * const ports = gainNode.ports();
 * const gain = gainNode.create({ gain: 0.5 }, ports);
 * const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("gain");
 * gain.setup(ctx);
 * const block = createAudioFrame(2, 48_000, 2);
 * block.samples.fill(1);
 * source.write(block);
 * gain.process(ctx);
 * assert.deepEqual([...sink.read()!.samples], [0.5, 0.5, 0.5, 0.5]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * ```
 */
@processor({ tags: ["audio", "filter"], mode: "push", needsEventLoop: false })
export class Gain extends Processor<GainTypes> {
  /** Stereo audio to scale. */
  @input({ required: true })
  in!: InputPort<AudioFrame<2>>;

  /** The scaled audio. */
  @output()
  out!: OutputPort<AudioFrame<2>>;

  /** The gain factor. */
  @config()
  config!: GainConfig;

  /**
   * Scales every block waiting on `in` and writes it to `out`.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const gain = this.config.gain;
    const out = this.outputs.out;
    let frame;
    // One block out per block in: read only what the output takes now (back-pressure).
    while (out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      const block = ctx.frames.writable(frame); // the same block when nobody else sees it
      if (block === undefined) return; // no frame memory: the block is read again when some frees
      scale(block.samples, gain);
      out.write(block);
    }
  }
}
