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
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { FrameFootprint } from "../../core/admission/footprint.ts";
import { videoScaleFootprint } from "../video/footprints.ts";
import type { BilinearScaler } from "../video/scale.ts";
import type { VideoScaleTypes } from "./video_scale.gen.ts";

/**
 * Config of {@linkcode VideoScale}.
 *
 * @example Scale 720p test frames down to 320x180 and record them
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, TestPattern, VideoScale, type VideoScaleConfig, Y4mWriter } from "@streamlib/streamlib/processors";
 *
 * const dir = await Deno.makeTempDir();
 * const config: VideoScaleConfig = { width: 320, height: 180 };
 * const rt = createRuntime();
 * const pattern = rt.add(TestPattern, { width: 1280, height: 720, pixelFormat: "I420" });
 * const scale = rt.add(VideoScale, config);
 * const writer = rt.add(Y4mWriter, { path: `${dir}/small.y4m`, ...config });
 * rt.connect(pattern.outputs.video, scale.inputs.in);
 * rt.connect(scale.outputs.out, writer.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * await rt.stop();
 * const file = await Deno.readFile(`${dir}/small.y4m`);
 * assert.equal(new TextDecoder().decode(file.subarray(0, file.indexOf(10))), "YUV4MPEG2 W320 H180 F30:1 Ip A1:1 C420jpeg");
 * assert.deepEqual(rt.frameLeaks(), []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
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

/**
 * Resizes video to a fixed size with bilinear interpolation, in the input's pixel format.
 *
 * Every plane is scaled separately (see `BilinearScaler`); frames already at the output size
 * are passed on as they are, without a copy. The scaling tables are built for the first frame's
 * format and size and rebuilt only when those change. Frames that cannot be scaled (an odd-sized
 * I420 or NV12 frame, or a payload shorter than its size) are dropped and counted in
 * {@linkcode VideoScale.droppedFrames} and the node's `framesDropped` stat. A frame that finds no
 * frame memory free for its scaled copy waits on the input and is scaled when memory frees. Input
 * frames must have tightly packed rows. Output frames come from `ctx.frames`, so they cross to Workers and native
 * code by reference.
 *
 * @example Double a 2x2 frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, InputBinding, OutputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { videoScaleNode } from "./video_scale.gen.ts";
 *
 * const ports = videoScaleNode.ports();
 * const scale = videoScaleNode.create({ width: 4, height: 4 }, ports);
 * const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("scale");
 * await scale.setup(ctx);
 * const data = new Uint8Array(16);
 * data.set([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
 * source.write({ kind: "video", width: 2, height: 2, format: "RGBA", stride: 8, timestampNs: 0, frameNumber: 0, data });
 * scale.process(ctx);
 * const out = sink.read()!;
 * assert.deepEqual([out.width, out.height], [4, 4]);
 * assert.deepEqual(Array.from({ length: 4 }, (_, x) => out.data[4 * x]), [0, 64, 191, 255]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * ```
 */
@processor({ tags: ["video", "filter", "scale"], mode: "push", needsEventLoop: false })
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

  /**
   * The frames a config makes, for admission control: `width` x `height` in the input's format,
   * counted as RGBA (4 bytes a pixel, the largest format) since the input decides.
   * The hook is `videoScaleFootprint` of `footprints.ts`, which the generated registry imports
   * without this class.
   */
  static footprint: (config: VideoScaleConfig) => FrameFootprint = videoScaleFootprint;

  #code: Awaited<ReturnType<typeof importScaling>> | undefined;
  #scaler: BilinearScaler | undefined;
  #dropped = 0;

  /** Frames dropped because they could not be scaled. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /**
   * Forgets the scaling tables of an earlier run. The scaler's code is imported here, on first
   * use, so a program that never scales does not load it.
   *
   * @param _ctx The node's name and clock.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    this.#code = await importScaling();
    this.#scaler = undefined;
    this.#dropped = 0;
  }

  /**
   * Scales every frame waiting on `in` and writes it to `out`.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const { width, height } = this.config;
    let frame;
    // One frame out per frame in: read only what the output takes now (back-pressure).
    while (this.outputs.out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      if (frame.width === width && frame.height === height) {
        this.outputs.out.write(frame); // one more reference, no copy
        continue;
      }
      const scaler = this.#scalerFor(frame);
      if (!scaler || frame.data.length < scaler.srcByteLength) {
        ctx.frames.drop(frame); // counted in the node's framesDropped too
        this.#dropped++;
        continue;
      }
      const out = ctx.frames.video({ format: frame.format, width, height });
      if (out === undefined) return; // no frame memory: the frame is read again when some frees
      scaler.scale(frame.data, out.data);
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
    const { BilinearScaler, isValidFrameSize } = this.#code!;
    if (!isValidFrameSize(frame.format, frame.width, frame.height)) return undefined;
    const { width, height } = this.config;
    this.#scaler = new BilinearScaler(frame.format, frame.width, frame.height, width, height);
    return this.#scaler;
  }
}

/** The scaling code {@linkcode VideoScale} needs, imported by its `setup()`. */
async function importScaling() {
  const [{ isValidFrameSize }, { BilinearScaler }] = await Promise.all([
    import("../video/pixel_format.ts"),
    import("../video/scale.ts"),
  ]);
  return { BilinearScaler, isValidFrameSize };
}
