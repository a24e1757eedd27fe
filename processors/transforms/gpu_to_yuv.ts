/**
 * The {@linkcode GpuToYuv} processor.
 *
 * @module
 */

import {
  config,
  GpuNotReadyError,
  type GpuVideoFrame,
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
import type { GpuColorConverter } from "../video/gpu/color_convert.ts";
import type { GpuToYuvTypes } from "./gpu_to_yuv.gen.ts";

/** Config of {@linkcode GpuToYuv}. */
export interface GpuToYuvConfig {
  /**
   * The 4:2:0 layout to read back.
   *
   * @default "I420"
   */
  pixelFormat: "I420" | "NV12";
}

/**
 * Converts GPU video to I420 or NV12 on the GPU and reads it back into a CPU frame: one readback
 * of 1.5 bytes a pixel (instead of the RGBA download's 4, and no CPU conversion after it), so a
 * GPU chain feeds `H264Encoder` directly. The bytes are the CPU `ColorConvert`'s (BT.601 limited
 * range, chroma from each 2x2 block's average). Frames of an odd size, which 4:2:0 cannot hold,
 * are dropped and counted in the node's `framesDropped`.
 *
 * @example A grey GPU frame read back as I420
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, type GpuVideoFrame, InputBinding, OutputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { gpuToYuvNode } from "./gpu_to_yuv.gen.ts";
 *
 * const ctx = createProcessContext("yuv");
 * const device = await ctx.gpu.ready();
 * const ports = gpuToYuvNode.ports();
 * const yuv = gpuToYuvNode.create({ pixelFormat: "I420" }, ports);
 * const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * await yuv.setup(ctx);
 * const frame = ctx.frames.gpuVideo({ width: 4, height: 2, format: "RGBA" })!;
 * device.queue.writeTexture({ texture: frame.texture }, new Uint8Array(32).fill(130), { bytesPerRow: 16 }, [4, 2]);
 * source.write(frame);
 * await yuv.process(ctx);
 * const out = sink.read()!;
 * assert.equal(out.format, "I420");
 * assert.deepEqual(Array.from(out.data), Array(12).fill(128)); // Y 4x2, U 2x1, V 2x1
 * ctx.frames.flush(); // what the runtime does when process() returns
 * yuv.teardown();
 * ```
 */
@processor({ tags: ["video", "gpu", "color"], mode: "push" })
export class GpuToYuv extends Processor<GpuToYuvTypes> {
  /** GPU video (even width and height). */
  @input({ required: true })
  in!: InputPort<GpuVideoFrame>;

  /** The video in CPU memory, in `pixelFormat`. */
  @output()
  out!: OutputPort<VideoFrame>;

  /** The layout. */
  @config()
  config!: GpuToYuvConfig;

  #converter: GpuColorConverter | undefined;
  #buffer: GPUBuffer | undefined;
  #staging: GPUBuffer | undefined;
  #size = "";

  /**
   * Compiles the conversion kernels.
   *
   * @param ctx The node's context; a runtime gives it the isolate's GPU.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    if (ctx.gpu === undefined) throw new GpuNotReadyError(ctx.node);
    const { GpuColorConverter } = await import("../video/gpu/color_convert.ts"); // loaded when first used
    this.#converter = await GpuColorConverter.create(await ctx.gpu.ready());
    this.#size = "";
  }

  /**
   * Converts and reads back every frame waiting on `in`, in order.
   *
   * @param ctx The run's context.
   */
  async process(ctx: ProcessContext): Promise<void> {
    const format = this.config.pixelFormat;
    let frame;
    while (this.out.space > 0 && (frame = this.in.read()) !== undefined) {
      const { width, height } = frame;
      if (width % 2 !== 0 || height % 2 !== 0) {
        ctx.frames.drop(frame);
        continue;
      }
      const out = ctx.frames.video({ width, height, format });
      if (out === undefined) return; // no frame memory: `frame` is read again when some frees
      const device = ctx.gpu.device;
      const bytes = (width * height * 3) / 2;
      const [buffer, staging] = this.#buffersFor(device, width, height);
      const encoder = device.createCommandEncoder();
      this.#converter!.fromImage(encoder, frame.texture, buffer, format);
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, staging.size);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      out.data.set(new Uint8Array(staging.getMappedRange(), 0, bytes));
      staging.unmap();
      out.timestampNs = frame.timestampNs;
      out.frameNumber = frame.frameNumber;
      this.out.write(out);
    }
  }

  /** Destroys the buffers. */
  override teardown(): void {
    this.#buffer?.destroy();
    this.#staging?.destroy();
    this.#buffer = this.#staging = undefined;
    this.#converter?.close();
    this.#size = "";
  }

  #buffersFor(device: GPUDevice, width: number, height: number): [GPUBuffer, GPUBuffer] {
    const size = `${this.config.pixelFormat} ${width}x${height}`;
    if (size !== this.#size || !this.#buffer || !this.#staging) {
      this.#buffer?.destroy();
      this.#staging?.destroy();
      this.#buffer = device.createBuffer({
        label: size,
        size: ((width * height * 3) / 2 + 3) & ~3,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      this.#staging = device.createBuffer({
        label: `${size} readback`,
        size: this.#buffer.size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      this.#size = size;
    }
    return [this.#buffer, this.#staging];
  }
}
