/**
 * The {@linkcode GpuScale} processor.
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
import type { GpuScaler } from "../video/gpu/scale.ts";
import type { GpuScaleTypes } from "./gpu_scale.gen.ts";

/** Config of {@linkcode GpuScale}. */
export interface GpuScaleConfig {
  /**
   * Output width in pixels.
   *
   * @integer
   * @minimum 1
   * @maximum 8192
   * @default 640
   */
  width: number;
  /**
   * Output height in pixels.
   *
   * @integer
   * @minimum 1
   * @maximum 8192
   * @default 360
   */
  height: number;
}

/**
 * Resizes GPU video with bilinear interpolation on the GPU, byte for byte as `VideoScale` scales
 * an RGBA frame on the CPU (sample centres onto sample centres, 8-bit weights; shrinking by more
 * than 2x skips pixels). Frames already at the size go on as they are. Output frames are `RGBA`.
 *
 * @example Scale 640x360 test frames to 320x180 on the GPU
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, GpuScale, NullSink, TestPattern } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const pattern = rt.add(TestPattern, { width: 640, height: 360, pixelFormat: "RGBA" });
 * const scale = rt.add(GpuScale, { width: 320, height: 180 });
 * const sink = rt.add(NullSink);
 * rt.connect(pattern.outputs.video, scale.inputs.in); // uploads
 * rt.connect(scale.outputs.out, sink.inputs.in); // downloads
 * await rt.start();
 * const deadline = Date.now() + 30_000; // wait for frames, however busy the machine
 * while (rt.stats().nodes[sink.name].framesIn < 3 && Date.now() < deadline) {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 * }
 * await rt.stop();
 * assert.ok(rt.stats().nodes[scale.name].framesOut >= 3);
 * assert.deepEqual(rt.frameLeaks(), []);
 * ```
 */
@processor({ tags: ["video", "gpu", "scale"], mode: "push" })
export class GpuScale extends GpuFilter<GpuScaleTypes> {
  /** GPU video to resize. */
  @input({ required: true })
  in!: InputPort<GpuVideoFrame>;

  /** The resized video. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  /** The output size. */
  @config()
  config!: GpuScaleConfig;

  #scaler: GpuScaler | undefined;

  /**
   * Compiles the kernel (for the output size; the input's size comes with the first frame).
   *
   * @param device The isolate's device.
   */
  protected override async prepare(device: GPUDevice): Promise<void> {
    this.#scaler?.close();
    const { width, height } = this.config;
    const { GpuScaler } = await import("../video/gpu/scale.ts"); // loaded when first used
    this.#scaler = await GpuScaler.create(device, width, height, width, height);
  }

  /**
   * Frames already at the size go on as they are.
   *
   * @param src The input frame.
   * @returns Whether it is at the output size.
   */
  protected override passThrough(src: GpuVideoFrame): boolean {
    return src.width === this.config.width && src.height === this.config.height;
  }

  /**
   * The configured size.
   *
   * @returns `width` and `height` of the config.
   */
  protected override outputSize(): { width: number; height: number } {
    return this.config;
  }

  /**
   * Records this filter's work for one frame (see `GpuFilter.record`).
   *
   * @param encoder The command encoder.
   * @param src The input frame.
   * @param dst The output texture.
   */
  protected override record(encoder: GPUCommandEncoder, src: GpuVideoFrame, dst: GPUTexture): void {
    this.#scalerFor(src).scale(encoder, src.texture, dst);
  }

  #scalerFor(src: GpuVideoFrame): GpuScaler {
    const current = this.#scaler!;
    if (current.srcWidth === src.width && current.srcHeight === src.height) return current;
    this.#scaler = current.withSizes(src.width, src.height);
    current.close();
    return this.#scaler;
  }

  /** Destroys the scaling tables. */
  override teardown(): void {
    this.#scaler?.close();
    this.#scaler = undefined;
  }
}
