/**
 * The {@linkcode BurstSource} bench processor.
 *
 * @module
 */

import {
  config,
  type Frame,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { BurstSourceTypes } from "./burst_source.gen.ts";
import { SelfWake } from "./self_wake.ts";

/** Config of {@linkcode BurstSource}. */
export interface BurstSourceConfig {
  /**
   * Frames to write in all; then the source goes quiet.
   *
   * @integer
   * @minimum 1
   * @default 1000000
   */
  frames: number;
  /**
   * What to write: mono audio frames of `bytes` bytes of samples, or RGBA video frames.
   *
   * @default "audio"
   */
  kind: "audio" | "video";
  /**
   * Payload bytes of each audio frame (`bytes / 4` float samples).
   *
   * @integer
   * @minimum 4
   * @multipleOf 4
   * @default 64
   */
  bytes: number;
  /**
   * Width of the video frames.
   *
   * @integer
   * @minimum 2
   * @default 1920
   */
  width: number;
  /**
   * Height of the video frames.
   *
   * @integer
   * @minimum 2
   * @default 1080
   */
  height: number;
  /**
   * Zero every video frame's pixels before writing it, as GStreamer's `fakesrc filltype=zero`
   * does; otherwise pixels are left as they are.
   *
   * @default false
   */
  fill: boolean;
  /**
   * Most frames written per `process()` call.
   *
   * @integer
   * @minimum 1
   * @default 256
   */
  burst: number;
}

/**
 * Writes numbered frames as fast as the graph takes them: each `process()` writes until the
 * output refuses one (a full `fifo`) or `burst` frames went out, then asks to run again through a
 * {@linkcode SelfWake}. Frame `n` has `frameNumber` and `timestampNs` `n`; samples are not
 * rewritten per frame, and pixels only with `fill`.
 *
 * Audio and video frames come from `ctx.frames` (native frame-pool slots once the graph has a
 * Worker, so they cross by reference); when no frame memory is free, the runtime runs the source
 * again once some is freed.
 */
@processor({ tags: ["bench", "source"], mode: "pull" })
export class BurstSource extends Processor<BurstSourceTypes> {
  /** The frames. */
  @output()
  out!: OutputPort<Frame>;

  /** How many frames, of what, in bursts of how many. */
  @config()
  config!: BurstSourceConfig;

  #wake: SelfWake | undefined;
  #written = 0;

  /** Frames written since `setup()`. */
  get written(): number {
    return this.#written;
  }

  /**
   * Asks for the first run.
   *
   * @param ctx The node's name, clock and wake.
   */
  override setup(ctx: SetupContext): void {
    this.#written = 0;
    if (ctx.wake) {
      this.#wake = new SelfWake(ctx.wake);
      ctx.wake();
    }
  }

  /**
   * Writes up to `burst` frames from `ctx.frames`, then asks to run again unless every frame is
   * out.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const { frames, burst, kind, bytes, width, height, fill } = this.config;
    const out = this.outputs.out;
    const end = Math.min(frames, this.#written + burst);
    let n = this.#written;
    let refused = false;
    // Writes only while the output has room: at a full `fifo` the runtime runs this node again
    // when the reader makes room (back-pressure), so nothing is refused.
    while (n < end && out.space > 0) {
      const frame = kind === "audio"
        ? ctx.frames.audio({ channels: 1, sampleRate: 48_000, frameCount: bytes / 4 })
        : ctx.frames.video({ width, height, format: "RGBA" });
      // No frame memory free: the runtime runs this node again once some is freed.
      if (frame === undefined) return void (this.#written = n);
      frame.frameNumber = n;
      frame.timestampNs = n;
      if (fill && frame.kind === "video") frame.data.fill(0);
      if (!out.write(frame)) {
        refused = true; // the next run waits for a task, see SelfWake
        break;
      }
      n++;
    }
    this.#written = n;
    if (refused) this.#wake?.retry();
    else if (n < frames && out.space > 0) this.#wake?.request();
  }

  /** Closes the wake channel. */
  override teardown(): void {
    this.#wake?.close();
    this.#wake = undefined;
  }
}
