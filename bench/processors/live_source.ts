/**
 * The {@linkcode LiveSource} bench processor.
 *
 * @module
 */

import {
  config,
  type FrameAllocator,
  output,
  type OutputPort,
  PlainFrameAllocator,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { LiveSourceTypes } from "./live_source.gen.ts";

/** Config of {@linkcode LiveSource}. */
export interface LiveSourceConfig {
  /**
   * Frame width in pixels.
   *
   * @integer
   * @minimum 2
   * @default 1280
   */
  width: number;
  /**
   * Frame height in pixels.
   *
   * @integer
   * @minimum 2
   * @default 720
   */
  height: number;
  /**
   * Frames per second.
   *
   * @exclusiveMinimum 0
   * @maximum 240
   * @default 30
   */
  fps: number;
}

/**
 * A live camera stand-in: one RGBA frame per loop deadline (`1 / fps`), stamped with the media
 * clock at the moment it is written, so a sink's `clock.nowNs() - timestampNs` is the time the
 * frame spent in the graph. Like `videotestsrc is-live=true pattern=black`, the pixels are not
 * redrawn per frame. Frames come from the runtime's frame allocator (`ctx.frameAllocator`, pool
 * slots that cross to Workers without a copy), holding 8; a frame the allocator cannot give is
 * skipped.
 */
@processor({ tags: ["bench", "video", "source"], mode: "loop" })
export class LiveSource extends Processor<LiveSourceTypes> {
  /** The frames. */
  @output()
  video!: OutputPort<VideoFrame>;

  /** Size and rate. */
  @config()
  config!: LiveSourceConfig;

  #allocator: FrameAllocator | undefined;
  #frames = 0;

  /**
   * Allocates the frames and declares the period.
   *
   * @param ctx The node's name, clock and loop control.
   */
  override setup(ctx: SetupContext): void {
    ctx.loop?.setPeriodNs(1e9 / this.config.fps);
    this.#allocator = ctx.frameAllocator?.(8) ?? new PlainFrameAllocator({ hold: 8 });
    this.#frames = 0;
  }

  /**
   * Writes the next frame, stamped now.
   *
   * @param ctx The node's name and clock.
   */
  process(ctx: ProcessContext): void {
    const frame = this.#allocator?.allocateVideo("RGBA", this.config.width, this.config.height);
    if (!frame) return;
    frame.frameNumber = this.#frames++;
    frame.timestampNs = ctx.clock.nowNs();
    this.outputs.video.write(frame);
  }

  /** Closes the frame allocator. */
  override teardown(): void {
    this.#allocator?.close();
    this.#allocator = undefined;
  }
}
