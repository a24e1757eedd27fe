/**
 * {@linkcode GpuFilter}: the base of GPU video filters, one GPU frame in, one out.
 *
 * @module
 */

import {
  GpuNotReadyError,
  type GpuVideoFrame,
  type InputPort,
  type OutputPort,
  type ProcessContext,
  Processor,
  type ProcessorTypes,
  type SetupContext,
} from "../../mod.ts";

/**
 * The skeleton every one-in, one-out GPU filter shares, as `GstGLFilter` is GStreamer's: the
 * device is awaited before `setup()` hands it to {@linkcode GpuFilter.prepare} (compile kernels
 * there), and `process()` reads each frame from `in`, takes an `RGBA` texture of
 * {@linkcode GpuFilter.outputSize} from `ctx.frames.gpuVideo()`, lets
 * {@linkcode GpuFilter.record} record the work into a command encoder, submits it and writes the
 * new frame to `out` with the input's timestamp and number. Nothing waits for the GPU: the next
 * node's commands are queued after these. No frame memory free: the run returns and the frame is
 * read again when a texture frees.
 *
 * The subclass declares the two ports with their decorators (codegen reads the class it
 * generates for) and its config.
 *
 * @typeParam T The subclass's generated types.
 *
 * @example A filter that mirrors video left to right with a copy per column
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   connectLocal, createProcessContext, type GpuVideoFrame, input, InputBinding, type InputPort,
 *   output, OutputBinding, type OutputPort, processor, type ProcessorTypes,
 * } from "@streamlib/streamlib";
 * import { GpuFilter } from "@streamlib/streamlib/processors/base";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 *
 * @processor({ tags: ["video", "gpu"], mode: "push" })
 * class Mirror extends GpuFilter<ProcessorTypes> {
 *   @input({ required: true })
 *   in!: InputPort<GpuVideoFrame>;
 *   @output()
 *   out!: OutputPort<GpuVideoFrame>;
 *   protected prepare(): void {}
 *   protected record(encoder: GPUCommandEncoder, src: GpuVideoFrame, dst: GPUTexture): void {
 *     for (let x = 0; x < src.width; x++) {
 *       encoder.copyTextureToTexture(
 *         { texture: src.texture, origin: [x, 0] },
 *         { texture: dst, origin: [src.width - 1 - x, 0] },
 *         [1, src.height],
 *       );
 *     }
 *   }
 * }
 *
 * const mirror = new Mirror();
 * const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(source, mirror.in as InputBinding<GpuVideoFrame>);
 * connectLocal(mirror.out as OutputBinding<GpuVideoFrame>, sink);
 * const ctx = createProcessContext("mirror");
 * const device = await ctx.gpu.ready();
 * await mirror.setup(ctx);
 * const frame = ctx.frames.gpuVideo({ width: 2, height: 1, format: "RGBA" })!;
 * device.queue.writeTexture({ texture: frame.texture }, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), {}, [2, 1]);
 * source.write(frame);
 * mirror.process(ctx);
 * const pixels = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * assert.deepEqual(Array.from(pixels), [5, 6, 7, 8, 1, 2, 3, 4]);
 * ```
 */
export abstract class GpuFilter<T extends ProcessorTypes> extends Processor<T> {
  /** GPU frames to filter: the subclass declares it `@input({ required: true })`. */
  abstract in: InputPort<GpuVideoFrame>;
  /** The filtered frames: the subclass declares it `@output()`. */
  abstract out: OutputPort<GpuVideoFrame>;

  /**
   * Compiles the filter's kernels on the device; called by `setup()`, again after a device loss.
   *
   * @param device The isolate's device.
   */
  protected abstract prepare(device: GPUDevice): Promise<void> | void;

  /**
   * Records the work for one frame.
   *
   * @param encoder The command encoder, submitted after this returns.
   * @param src The input frame.
   * @param dst The output texture (`rgba8unorm`, {@linkcode GpuFilter.outputSize}).
   * @param ctx The run's context.
   */
  protected abstract record(
    encoder: GPUCommandEncoder,
    src: GpuVideoFrame,
    dst: GPUTexture,
    ctx: ProcessContext,
  ): void;

  /**
   * The output's size for an input frame: the input's own unless overridden.
   *
   * @param src The input frame.
   * @returns The output size.
   */
  protected outputSize(src: GpuVideoFrame): { width: number; height: number } {
    return src;
  }

  /**
   * Whether the input frame goes on as it is, with no work (a scaler at the target size).
   *
   * @param _src The input frame.
   * @returns `false` unless overridden.
   */
  protected passThrough(_src: GpuVideoFrame): boolean {
    return false;
  }

  /**
   * Awaits the device and prepares the kernels on it.
   *
   * @param ctx The node's context; a runtime gives it the isolate's GPU.
   * @throws {GpuUnavailableError} Where there is no WebGPU adapter.
   * @throws {GpuNotReadyError} When the context has no GPU (a context made without a runtime).
   */
  override async setup(ctx: SetupContext): Promise<void> {
    if (ctx.gpu === undefined) throw new GpuNotReadyError(ctx.node);
    await this.prepare(await ctx.gpu.ready());
  }

  /**
   * Filters every frame waiting on `in`, as many as `out` takes.
   *
   * @param ctx The run's context.
   */
  process(ctx: ProcessContext): void {
    const out = this.out;
    let frame;
    while (out.space > 0 && (frame = this.in.read()) !== undefined) {
      if (this.passThrough(frame)) {
        out.write(frame);
        continue;
      }
      const { width, height } = this.outputSize(frame);
      const made = ctx.frames.gpuVideo({ width, height, format: "RGBA" });
      if (made === undefined) return; // no texture free: `frame` is read again when one frees
      const device = ctx.gpu.device;
      const encoder = device.createCommandEncoder();
      this.record(encoder, frame, made.texture, ctx);
      device.queue.submit([encoder.finish()]);
      made.timestampNs = frame.timestampNs;
      made.frameNumber = frame.frameNumber;
      out.write(made);
    }
  }
}
