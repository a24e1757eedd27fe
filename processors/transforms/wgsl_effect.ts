/**
 * The {@linkcode WgslEffect} processor.
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
import type { PixelEffect } from "../video/gpu/pixel_effect.ts";
import type { WgslEffectTypes } from "./wgsl_effect.gen.ts";

/** Config of {@linkcode WgslEffect}. */
export interface WgslEffectConfig {
  /**
   * WGSL defining `fn effect(c: vec4f, uv: vec2f) -> vec4f`: the pixel `c` (RGBA, 0 to 1) at
   * `uv` (its centre, 0 to 1 from the top left) in, the new pixel out. It may read `params.<name>`
   * (each of `params`), `frame.size` (pixels), `frame.time` (seconds since the first frame), and
   * neighbours with `textureLoad(src, xy, 0)` or `textureSampleLevel(src, srcSampler, uv, 0.0)`.
   *
   * @minLength 1
   * @default "fn effect(c: vec4f, uv: vec2f) -> vec4f { return c; }"
   */
  wgsl: string;
  /**
   * The effect's parameters by name (WGSL identifiers), `f32` in `params`. Live: new values apply
   * from the next frame; the names are fixed when the node is set up.
   *
   * @live
   * @default {}
   */
  params: Record<string, number>;
}

/**
 * Runs one WGSL function on every pixel of GPU video: the whole effect is the function, with
 * no pipeline, binding or dispatch code (`PixelEffect` writes the kernel around it). WGSL the
 * device refuses fails `setup()` with `WgslError` (`wgsl_invalid`), its messages numbered by the
 * lines of `wgsl`. Output frames are `RGBA`, the input's size.
 *
 * @example Invert a pixel, driven by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, type GpuVideoFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 * import { wgslEffectNode } from "./wgsl_effect.gen.ts";
 *
 * const ctx = createProcessContext("invert");
 * const device = await ctx.gpu.ready();
 * const ports = wgslEffectNode.ports();
 * const invert = wgslEffectNode.create({
 *   wgsl: "fn effect(c: vec4f, uv: vec2f) -> vec4f { return vec4f(params.level - c.rgb, c.a); }",
 *   params: { level: 1 },
 * }, ports);
 * const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
 * await invert.setup(ctx);
 * const frame = ctx.frames.gpuVideo({ width: 1, height: 1, format: "RGBA" })!;
 * device.queue.writeTexture({ texture: frame.texture }, new Uint8Array([255, 0, 100, 255]), {}, [1, 1]);
 * source.write(frame);
 * invert.process(ctx);
 * const pixel = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * assert.deepEqual(Array.from(pixel), [0, 255, 155, 255]);
 * ```
 */
@processor({ tags: ["video", "gpu", "effect"], mode: "push" })
export class WgslEffect extends GpuFilter<WgslEffectTypes> {
  /** GPU video. */
  @input({ required: true })
  in!: InputPort<GpuVideoFrame>;

  /** The video with the effect. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  /** The effect and its parameters. */
  @config()
  config!: WgslEffectConfig;

  #effect: PixelEffect | undefined;
  #start: number | undefined;

  /**
   * Compiles the effect.
   *
   * @param device The isolate's device.
   * @throws {WgslError} When the device refuses the WGSL.
   */
  protected override async prepare(device: GPUDevice): Promise<void> {
    this.#effect?.close();
    this.#effect = undefined;
    const { PixelEffect } = await import("../video/gpu/pixel_effect.ts"); // loaded when first used
    const effect = await PixelEffect.create(device, {
      name: "WgslEffect",
      wgsl: this.config.wgsl,
      params: Object.keys(this.config.params),
    });
    effect.setParams(this.config.params);
    this.#effect = effect;
    this.#start = undefined;
  }

  /**
   * Applies new parameter values from the next frame.
   *
   * @param changed The fields that changed.
   * @throws {RangeError} On a parameter the effect was not set up with.
   */
  override configChanged(changed: readonly string[]): void {
    if (changed.includes("params")) this.#effect?.setParams(this.config.params);
  }

  /**
   * Records this filter's work for one frame (see `GpuFilter.record`).
   *
   * @param encoder The command encoder.
   * @param src The input frame.
   * @param dst The output texture.
   */
  protected override record(encoder: GPUCommandEncoder, src: GpuVideoFrame, dst: GPUTexture): void {
    this.#start ??= src.timestampNs;
    this.#effect!.apply(encoder, src.texture, dst, (src.timestampNs - this.#start) / 1e9);
  }

  /** Destroys the effect's uniforms. */
  override teardown(): void {
    this.#effect?.close();
    this.#effect = undefined;
  }
}
