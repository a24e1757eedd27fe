/**
 * The {@linkcode VideoScale} processor.
 *
 * @module
 */

import {
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
  type VideoFrame,
} from "../mod.ts";
import { isValidFrameSize } from "./video/pixel_format.ts";
import { BilinearScaler } from "./video/scale.ts";
import type { VideoScaleTypes } from "./video_scale.gen.ts";

/** Config of {@linkcode VideoScale}. */
export interface VideoScaleConfig {
  /**
   * Output width in pixels; even, so every pixel format can be produced.
   *
   * @integer
   * @minimum 2
   * @maximum 7680
   * @multipleOf 2
   * @default 640
   */
  width: number;
  /**
   * Output height in pixels; even, so every pixel format can be produced.
   *
   * @integer
   * @minimum 2
   * @maximum 4320
   * @multipleOf 2
   * @default 480
   */
  height: number;
}

type Frame = { -readonly [K in keyof VideoFrame]: VideoFrame[K] };

/** Frames in the rotating pool: keep downstream connection capacities below this minus one. */
const POOL_SIZE = 8;

/**
 * Resizes video to a fixed size with bilinear interpolation, in the input's pixel format.
 *
 * Every plane is scaled separately (see `BilinearScaler`); frames already at the output size
 * are passed on as they are, without a copy. The scaling tables are built for the first frame's
 * format and size and rebuilt only when those change. Frames that cannot be scaled (an odd-sized
 * I420 or NV12 frame, or a payload shorter than its size) are dropped and counted in
 * {@linkcode VideoScale.droppedFrames}. Input frames must have tightly packed rows. Output frames
 * come from a rotating pool of 8, so keep downstream connection capacities below 7.
 *
 * @example Double a 2x2 frame
 * ```ts
 * import { connectLocal, InputBinding, monotonicClock, OutputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { videoScaleNode } from "@streamlib/streamlib/processors";
 *
 * const ports = videoScaleNode.ports();
 * const scale = videoScaleNode.create({ width: 4, height: 4 }, ports);
 * const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = { node: "scale", clock: monotonicClock };
 * scale.setup(ctx);
 * const data = new Uint8Array(16);
 * data.set([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
 * source.write({ kind: "video", width: 2, height: 2, format: "RGBA", stride: 8, timestampNs: 0, frameNumber: 0, data });
 * scale.process(ctx);
 * const out = sink.read()!;
 * console.log(out.width, out.height, Array.from({ length: 4 }, (_, x) => out.data[4 * x])); // 4 4 [ 0, 64, 191, 255 ]
 * ```
 */
@processor({ tags: ["video", "filter", "scale"], mode: "push" })
export class VideoScale extends Processor<VideoScaleTypes> {
  /** Video to resize, any pixel format. */
  @input({ required: true })
  in!: InputPort<VideoFrame>;

  /** The resized video, in the input's pixel format. */
  @output()
  out!: OutputPort<VideoFrame>;

  /** The output size. */
  @config()
  config!: VideoScaleConfig;

  #pool: RotatingPool<Frame> | undefined;
  #scaler: BilinearScaler | undefined;
  #dropped = 0;

  /** Frames dropped because they could not be scaled. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /**
   * Allocates the output frames (their payloads are sized at the first frame of each format).
   *
   * @param _ctx The node's name and clock.
   */
  override setup(_ctx: SetupContext): void {
    const { width, height } = this.config;
    this.#pool = new RotatingPool<Frame>(POOL_SIZE, () => ({
      kind: "video",
      width,
      height,
      format: "RGBA",
      stride: width * 4,
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array(0),
    }));
    this.#scaler = undefined;
    this.#dropped = 0;
  }

  /**
   * Scales every frame waiting on `in` and writes it to `out`.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const pool = this.#pool;
    if (!pool) return;
    const { width, height } = this.config;
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      if (frame.width === width && frame.height === height) {
        this.outputs.out.write(frame);
        continue;
      }
      const scaler = this.#scalerFor(frame);
      if (!scaler || frame.data.length < scaler.srcByteLength) {
        this.#dropped++;
        continue;
      }
      const out = pool.next();
      if (out.data.length !== scaler.dstByteLength) out.data = new Uint8Array(scaler.dstByteLength);
      scaler.scale(frame.data, out.data);
      out.format = frame.format;
      out.stride = frame.format === "RGBA" || frame.format === "BGRA" ? width * 4 : width;
      out.timestampNs = frame.timestampNs;
      out.frameNumber = frame.frameNumber;
      this.outputs.out.write(out);
    }
  }

  /** The scaler for `frame`'s format and size, rebuilt on a change; `undefined` if impossible. */
  #scalerFor(frame: VideoFrame): BilinearScaler | undefined {
    const current = this.#scaler;
    if (
      current && current.format === frame.format && current.srcWidth === frame.width &&
      current.srcHeight === frame.height
    ) {
      return current;
    }
    if (!isValidFrameSize(frame.format, frame.width, frame.height)) return undefined;
    const { width, height } = this.config;
    this.#scaler = new BilinearScaler(frame.format, frame.width, frame.height, width, height);
    return this.#scaler;
  }
}
