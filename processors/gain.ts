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
  RotatingPool,
  type SetupContext,
} from "../mod.ts";
import type { GainTypes } from "./gain.gen.ts";

/**
 * Config of {@linkcode Gain}.
 *
 * @example Halve a tone's level in a running graph
 * ```ts
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
 * console.log(rt.stats().nodes.gain.framesOut > 0); // true
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

type Block = { -readonly [K in keyof AudioFrame<2>]: AudioFrame<2>[K] };

/**
 * Multiplies every sample of a stereo stream by a constant factor.
 *
 * Output blocks come from a rotating pool of 16, so a block is reused after 15 others; keep
 * downstream connection capacities below that (the default is 4).
 *
 * @example Halve a block
 * ```ts
 * import { connectLocal, createAudioFrame, InputBinding, monotonicClock, OutputBinding } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { gainNode } from "@streamlib/streamlib/processors";
 *
 * const ports = gainNode.ports();
 * const gain = gainNode.create({ gain: 0.5 }, ports);
 * const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = { node: "gain", clock: monotonicClock };
 * gain.setup(ctx);
 * const block = createAudioFrame(2, 48_000, 2);
 * block.samples.fill(1);
 * source.write(block);
 * gain.process(ctx);
 * console.log(sink.read()?.samples); // Float32Array(4) [ 0.5, 0.5, 0.5, 0.5 ]
 * ```
 */
@processor({ tags: ["audio", "filter"], mode: "push" })
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

  #pool: RotatingPool<Block> | undefined;

  /**
   * Allocates the output blocks.
   *
   * @param _ctx The node's name and clock.
   */
  override setup(_ctx: SetupContext): void {
    this.#pool = new RotatingPool<Block>(16, () => ({
      kind: "audio",
      channels: 2,
      sampleRate: 0,
      frameCount: 0,
      samples: new Float32Array(0),
      timestampNs: 0,
      frameNumber: 0,
    }));
  }

  /**
   * Scales every block waiting on `in` and writes it to `out`.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const pool = this.#pool;
    if (!pool) return;
    const gain = this.config.gain;
    const out = this.outputs.out;
    pool.fit(out.capacity);
    let frame;
    // One block out per block in: read only what the output takes now (back-pressure).
    while (out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      const block = pool.next();
      if (block.samples.length !== frame.samples.length) {
        block.samples = new Float32Array(frame.samples.length);
      }
      const src = frame.samples;
      const dst = block.samples;
      for (let i = 0; i < src.length; i++) dst[i] = src[i] * gain;
      block.sampleRate = frame.sampleRate;
      block.frameCount = frame.frameCount;
      block.timestampNs = frame.timestampNs;
      block.frameNumber = frame.frameNumber;
      out.write(block);
    }
  }
}
