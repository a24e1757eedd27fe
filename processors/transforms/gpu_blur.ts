/**
 * The {@linkcode GpuBlur} processor.
 *
 * @module
 */

import {
  config,
  type GpuVideoFrame,
  input,
  type InputPort,
  output,
  type OutputPort,
  processor,
} from "../../mod.ts";
import { GpuFilter } from "../base/gpu_filter.ts";
import type { GpuBlur as BlurKernel } from "../video/gpu/blur.ts";
import type { GpuBlurTypes } from "./gpu_blur.gen.ts";

/** Config of {@linkcode GpuBlur}. */
export interface GpuBlurConfig {
  /**
   * Standard deviation of the Gaussian in pixels (the kernel reaches `ceil(3 sigma)` pixels).
   *
   * @live
   * @exclusiveMinimum 0
   * @maximum 64
   * @default 2
   */
  sigma: number;
}

/**
 * Blurs GPU video with a separable Gaussian on the GPU (two passes through a float texture,
 * edges clamped, alpha blurred like the colours), within rounding of the CPU's `gaussianBlur()`.
 * `sigma` is live. Output frames are `RGBA`, the input's size.
 *
 * @example Blur a one-pixel line
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, type GpuVideoFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 * import { gpuBlurNode } from "./gpu_blur.gen.ts";
 *
 * const ctx = createProcessContext("blur");
 * const device = await ctx.gpu.ready();
 * const ports = gpuBlurNode.ports();
 * const blur = gpuBlurNode.create({ sigma: 1 }, ports);
 * const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
 * await blur.setup(ctx);
 * const frame = ctx.frames.gpuVideo({ width: 5, height: 1, format: "RGBA" })!;
 * const line = new Uint8Array(20);
 * line.set([255, 255, 255, 255], 8); // x = 2
 * device.queue.writeTexture({ texture: frame.texture }, line, {}, [5, 1]);
 * source.write(frame);
 * blur.process(ctx);
 * const out = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * assert.ok(out[8] < 255 && out[4] > 0); // spread to x = 1
 * ```
 */
@processor({ tags: ["video", "gpu", "filter"], mode: "push" })
export class GpuBlur extends GpuFilter<GpuBlurTypes> {
  /** GPU video. */
  @input({ required: true })
  in!: InputPort<GpuVideoFrame>;

  /** The blurred video. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  /** The strength. */
  @config()
  config!: GpuBlurConfig;

  #blur: BlurKernel | undefined;

  /**
   * Compiles the two passes.
   *
   * @param device The isolate's device.
   */
  protected override async prepare(device: GPUDevice): Promise<void> {
    this.#blur?.close();
    const { GpuBlur } = await import("../video/gpu/blur.ts"); // loaded when first used
    this.#blur = await GpuBlur.create(device, this.config.sigma);
  }

  /**
   * Takes a new `sigma` from the next frame.
   *
   * @param changed The fields that changed.
   */
  override configChanged(changed: readonly string[]): void {
    if (changed.includes("sigma")) this.#blur?.setSigma(this.config.sigma);
  }

  /**
   * Records this filter's work for one frame (see `GpuFilter.record`).
   *
   * @param encoder The command encoder.
   * @param src The input frame.
   * @param dst The output texture.
   */
  protected override record(encoder: GPUCommandEncoder, src: GpuVideoFrame, dst: GPUTexture): void {
    this.#blur!.blur(encoder, src.texture, dst);
  }

  /** Destroys the weights and the intermediate texture. */
  override teardown(): void {
    this.#blur?.close();
    this.#blur = undefined;
  }
}
