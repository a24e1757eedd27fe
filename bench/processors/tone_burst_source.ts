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
  RotatingPool,
  type SetupContext,
} from "../../mod.ts";
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
   * Wave shape: a sine computed per sample (`audiotestsrc wave=sine`), or silence, a block
   * cleared per write (`wave=silence`), which leaves the cost of the graph and the mixer.
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

type Block = { -readonly [K in keyof AudioFrame<2>]: AudioFrame<2>[K] };

const TAU = 2 * Math.PI;

/**
 * Writes stereo sine (or silent) blocks as fast as the graph takes them, like GStreamer's `audiotestsrc`
 * without `is-live`: each `process()` computes and writes blocks until the output refuses one or
 * `burst` went out, then asks to run again through a {@linkcode SelfWake}. Blocks rotate through
 * `burst + 1` objects.
 */
@processor({ tags: ["bench", "audio", "source"], mode: "pull" })
export class ToneBurstSource extends Processor<ToneBurstSourceTypes> {
  /** The tone, stereo. */
  @output()
  audio!: OutputPort<AudioFrame<2>>;

  /** How many blocks of what size, at what pitch. */
  @config()
  config!: ToneBurstSourceConfig;

  #pool: RotatingPool<Block> | undefined;
  #wake: SelfWake | undefined;
  #written = 0;
  #phase = 0;
  #held: Block | undefined;

  /**
   * Allocates the blocks and asks for the first run.
   *
   * @param ctx The node's name, clock and wake.
   */
  override setup(ctx: SetupContext): void {
    const { blockSize, sampleRate, burst } = this.config;
    this.#pool = new RotatingPool<Block>(burst + 1, () => ({
      kind: "audio",
      channels: 2,
      sampleRate,
      frameCount: blockSize,
      samples: new Float32Array(2 * blockSize),
      timestampNs: 0,
      frameNumber: 0,
    }));
    this.#written = 0;
    this.#phase = 0;
    this.#held = undefined;
    if (ctx.wake) {
      this.#wake = new SelfWake(ctx.wake);
      ctx.wake();
    }
  }

  /**
   * Computes and writes up to `burst` blocks, then asks to run again unless all are out.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const pool = this.#pool;
    if (!pool) return;
    const { blocks, blockSize, frequency, sampleRate, burst, wave } = this.config;
    const end = Math.min(blocks, this.#written + burst);
    const step = frequency / sampleRate;
    const out = this.outputs.audio;
    pool.fit(out.capacity);
    // Writes only while the output has room; the runtime runs it again when room frees.
    while (this.#written < end && out.space > 0) {
      let block = this.#held;
      if (!block) {
        block = pool.next();
        const samples = block.samples;
        if (wave === "silence") {
          samples.fill(0);
        } else {
          let phase = this.#phase;
          for (let i = 0; i < blockSize; i++) {
            const value = 0.5 * Math.sin(TAU * phase);
            samples[2 * i] = value;
            samples[2 * i + 1] = value;
            phase += step;
            if (phase >= 1) phase -= 1;
          }
          this.#phase = phase;
        }
        block.frameNumber = this.#written;
        block.timestampNs = Math.round((this.#written * blockSize * 1e9) / sampleRate);
      }
      if (!this.outputs.audio.write(block)) {
        this.#held = block; // written first next time, so no block is computed twice
        this.#wake?.retry();
        return;
      }
      this.#held = undefined;
      this.#written++;
    }
    if (this.#written < blocks && out.space > 0) this.#wake?.request();
  }

  /** Closes the wake channel. */
  override teardown(): void {
    this.#wake?.close();
    this.#wake = undefined;
  }
}
