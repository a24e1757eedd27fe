/**
 * The {@linkcode PatternBurstSource} bench processor.
 *
 * @module
 */

import {
  config,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import { TestPatternRenderer } from "../../processors/video/test_pattern.ts";
import type { PatternBurstSourceTypes } from "./pattern_burst_source.gen.ts";
import { SelfWake } from "./self_wake.ts";

/** Config of {@linkcode PatternBurstSource}. */
export interface PatternBurstSourceConfig {
  /**
   * Frames to write in all.
   *
   * @integer
   * @minimum 1
   */
  frames: number;
  /**
   * Frame width (even).
   *
   * @integer
   * @minimum 16
   * @maximum 3840
   */
  width: number;
  /**
   * Frame height (even).
   *
   * @integer
   * @minimum 16
   * @maximum 2160
   */
  height: number;
}

/**
 * Renders I420 test-pattern frames (SMPTE bars and a moving box) as fast as the graph accepts
 * them, for `bench/encode_bench.ts`: the same frames the bare-encoder row encodes.
 */
@processor({ tags: ["bench", "source", "video"], mode: "pull" })
export class PatternBurstSource extends Processor<PatternBurstSourceTypes> {
  /** The frames. */
  @output()
  out!: OutputPort<VideoFrame>;

  /** Count and size. */
  @config()
  config!: PatternBurstSourceConfig;

  #renderer: TestPatternRenderer | undefined;
  #wake: SelfWake | undefined;
  #written = 0;

  /**
   * Prepares the renderer, and wakes itself.
   *
   * @param ctx The node's context.
   */
  override setup(ctx: SetupContext): void {
    const { width, height } = this.config;
    this.#renderer = new TestPatternRenderer("I420", width, height);
    this.#written = 0;
    if (ctx.wake) {
      this.#wake = new SelfWake(ctx.wake);
      ctx.wake();
    }
  }

  /**
   * Writes the next frame, or waits for room or frame memory.
   *
   * @param ctx The node's context.
   */
  process(ctx: ProcessContext): void {
    const { frames, width, height } = this.config;
    if (this.#written >= frames || this.outputs.out.space === 0) return; // woken when room frees
    const frame = ctx.frames.video({ width, height, format: "I420" });
    if (frame === undefined) return; // the runtime runs this node again once memory is freed
    this.#renderer!.render(this.#written, frame.data);
    frame.frameNumber = this.#written;
    frame.timestampNs = Math.round(this.#written * 1e9 / 30);
    if (!this.outputs.out.write(frame)) return this.#wake?.retry();
    this.#written++;
    if (this.#written < frames && this.outputs.out.space > 0) this.#wake?.request();
  }

  /** Stops waking itself. */
  override teardown(): void {
    this.#wake?.close();
    this.#wake = undefined;
  }
}
