/**
 * The {@linkcode AudioMixer} processor.
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
  type SetupContext,
} from "../../mod.ts";
import type { AudioMixerTypes } from "./audio_mixer.gen.ts";

/**
 * Config of {@linkcode AudioMixer}.
 *
 * @example Mix a second tone in at half level, never waiting for a stalled input
 * ```ts
 * import assert from "node:assert/strict";
 * import { AudioMixer, type AudioMixerConfig, createRuntime, NullSink, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * const config: AudioMixerConfig = { gains: [1, 0.5], waitForAll: false };
 * const rt = createRuntime();
 * const low = rt.add(TestToneGenerator, { frequency: 220 });
 * const high = rt.add(TestToneGenerator, { frequency: 440 });
 * const mix = rt.add(AudioMixer, config, { id: "mix" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(low.outputs.audio, mix.inputs.in_0);
 * rt.connect(high.outputs.audio, mix.inputs.in_1);
 * rt.connect(mix.outputs.out, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 50)); // 10 ms blocks: about 5 mixes
 * await rt.stop();
 * assert.ok(rt.stats().nodes.sink.framesIn > 0);
 * assert.deepEqual(rt.frameLeaks(), []);
 * ```
 */
export interface AudioMixerConfig {
  /**
   * Linear gain of each input, `in_0` first; inputs without an entry get 1.
   *
   * @live
   * @maxItems 8
   * @default [1, 1, 1, 1, 1, 1, 1, 1]
   */
  gains: number[];
  /**
   * Mix only when every connected input has a block (`true`, keeps inputs aligned), or whenever
   * any has one (`false`, never waits for a stalled input).
   *
   * @live
   * @default true
   */
  waitForAll: boolean;
}

/**
 * Sums up to eight stereo streams into one.
 *
 * Only connected inputs count: connect any of `in_0` … `in_7`, in any order, and leave the rest
 * unconnected; an input whose stream has ended and been read empty stops counting, so the other
 * inputs' last blocks are mixed and the mixer ends in turn. Each mix takes one block from each contributing input; blocks of different lengths
 * are summed over the longest (shorter ones count as silence past their end). The output takes its
 * timestamp and frame number from the first contributing input. The mix is written into the
 * longest block in place when the mixer holds its only reference (`ctx.frames.writable()`), so in
 * steady state mixing allocates nothing.
 *
 * @example Mix two inputs
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createAudioFrame, createProcessContext, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { audioMixerNode } from "./audio_mixer.gen.ts";
 *
 * const ports = audioMixerNode.ports();
 * const mixer = audioMixerNode.create({}, ports);
 * const a = new OutputBinding<AudioFrame<2>>("a", "AudioFrame<2>");
 * const b = new OutputBinding<AudioFrame<2>>("b", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(a, ports.input("in_0"));
 * connectLocal(b, ports.input("in_1"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("mixer");
 * mixer.setup(ctx);
 * const block = createAudioFrame(2, 48_000, 1);
 * block.samples.fill(0.25);
 * a.write(block);
 * b.write(block);
 * mixer.process(ctx);
 * assert.deepEqual([...sink.read()!.samples], [0.5, 0.5]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * ```
 */
@processor({ tags: ["audio", "mixer"], mode: "push", needsEventLoop: false })
export class AudioMixer extends Processor<AudioMixerTypes> {
  /** Stereo audio to mix. */
  @input({ array: 8 })
  in!: readonly InputPort<AudioFrame<2>>[];

  /** The mix. */
  @output()
  out!: OutputPort<AudioFrame<2>>;

  /** Per-input gains and the waiting policy. */
  @config()
  config!: AudioMixerConfig;

  #taken: (AudioFrame<2> | undefined)[] = [];
  #gains: Float32Array = new Float32Array(0);

  /**
   * Allocates the per-input state.
   *
   * @param _ctx The node's name and clock.
   */
  override setup(_ctx: SetupContext): void {
    this.teardown();
    this.#taken = new Array(this.in.length).fill(undefined);
    this.#gains = Float32Array.from(this.in, (_, i) => this.config.gains[i] ?? 1);
  }

  /**
   * Takes new gains in place (`waitForAll` is read on every mix).
   *
   * @param changed The fields that changed.
   */
  override configChanged(changed: readonly string[]): void {
    if (!changed.includes("gains")) return;
    const gains = this.#gains;
    for (let i = 0; i < gains.length; i++) gains[i] = this.config.gains[i] ?? 1;
  }

  /**
   * Mixes while the inputs have blocks (all connected ones, or any, per `waitForAll`).
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const inputs = this.in;
    const taken = this.#taken;
    const gains = this.#gains;
    const output = this.outputs.out;
    // One block out per mix: mix only while the output takes a block now (back-pressure).
    while (output.space > 0) {
      let connected = 0;
      let ready = 0;
      for (let i = 0; i < inputs.length; i++) {
        const port = inputs[i];
        // An input whose stream ended and was read empty gives nothing more: waiting for it
        // would hold the other inputs' last blocks for ever, and the mixer would never end.
        if (!port.isConnected || port.ended) continue;
        connected++;
        if (port.available > 0) ready++;
      }
      if (ready === 0 || (this.config.waitForAll && ready < connected)) return;
      let first = -1;
      let longest = -1;
      for (let i = 0; i < inputs.length; i++) {
        const frame = inputs[i].read();
        taken[i] = frame;
        if (frame === undefined) continue;
        if (first < 0) first = i;
        if (longest < 0 || frame.samples.length > taken[longest]!.samples.length) longest = i;
      }
      // The longest block becomes the mix: in place when nobody else sees it.
      const block = ctx.frames.writable(taken[longest]!);
      if (block === undefined) {
        // No frame memory: the blocks read go back to their inputs and are mixed when some frees.
        taken.fill(undefined);
        return;
      }
      const out = block.samples;
      const own = gains[longest];
      if (own !== 1) { for (let s = 0; s < out.length; s++) out[s] *= own; }
      for (let i = 0; i < taken.length; i++) {
        const frame = taken[i];
        if (frame === undefined || i === longest) continue;
        const gain = gains[i];
        const src = frame.samples;
        for (let s = 0; s < src.length; s++) out[s] += src[s] * gain;
      }
      block.timestampNs = taken[first]!.timestampNs;
      block.frameNumber = taken[first]!.frameNumber;
      output.write(block);
      taken.fill(undefined);
    }
  }
}
