/**
 * The {@linkcode YuvToGpu} processor.
 *
 * @module
 */

import {
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
import type { YuvToGpuTypes } from "./yuv_to_gpu.gen.ts";

/**
 * Puts CPU video of any pixel format on the GPU as `RGBA` frames, converting on the GPU: the
 * frame's own bytes are uploaded (1.5 a pixel for I420 and NV12, from decoders and cameras) and
 * converted by a kernel, byte for byte as the CPU's `ColorConvert` (BT.601 limited range, each
 * chroma sample over its 2x2 block). The connections' own upload takes only RGBA and BGRA; this
 * is the way in for 4:2:0. Frames whose payload is shorter than their size, or that are odd-sized
 * in a 4:2:0 format, are dropped and counted in the node's `framesDropped`.
 *
 * @example An NV12 grey frame onto the GPU
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, type GpuVideoFrame, InputBinding, OutputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 * import { yuvToGpuNode } from "./yuv_to_gpu.gen.ts";
 *
 * const ctx = createProcessContext("up");
 * const device = await ctx.gpu.ready();
 * const ports = yuvToGpuNode.ports();
 * const up = yuvToGpuNode.create({}, ports);
 * const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
 * await up.setup(ctx);
 * const data = new Uint8Array(4 * 2 * 3 / 2).fill(128);
 * source.write({ kind: "video", width: 4, height: 2, format: "NV12", stride: 4, timestampNs: 0, frameNumber: 0, data });
 * up.process(ctx);
 * const pixels = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * up.teardown();
 * assert.deepEqual(Array.from(pixels.subarray(0, 4)), [130, 130, 130, 255]); // as convertFrame()
 * ```
 */
@processor({ tags: ["video", "gpu", "color"], mode: "push" })
export class YuvToGpu extends Processor<YuvToGpuTypes> {
  /** CPU video: RGBA, BGRA, I420 or NV12, rows tightly packed. */
  @input({ required: true })
  in!: InputPort<VideoFrame>;

  /** The video on the GPU, `RGBA`. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  #code: Awaited<ReturnType<typeof importCode>> | undefined;
  #converter: GpuColorConverter | undefined;
  #buffer: GPUBuffer | undefined;

  /**
   * Compiles the conversion kernels.
   *
   * @param ctx The node's context; a runtime gives it the isolate's GPU.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    if (ctx.gpu === undefined) throw new GpuNotReadyError(ctx.node);
    this.#code = await importCode();
    this.#converter = await this.#code.GpuColorConverter.create(await ctx.gpu.ready());
  }

  /**
   * Uploads and converts every frame waiting on `in`.
   *
   * @param ctx The run's context.
   */
  process(ctx: ProcessContext): void {
    const { isValidFrameSize, frameByteLength, packedBufferSize, writePacked } = this.#code!;
    let frame;
    while (this.out.space > 0 && (frame = this.in.read()) !== undefined) {
      const { width, height, format } = frame;
      if (
        !isValidFrameSize(format, width, height) ||
        frame.data.length < frameByteLength(format, width, height)
      ) {
        ctx.frames.drop(frame);
        continue;
      }
      const made = ctx.frames.gpuVideo({ width, height, format: "RGBA" });
      if (made === undefined) return; // no texture free: `frame` is read again when one frees
      const device = ctx.gpu.device;
      const size = packedBufferSize(format, width, height);
      if (this.#buffer === undefined || this.#buffer.size < size) {
        this.#buffer?.destroy();
        this.#buffer = device.createBuffer({
          label: "YuvToGpu upload",
          size,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
        });
      }
      writePacked(
        device,
        this.#buffer,
        frame.data.subarray(0, frameByteLength(format, width, height)),
      );
      const encoder = device.createCommandEncoder();
      this.#converter!.toImage(encoder, this.#buffer, format, made.texture);
      device.queue.submit([encoder.finish()]);
      made.timestampNs = frame.timestampNs;
      made.frameNumber = frame.frameNumber;
      this.out.write(made);
    }
  }

  /** Destroys the upload buffer. */
  override teardown(): void {
    this.#buffer?.destroy();
    this.#buffer = undefined;
    this.#converter?.close();
  }
}

/** What {@linkcode YuvToGpu} needs, imported by its `setup()`. */
async function importCode() {
  const [
    { GpuColorConverter },
    { packedBufferSize, writePacked },
    { frameByteLength, isValidFrameSize },
  ] = await Promise.all([
    import("../video/gpu/color_convert.ts"),
    import("../video/gpu/packed_frame.ts"),
    import("../video/pixel_format.ts"),
  ]);
  return { GpuColorConverter, frameByteLength, isValidFrameSize, packedBufferSize, writePacked };
}
