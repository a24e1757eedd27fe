/**
 * The {@linkcode ToneBurstSource} bench processor.
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
  type SetupContext,
} from "../../mod.ts";
import type { KeptFrame } from "../../core/frames/node_frames.ts";
import { SineOscillator } from "../../processors/dsp/sine_oscillator.ts";
import { SelfWake } from "./self_wake.ts";
import type { ToneBurstSourceTypes } from "./tone_burst_source.gen.ts";

/** Config of {@linkcode ToneBurstSource}. */
export interface ToneBurstSourceConfig {
  /**
   * Blocks to write in all; then the source goes quiet.
   *
   * @integer
   * @minimum 1
   * @default 10000
   */
  blocks: number;
  /**
   * Samples per channel in each block.
   *
   * @integer
   * @minimum 16
   * @default 1024
   */
  blockSize: number;
  /**
   * Tone frequency in hertz.
   *
   * @minimum 1
   * @default 440
   */
  frequency: number;
  /**
   * Samples per second per channel.
   *
   * @integer
   * @minimum 8000
   * @default 44100
   */
  sampleRate: number;
  /**
   * Wave shape: a sine computed per sample (`audiotestsrc wave=sine`; here by the recurrence
   * oscillator of `TestToneGenerator`), or silence, a block cleared per write (`wave=silence`),
   * which leaves the cost of the graph and the mixer.
   *
   * @default "sine"
   */
  wave: "sine" | "silence";
  /**
   * Most blocks written per `process()` call.
   *
   * @integer
   * @minimum 1
   * @default 8
   */
  burst: number;
}

/**
 * Writes stereo sine (or silent) blocks as fast as the graph takes them, like GStreamer's `audiotestsrc`
 * without `is-live`: each `process()` computes and writes blocks until the output refuses one or
 * `burst` went out, then asks to run again through a {@linkcode SelfWake}. Each block is a new
 * frame from `ctx.frames`; while frame memory is exhausted it writes nothing and runs again when
 * some frees.
 */
@processor({ tags: ["bench", "audio", "source"], mode: "pull" })
export class ToneBurstSource extends Processor<ToneBurstSourceTypes> {
  /** The tone, stereo. */
  @output()
  audio!: OutputPort<AudioFrame<2>>;

  /** How many blocks of what size, at what pitch. */
  @config()
  config!: ToneBurstSourceConfig;

  #osc: SineOscillator | undefined;
  #wake: SelfWake | undefined;
  #written = 0;
  /** A block a cross-isolate write refused (no free slot): written first next time. */
  #refused: KeptFrame<AudioFrame<2>> | undefined;

  /**
   * Sets the oscillator up and asks for the first run.
   *
   * @param ctx The node's name, clock and wake.
   */
  override setup(ctx: SetupContext): void {
    const { sampleRate, frequency } = this.config;
    this.#osc = new SineOscillator({ sampleRate, frequency, amplitude: 0.5, channels: 2 });
    this.#written = 0;
    this.#refused?.release();
    this.#refused = undefined;
    if (ctx.wake) {
      this.#wake = new SelfWake(ctx.wake);
      ctx.wake();
    }
  }

  /**
   * Computes and writes up to `burst` blocks, then asks to run again unless all are out.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const osc = this.#osc;
    if (!osc) return;
    const { blocks, blockSize, sampleRate, burst, wave } = this.config;
    const end = Math.min(blocks, this.#written + burst);
    const out = this.outputs.audio;
    const shape = { channels: 2 as const, sampleRate, frameCount: blockSize };
    // Writes only while the output has room; the runtime runs it again when room frees.
    while (this.#written < end && out.space > 0) {
      let block = this.#refused?.frame;
      if (block === undefined) {
        const fresh = ctx.frames.audio(shape);
        if (fresh === undefined) return; // no frame memory: run again when some frees
        if (wave === "silence") fresh.samples.fill(0);
        else osc.fill(fresh.samples, blockSize);
        fresh.frameNumber = this.#written;
        fresh.timestampNs = Math.round((this.#written * blockSize * 1e9) / sampleRate);
        block = fresh;
      }
      if (!out.write(block)) {
        this.#refused ??= ctx.frames.keep(block); // so no block is computed twice
        this.#wake?.retry();
        return;
      }
      this.#refused?.release();
      this.#refused = undefined;
      this.#written++;
    }
    if (this.#written < blocks && out.space > 0) this.#wake?.request();
  }

  /** Closes the wake channel and lets a refused block go. */
  override teardown(): void {
    this.#refused?.release();
    this.#refused = undefined;
    this.#wake?.close();
    this.#wake = undefined;
  }
}
