/**
 * The {@linkcode BurstSource} bench processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  type Frame,
  type FrameAllocator,
  output,
  type OutputPort,
  PlainFrameAllocator,
  type ProcessContext,
  Processor,
  processor,
  RotatingPool,
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

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Writes numbered frames as fast as the graph takes them: each `process()` writes until the
 * output refuses one (a full `fifo`) or `burst` frames went out, then asks to run again through a
 * {@linkcode SelfWake}. Frame `n` has `frameNumber` and `timestampNs` `n`; samples are not
 * rewritten per frame, and pixels only with `fill`.
 *
 * Audio frames rotate through `burst + 1` objects: within one isolate a turn drains a burst
 * before the next is written, and a connection to another isolate copies the payload when the
 * frame is written. Video frames come from the runtime's frame allocator (`ctx.frameAllocator`),
 * which hands out frame-pool slots that cross to Workers without a copy; when it has none free,
 * the source waits for the next run.
 */
@processor({ tags: ["bench", "source"], mode: "pull" })
export class BurstSource extends Processor<BurstSourceTypes> {
  /** The frames. */
  @output()
  out!: OutputPort<Frame>;

  /** How many frames, of what, in bursts of how many. */
  @config()
  config!: BurstSourceConfig;

  #audio: RotatingPool<Writable<AudioFrame<1>>> | undefined;
  #video: FrameAllocator | undefined;
  #wake: SelfWake | undefined;
  #written = 0;

  /** Frames written since `setup()`. */
  get written(): number {
    return this.#written;
  }

  /**
   * Allocates the frames and asks for the first run.
   *
   * @param ctx The node's name, clock and wake.
   */
  override setup(ctx: SetupContext): void {
    const { kind, bytes, burst } = this.config;
    if (kind === "audio") {
      this.#audio = new RotatingPool<Writable<AudioFrame<1>>>(burst + 1, () => ({
        kind: "audio",
        channels: 1,
        sampleRate: 48_000,
        frameCount: bytes / 4,
        samples: new Float32Array(bytes / 4),
        timestampNs: 0,
        frameNumber: 0,
      }));
    } else {
      const hold = burst + 1;
      this.#video = ctx.frameAllocator?.(hold) ?? new PlainFrameAllocator({ hold });
    }
    this.#written = 0;
    if (ctx.wake) {
      this.#wake = new SelfWake(ctx.wake);
      ctx.wake();
    }
  }

  /**
   * Writes up to `burst` frames, then asks to run again unless every frame is out.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const { frames, burst, width, height, fill } = this.config;
    const audio = this.#audio;
    const video = this.#video;
    const out = this.outputs.out;
    const end = Math.min(frames, this.#written + burst);
    audio?.fit(out.capacity);
    let n = this.#written;
    let refused = false;
    // Writes only while the output has room: at a full `fifo` the runtime runs this node again
    // when the reader makes room (back-pressure), so nothing is refused.
    while (n < end && out.space > 0) {
      const frame = audio ? audio.next() : video?.allocateVideo("RGBA", width, height);
      if (frame) {
        frame.frameNumber = n;
        frame.timestampNs = n;
        if (fill && frame.kind === "video") frame.data.fill(0);
      }
      // No pool slot free: the next run waits for a task, see SelfWake.
      if (!frame || !out.write(frame)) {
        refused = true;
        break;
      }
      n++;
    }
    this.#written = n;
    if (refused) this.#wake?.retry();
    else if (n < frames && out.space > 0) this.#wake?.request();
  }

  /** Closes the wake channel and the frame allocator. */
  override teardown(): void {
    this.#wake?.close();
    this.#wake = undefined;
    this.#video?.close();
    this.#video = undefined;
    this.#audio = undefined;
  }
}
