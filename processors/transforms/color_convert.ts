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
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { ColorConvertTypes } from "./color_convert.gen.ts";

/**
 * Config of {@linkcode ColorConvert}.
 *
 * @example Convert test-pattern frames from RGBA to NV12
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, InputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { type ColorConvertConfig } from "@streamlib/streamlib/processors";
 * import { colorConvertNode } from "./color_convert.gen.ts";
 * import { testPatternNode } from "../sources/test_pattern.gen.ts";
 *
 * const config: ColorConvertConfig = { pixelFormat: "NV12" };
 * const patternPorts = testPatternNode.ports();
 * const pattern = testPatternNode.create({ width: 64, height: 48, pixelFormat: "RGBA" }, patternPorts);
 * const ports = colorConvertNode.ports();
 * const convert = colorConvertNode.create(config, ports);
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(patternPorts.output("video"), ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("convert");
 * await pattern.setup(ctx);
 * await convert.setup(ctx);
 * pattern.process(ctx);
 * convert.process(ctx);
 * const frame = sink.read()!;
 * assert.deepEqual([frame.format, frame.data.length], ["NV12", 4608]);
 * ctx.frames.flush(); // what the runtime does when process() returns
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

/**
 * Converts video between RGBA, BGRA, I420 and NV12 (BT.601 limited range for YUV, as FFmpeg
 * does by default; see `docs/media_algorithms.md`).
 *
 * RGB to 4:2:0 averages each 2x2 block's colour for its chroma; 4:2:0 to RGB uses each chroma
 * sample for its whole block; a round trip loses up to about 3 levels. Frames already in the
 * target format are passed on as they are, without a copy (one more reference to the same frame).
 * Converted frames come from `ctx.frames`, so they cross to Workers and native code by reference.
 * Frames that cannot be converted (an odd size to or from I420 or NV12, or a payload shorter than
 * its size) are dropped and counted in {@linkcode ColorConvert.droppedFrames} and the node's
 * `framesDropped`. A frame that finds no frame memory free for its conversion waits on the input
 * and is converted when memory frees. Input frames must have tightly packed rows.
 *
 * @example Convert a red RGBA frame to I420
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, InputBinding, OutputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { colorConvertNode } from "./color_convert.gen.ts";
 *
 * const ports = colorConvertNode.ports();
 * const convert = colorConvertNode.create({ pixelFormat: "I420" }, ports);
 * const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("convert");
 * await convert.setup(ctx);
 * const red = new Uint8Array(16);
 * for (let i = 0; i < 16; i += 4) red.set([255, 0, 0, 255], i);
 * source.write({ kind: "video", width: 2, height: 2, format: "RGBA", stride: 8, timestampNs: 0, frameNumber: 0, data: red });
 * convert.process(ctx);
 * const out = sink.read()!;
 * assert.equal(out.format, "I420");
 * assert.deepEqual(Array.from(out.data), [81, 81, 81, 81, 90, 240]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * ```
 */
@processor({ tags: ["video", "filter", "color"], mode: "push", needsEventLoop: false })
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

  #code: Awaited<ReturnType<typeof importConversion>> | undefined;
  #dropped = 0;

  /** Frames dropped because they could not be converted. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /**
   * Starts counting dropped frames again. The conversion code is imported here, on first use,
   * so a program that never converts does not load it.
   *
   * @param _ctx The node's name and clock.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    this.#code = await importConversion();
    this.#dropped = 0;
  }

  /**
   * Converts every frame waiting on `in` and writes it to `out`.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const target = this.config.pixelFormat;
    const { convertFrame, frameByteLength, isValidFrameSize } = this.#code!;
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
        ctx.frames.drop(frame); // counted in the node's framesDropped too
        this.#dropped++;
        continue;
      }
      const out = ctx.frames.video({ width, height, format: target });
      if (out === undefined) return; // no frame memory: the frame is read again when some frees
      convertFrame(frame.data, frame.format, out.data, target, width, height);
      out.timestampNs = frame.timestampNs;
      out.frameNumber = frame.frameNumber;
      this.outputs.out.write(out);
    }
  }
}

/** The conversion code {@linkcode ColorConvert} needs, imported by its `setup()`. */
async function importConversion() {
  const [{ convertFrame }, { frameByteLength, isValidFrameSize }] = await Promise.all([
    import("../video/color_convert.ts"),
    import("../video/pixel_format.ts"),
  ]);
  return { convertFrame, frameByteLength, isValidFrameSize };
}
