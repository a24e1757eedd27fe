/**
 * The {@linkcode TestToneGenerator} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  ConfigValidationError,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { SineOscillator } from "../dsp/sine_oscillator.ts";
import type { TestToneGeneratorTypes } from "./test_tone_generator.gen.ts";

/**
 * Config of {@linkcode TestToneGenerator}.
 *
 * @example A square wave at a quarter of the sample rate: two samples up, two down
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createProcessContext, InputBinding } from "@streamlib/streamlib";
 * import { type TestToneConfig } from "@streamlib/streamlib/processors";
 * import { testToneGeneratorNode } from "./test_tone_generator.gen.ts";
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
 * const ctx = createProcessContext("tone");
 * tone.setup(ctx);
 * tone.process(ctx);
 * const block = sink.read()!;
 * const left = block.samples.filter((_, i) => i % 2 === 0); // samples are interleaved L, R
 * assert.equal(block.frameCount, 16);
 * assert.deepEqual([...left.subarray(0, 4)], [0.5, 0.5, -0.5, -0.5]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * ```
 */
export interface TestToneConfig {
  /**
   * Tone frequency in hertz, below half the sample rate.
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

/**
 * Generates a continuous stereo test tone, one block per `process()` call.
 *
 * The sine comes from a recurrence oscillator (`SineOscillator`: a rotation restarted from the
 * exact phase every 1024 samples), within a float's rounding of `Math.sin` at a fraction of its
 * cost. Frequency, amplitude and wave shape are live: a new frequency continues from the current
 * phase (no jump), a new amplitude ramps over one block. A frequency at or above half the sample
 * rate is refused with `ConfigValidationError` (code `invalid_config`). Timestamps count samples
 * from the clock time at `setup()`, so consecutive blocks are exactly `blockSize / sampleRate`
 * seconds apart, except after deadlines the runtime skipped because the loop fell behind: the
 * next block is stamped at its deadline, on the clock, and the gap is counted in
 * {@linkcode TestToneGenerator.skippedNs} (`skippedMs` of the node's processor stats). Under a runtime it declares that period as its loop period, so blocks come out in
 * real time. Each block is a new frame from `ctx.frames`.
 *
 * @example Generate one block of a 1 kHz tone
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createProcessContext, InputBinding } from "@streamlib/streamlib";
 * import { testToneGeneratorNode } from "./test_tone_generator.gen.ts";
 *
 * const ports = testToneGeneratorNode.ports();
 * const tone = testToneGeneratorNode.create({ frequency: 1000, amplitude: 1, blockSize: 64 }, ports);
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(ports.output("audio"), sink);
 * const ctx = createProcessContext("tone");
 * tone.setup(ctx);
 * tone.process(ctx);
 * const block = sink.read()!;
 * assert.equal(block.frameCount, 64);
 * const exact = Math.sin((2 * Math.PI * 1000 * 12) / 48_000); // the 13th sample
 * assert.ok(Math.abs(block.samples[2 * 12] - exact) < 1e-7);
 * ctx.frames.flush();
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

  #osc: SineOscillator | undefined;
  #samples = 0;
  #blocks = 0;
  #startNs = 0;
  #skippedNs = 0;

  /**
   * Media time the tone skipped because the loop fell behind (deadlines the runtime skipped),
   * in nanoseconds: the gaps in the blocks' timestamps, which keep them on the clock.
   */
  get skippedNs(): number {
    return this.#skippedNs;
  }

  /**
   * The counters in `rt.stats().nodes[id].processor`: the media time skipped for falling behind
   * (ms).
   *
   * @returns The counters.
   */
  override reportStats(): { skippedMs: number } {
    return { skippedMs: Math.round(this.#skippedNs / 1e6) };
  }

  /**
   * Notes the start time and, under a runtime, asks to run once per block
   * (`blockSize / sampleRate` seconds), so the tone comes out in real time.
   *
   * @param ctx The node's name, clock and loop control.
   * @throws {ConfigValidationError} When the frequency is not below half the sample rate.
   */
  override setup(ctx: SetupContext): void {
    const { sampleRate, blockSize, frequency, amplitude } = this.config;
    this.#checkFrequency();
    ctx.loop?.setPeriodNs((blockSize / sampleRate) * 1e9);
    this.#osc = new SineOscillator({ sampleRate, frequency, amplitude, channels: 2 });
    this.#samples = 0;
    this.#blocks = 0;
    this.#skippedNs = 0;
    this.#startNs = Math.round(ctx.clock.nowNs());
  }

  /**
   * Checks a new live frequency (amplitude and wave shape are read on every block).
   *
   * @param changed The fields that changed.
   * @throws {ConfigValidationError} When the frequency is not below half the sample rate.
   */
  override configChanged(changed: readonly string[]): void {
    if (changed.includes("frequency")) this.#checkFrequency();
  }

  /**
   * Writes the next block of the tone to `audio`.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const osc = this.#osc;
    if (!osc) return;
    const { frequency, amplitude, sampleRate, blockSize, waveform } = this.config;
    const block = ctx.frames.audio({ channels: 2, sampleRate, frameCount: blockSize });
    if (block === undefined) return; // no frame memory: the runtime runs us again when some frees
    if (osc.frequency !== frequency) osc.frequency = frequency; // continues from the phase
    osc.amplitude = amplitude;
    const samples = block.samples;
    if (waveform === "square") {
      const step = frequency / sampleRate;
      let phase = osc.phase;
      for (let i = 0; i < blockSize; i++) {
        const value = phase < 0.5 ? amplitude : -amplitude;
        samples[2 * i] = value;
        samples[2 * i + 1] = value;
        phase += step;
        if (phase >= 1) phase -= 1;
      }
      osc.advance(blockSize);
    } else {
      osc.fill(samples, blockSize);
    }
    // On the clock: the deadline this run serves (a loop that fell behind skips deadlines, so
    // counting samples from the start would fall behind it; the wave goes on after the gap),
    // never before the previous block's end; right after the previous block in runs without a
    // deadline (by hand, or a run after frame memory freed).
    const deadline = ctx.deadlineNs;
    const next = this.#startNs + Math.round((this.#samples * 1e9) / sampleRate);
    if (deadline !== undefined && deadline > next) {
      this.#startNs += Math.round(deadline) - next; // the gap moves the rest of the stream
      // The wait for the first deadline is not a gap.
      if (this.#samples > 0) this.#skippedNs += Math.round(deadline) - next;
    }
    block.timestampNs = this.#startNs + Math.round((this.#samples * 1e9) / sampleRate);
    block.frameNumber = this.#blocks++;
    this.#samples += blockSize;
    this.outputs.audio.write(block);
  }

  #checkFrequency(): void {
    const { frequency, sampleRate } = this.config;
    if (frequency < sampleRate / 2) return;
    throw new ConfigValidationError("TestToneGenerator", [{
      field: "frequency",
      reason: "mismatch",
      expected: `a number below half the sample rate (${sampleRate / 2})`,
      actual: String(frequency),
    }]);
  }
}
