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
  RotatingPool,
  type SetupContext,
} from "../mod.ts";
import type { AudioMixerTypes } from "./audio_mixer.gen.ts";

/**
 * Config of {@linkcode AudioMixer}.
 *
 * @example Mix a second tone in at half level, never waiting for a stalled input
 * ```ts
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
 * console.log(rt.stats().nodes.sink.framesIn > 0); // true
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

type Block = { -readonly [K in keyof AudioFrame<2>]: AudioFrame<2>[K] };

/**
 * Sums up to eight stereo streams into one.
 *
 * Only connected inputs count: connect any of `in_0` … `in_7`, in any order, and leave the rest
 * unconnected. Each mix takes one block from each contributing input; blocks of different lengths
 * are summed over the longest (shorter ones count as silence past their end). The output takes its
 * sample rate, timestamp and frame number from the first contributing input. Output blocks come
 * from a rotating pool of 16.
 *
 * @example Mix two inputs
 * ```ts
 * import { connectLocal, createAudioFrame, InputBinding, monotonicClock, OutputBinding } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { audioMixerNode } from "@streamlib/streamlib/processors";
 *
 * const ports = audioMixerNode.ports();
 * const mixer = audioMixerNode.create({}, ports);
 * const a = new OutputBinding<AudioFrame<2>>("a", "AudioFrame<2>");
 * const b = new OutputBinding<AudioFrame<2>>("b", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(a, ports.input("in_0"));
 * connectLocal(b, ports.input("in_1"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = { node: "mixer", clock: monotonicClock };
 * mixer.setup(ctx);
 * const block = createAudioFrame(2, 48_000, 1);
 * block.samples.fill(0.25);
 * a.write(block);
 * b.write(block);
 * mixer.process(ctx);
 * console.log(sink.read()?.samples); // Float32Array(2) [ 0.5, 0.5 ]
 * ```
 */
@processor({ tags: ["audio", "mixer"], mode: "push" })
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

  #pool: RotatingPool<Block> | undefined;
  #taken: (AudioFrame<2> | undefined)[] = [];
  #gains: Float32Array = new Float32Array(0);

  /**
   * Allocates the output blocks and per-input state.
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
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const pool = this.#pool;
    if (!pool) return;
    const inputs = this.in;
    const taken = this.#taken;
    const output = this.outputs.out;
    pool.fit(output.capacity);
    // One block out per mix: mix only while the output takes a block now (back-pressure).
    while (output.space > 0) {
      let connected = 0;
      let ready = 0;
      for (const port of inputs) {
        if (!port.isConnected) continue;
        connected++;
        if (port.available > 0) ready++;
      }
      if (ready === 0 || (this.config.waitForAll && ready < connected)) return;
      let length = 0;
      let first: AudioFrame<2> | undefined;
      for (let i = 0; i < inputs.length; i++) {
        const frame = inputs[i].read();
        taken[i] = frame;
        if (!frame) continue;
        first ??= frame;
        if (frame.samples.length > length) length = frame.samples.length;
      }
      const block = pool.next();
      if (block.samples.length !== length) block.samples = new Float32Array(length);
      const out = block.samples;
      out.fill(0);
      for (let i = 0; i < taken.length; i++) {
        const frame = taken[i];
        if (!frame) continue;
        const gain = this.#gains[i];
        const src = frame.samples;
        for (let s = 0; s < src.length; s++) out[s] += src[s] * gain;
        taken[i] = undefined;
      }
      block.sampleRate = first!.sampleRate;
      block.frameCount = length / 2;
      block.timestampNs = first!.timestampNs;
      block.frameNumber = first!.frameNumber;
      output.write(block);
    }
  }
}
