/**
 * The {@linkcode ColorConvert} processor.
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
import { convertFrame } from "./video/color_convert.ts";
import { frameByteLength, isValidFrameSize } from "./video/pixel_format.ts";
import type { ColorConvertTypes } from "./color_convert.gen.ts";

/**
 * Config of {@linkcode ColorConvert}.
 *
 * @example Convert test-pattern frames from RGBA to NV12
 * ```ts
 * import { connectLocal, InputBinding, monotonicClock, type VideoFrame } from "@streamlib/streamlib";
 * import { type ColorConvertConfig, colorConvertNode, testPatternNode } from "@streamlib/streamlib/processors";
 *
 * const config: ColorConvertConfig = { pixelFormat: "NV12" };
 * const patternPorts = testPatternNode.ports();
 * const pattern = testPatternNode.create({ width: 64, height: 48, pixelFormat: "RGBA" }, patternPorts);
 * const ports = colorConvertNode.ports();
 * const convert = colorConvertNode.create(config, ports);
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(patternPorts.output("video"), ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = { node: "convert", clock: monotonicClock };
 * pattern.setup(ctx);
 * convert.setup(ctx);
 * pattern.process(ctx);
 * convert.process(ctx);
 * const frame = sink.read()!;
 * console.log(frame.format, frame.data.length); // NV12 4608
 * ```
 */
export interface ColorConvertConfig {
  /**
   * Pixel format of the output frames.
   *
   * @default "I420"
   */
  pixelFormat: "RGBA" | "BGRA" | "I420" | "NV12";
}

type Frame = { -readonly [K in keyof VideoFrame]: VideoFrame[K] };

/** Frames in the rotating pool: keep downstream connection capacities below this minus one. */
const POOL_SIZE = 8;

/**
 * Converts video between RGBA, BGRA, I420 and NV12 (BT.601 limited range for YUV, as FFmpeg
 * does by default; see `docs/media_algorithms.md`).
 *
 * RGB to 4:2:0 averages each 2x2 block's colour for its chroma; 4:2:0 to RGB uses each chroma
 * sample for its whole block; a round trip loses up to about 3 levels. Frames already in the
 * target format are passed on as they are, without a copy. Frames that cannot be converted (an
 * odd size to or from I420 or NV12, or a payload shorter than its size) are dropped and counted
 * in {@linkcode ColorConvert.droppedFrames}. Input frames must have tightly packed rows. Output
 * frames come from a rotating pool of 8, so keep downstream connection capacities below 7.
 *
 * @example Convert a red RGBA frame to I420
 * ```ts
 * import { connectLocal, InputBinding, monotonicClock, OutputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { colorConvertNode } from "@streamlib/streamlib/processors";
 *
 * const ports = colorConvertNode.ports();
 * const convert = colorConvertNode.create({ pixelFormat: "I420" }, ports);
 * const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = { node: "convert", clock: monotonicClock };
 * convert.setup(ctx);
 * const red = new Uint8Array(16);
 * for (let i = 0; i < 16; i += 4) red.set([255, 0, 0, 255], i);
 * source.write({ kind: "video", width: 2, height: 2, format: "RGBA", stride: 8, timestampNs: 0, frameNumber: 0, data: red });
 * convert.process(ctx);
 * const out = sink.read()!;
 * console.log(out.format, Array.from(out.data)); // I420 [ 81, 81, 81, 81, 90, 240 ]
 * ```
 */
@processor({ tags: ["video", "filter", "color"], mode: "push" })
export class ColorConvert extends Processor<ColorConvertTypes> {
  /** Video in any pixel format. */
  @input({ required: true })
  in!: InputPort<VideoFrame>;

  /** The video in the configured pixel format. */
  @output()
  out!: OutputPort<VideoFrame>;

  /** The target pixel format. */
  @config()
  config!: ColorConvertConfig;

  #pool: RotatingPool<Frame> | undefined;
  #dropped = 0;

  /** Frames dropped because they could not be converted. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /**
   * Allocates the output frames (their payloads are sized at the first frame of each size).
   *
   * @param _ctx The node's name and clock.
   */
  override setup(_ctx: SetupContext): void {
    const format = this.config.pixelFormat;
    this.#pool = new RotatingPool<Frame>(POOL_SIZE, () => ({
      kind: "video",
      width: 0,
      height: 0,
      format,
      stride: 0,
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array(0),
    }));
    this.#dropped = 0;
  }

  /**
   * Converts every frame waiting on `in` and writes it to `out`.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const pool = this.#pool;
    if (!pool) return;
    const target = this.config.pixelFormat;
    const rgb = target === "RGBA" || target === "BGRA";
    pool.fit(this.outputs.out.capacity);
    let frame;
    // One frame out per frame in: read only what the output takes now (back-pressure).
    while (this.outputs.out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      if (frame.format === target) {
        this.outputs.out.write(frame);
        continue;
      }
      const { width, height } = frame;
      if (
        !isValidFrameSize(frame.format, width, height) ||
        !isValidFrameSize(target, width, height) ||
        frame.data.length < frameByteLength(frame.format, width, height)
      ) {
        this.#dropped++;
        continue;
      }
      const out = pool.next();
      const bytes = frameByteLength(target, width, height);
      if (out.data.length !== bytes) out.data = new Uint8Array(bytes);
      convertFrame(frame.data, frame.format, out.data, target, width, height);
      out.width = width;
      out.height = height;
      out.stride = rgb ? width * 4 : width;
      out.timestampNs = frame.timestampNs;
      out.frameNumber = frame.frameNumber;
      this.outputs.out.write(out);
    }
  }
}
