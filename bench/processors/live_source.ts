/**
 * The {@linkcode LiveSource} bench processor.
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
 * drawn (a frame's contents are whatever its recycled memory held). Frames come from `ctx.frames`
 * (native frame-pool slots once the graph has a Worker, so they cross by reference); a frame that
 * finds no memory free is skipped.
 */
@processor({ tags: ["bench", "video", "source"], mode: "loop" })
export class LiveSource extends Processor<LiveSourceTypes> {
  /** The frames. */
  @output()
  video!: OutputPort<VideoFrame>;

  /** Size and rate. */
  @config()
  config!: LiveSourceConfig;

  #frames = 0;

  /**
   * Declares the period.
   *
   * @param ctx The node's name, clock and loop control.
   */
  override setup(ctx: SetupContext): void {
    ctx.loop?.setPeriodNs(1e9 / this.config.fps);
    this.#frames = 0;
  }

  /**
   * Writes the next frame from `ctx.frames`, stamped now (none when no frame memory is free).
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const { width, height } = this.config;
    const frame = ctx.frames.video({ width, height, format: "RGBA" });
    if (frame === undefined) return;
    frame.frameNumber = this.#frames++;
    frame.timestampNs = ctx.clock.nowNs();
    this.outputs.video.write(frame);
  }
}
