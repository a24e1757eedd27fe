/**
 * The {@linkcode TestToneGenerator} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  RotatingPool,
  type SetupContext,
} from "../mod.ts";
import type { TestToneGeneratorTypes } from "./test_tone_generator.gen.ts";

/**
 * Config of {@linkcode TestToneGenerator}.
 *
 * @example A square wave at a quarter of the sample rate: two samples up, two down
 * ```ts
 * import { type AudioFrame, connectLocal, InputBinding, monotonicClock } from "@streamlib/streamlib";
 * import { type TestToneConfig, testToneGeneratorNode } from "@streamlib/streamlib/processors";
 *
 * const config: TestToneConfig = {
 *   frequency: 12_000,
 *   amplitude: 0.5,
 *   sampleRate: 48_000,
 *   blockSize: 16,
 *   waveform: "square",
 * };
 * const ports = testToneGeneratorNode.ports();
 * const tone = testToneGeneratorNode.create(config, ports);
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(ports.output("audio"), sink);
 * const ctx = { node: "tone", clock: monotonicClock };
 * tone.setup(ctx);
 * tone.process(ctx);
 * const block = sink.read()!;
 * const left = block.samples.filter((_, i) => i % 2 === 0); // samples are interleaved L, R
 * console.log(block.frameCount, left.subarray(0, 4)); // 16 Float32Array(4) [ 0.5, 0.5, -0.5, -0.5 ]
 * ```
 */
export interface TestToneConfig {
  /**
   * Tone frequency in hertz.
   *
   * @live
   * @minimum 1
   * @maximum 20000
   * @default 440
   */
  frequency: number;
  /**
   * Peak amplitude, linear (1 is full scale).
   *
   * @live
   * @minimum 0
   * @maximum 1
   * @default 0.25
   */
  amplitude: number;
  /**
   * Samples per second per channel.
   *
   * @integer
   * @minimum 8000
   * @maximum 192000
   * @default 48000
   */
  sampleRate: number;
  /**
   * Samples per channel in each block.
   *
   * @integer
   * @minimum 16
   * @maximum 16384
   * @default 480
   */
  blockSize: number;
  /**
   * Wave shape.
   *
   * @live
   * @default "sine"
   */
  waveform: "sine" | "square";
}

type Block = { -readonly [K in keyof AudioFrame<2>]: AudioFrame<2>[K] };

const TAU = 2 * Math.PI;

/**
 * Generates a continuous stereo test tone, one block per `process()` call.
 *
 * Timestamps count samples from the clock time at `setup()`, so consecutive blocks are exactly
 * `blockSize / sampleRate` seconds apart. Under a runtime it declares that period as its loop
 * period, so blocks come out in real time. Blocks come from a rotating pool of 16.
 *
 * @example Generate one block of a 1 kHz tone
 * ```ts
 * import { connectLocal, InputBinding, monotonicClock } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { testToneGeneratorNode } from "@streamlib/streamlib/processors";
 *
 * const ports = testToneGeneratorNode.ports();
 * const tone = testToneGeneratorNode.create({ frequency: 1000, blockSize: 64 }, ports);
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(ports.output("audio"), sink);
 * const ctx = { node: "tone", clock: monotonicClock };
 * tone.setup(ctx);
 * tone.process(ctx);
 * console.log(sink.read()?.frameCount); // 64
 * ```
 */
@processor({ tags: ["audio", "source", "test"], mode: "loop" })
export class TestToneGenerator extends Processor<TestToneGeneratorTypes> {
  /** The tone, stereo, both channels equal. */
  @output()
  audio!: OutputPort<AudioFrame<2>>;

  /** Frequency, level, rate, block size and wave shape. */
  @config()
  config!: TestToneConfig;

  #pool: RotatingPool<Block> | undefined;
  #phase = 0;
  #samples = 0;
  #blocks = 0;
  #startNs = 0;

  /**
   * Allocates the blocks, notes the start time and, under a runtime, asks to run once per
   * block (`blockSize / sampleRate` seconds), so the tone comes out in real time.
   *
   * @param ctx The node's name, clock and loop control.
   */
  override setup(ctx: SetupContext): void {
    const { sampleRate, blockSize } = this.config;
    ctx.loop?.setPeriodNs((blockSize / sampleRate) * 1e9);
    this.#pool = new RotatingPool<Block>(16, () => ({
      kind: "audio",
      channels: 2,
      sampleRate,
      frameCount: blockSize,
      samples: new Float32Array(2 * blockSize),
      timestampNs: 0,
      frameNumber: 0,
    }));
    this.#phase = 0;
    this.#samples = 0;
    this.#blocks = 0;
    this.#startNs = Math.round(ctx.clock.nowNs());
  }

  /**
   * Writes the next block of the tone to `audio`.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const pool = this.#pool;
    if (!pool) return;
    const { frequency, amplitude, sampleRate, blockSize, waveform } = this.config;
    pool.fit(this.outputs.audio.capacity);
    const block = pool.next();
    const samples = block.samples;
    const step = frequency / sampleRate;
    const square = waveform === "square";
    let phase = this.#phase;
    for (let i = 0; i < blockSize; i++) {
      const value = square
        ? (phase < 0.5 ? amplitude : -amplitude)
        : amplitude * Math.sin(TAU * phase);
      samples[2 * i] = value;
      samples[2 * i + 1] = value;
      phase += step;
      if (phase >= 1) phase -= 1;
    }
    this.#phase = phase;
    block.timestampNs = this.#startNs + Math.round((this.#samples * 1e9) / sampleRate);
    block.frameNumber = this.#blocks++;
    this.#samples += blockSize;
    this.outputs.audio.write(block);
  }
}
