/**
 * {@linkcode GpuOverlay}: the base of GPU filters that draw one picture over each frame.
 *
 * @module
 */

import type { GpuVideoFrame, ProcessorTypes } from "../../mod.ts";
import type { Placement, RgbaPicture } from "../video/composite.ts";
import type { GpuCompositor } from "../video/gpu/compositor.ts";
import { GpuFilter } from "./gpu_filter.ts";

/**
 * The skeleton of an overlay (text, a logo), a {@linkcode GpuFilter}: the subclass gives the
 * picture (RGBA, straight alpha) with {@linkcode GpuOverlay.setPicture} from
 * {@linkcode GpuOverlay.load} (and again whenever it changes), and says where it goes on each
 * frame with {@linkcode GpuOverlay.placement}; the base keeps the picture premultiplied in a
 * texture and blends it over each frame with the compositor (`src * a + dst * (1 - a)`; the CPU
 * reference is `compositeRgba()` of `premultiply(picture)` with `premultiplied: true`), so the
 * output is the input's size, `RGBA`.
 *
 * @typeParam T The subclass's generated types.
 *
 * @example A 1x1 red dot at (1, 0), half transparent
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   connectLocal, createProcessContext, type GpuVideoFrame, input, InputBinding, type InputPort,
 *   output, OutputBinding, type OutputPort, processor, type ProcessorTypes,
 * } from "@streamlib/streamlib";
 * import { GpuOverlay } from "@streamlib/streamlib/processors/base";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 *
 * @processor({ tags: ["video", "gpu"], mode: "push" })
 * class Dot extends GpuOverlay<ProcessorTypes> {
 *   @input({ required: true })
 *   in!: InputPort<GpuVideoFrame>;
 *   @output()
 *   out!: OutputPort<GpuVideoFrame>;
 *   protected load(): void {
 *     this.setPicture({ data: new Uint8Array([255, 0, 0, 255]), width: 1, height: 1 });
 *   }
 *   protected placement() {
 *     return { x: 1, y: 0, width: 1, height: 1, alpha: 0.5 };
 *   }
 * }
 *
 * const dot = new Dot();
 * const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(source, dot.in as InputBinding<GpuVideoFrame>);
 * connectLocal(dot.out as OutputBinding<GpuVideoFrame>, sink);
 * const ctx = createProcessContext("dot");
 * const device = await ctx.gpu.ready();
 * await dot.setup(ctx);
 * const frame = ctx.frames.gpuVideo({ width: 2, height: 1, format: "RGBA" })!;
 * device.queue.writeTexture({ texture: frame.texture }, new Uint8Array([0, 0, 0, 255, 0, 0, 0, 255]), {}, [2, 1]);
 * source.write(frame);
 * dot.process(ctx);
 * const pixels = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * dot.teardown();
 * assert.deepEqual(Array.from(pixels), [0, 0, 0, 255, 128, 0, 0, 255]);
 * ```
 */
export abstract class GpuOverlay<T extends ProcessorTypes> extends GpuFilter<T> {
  #device: GPUDevice | undefined;
  #compositor: GpuCompositor | undefined;
  #picture: GPUTexture | undefined;
  #image: typeof import("../video/gpu/image.ts") | undefined;
  #premultiply: typeof import("../video/composite.ts").premultiply | undefined;

  /**
   * Makes the picture and calls {@linkcode GpuOverlay.setPicture} with it; called by `setup()`
   * once the compositor is ready, and again after a device loss.
   *
   * @param device The isolate's device.
   */
  protected abstract load(device: GPUDevice): Promise<void> | void;

  /**
   * Where the picture goes on a frame (integer pixels; it may reach outside), read for every
   * frame so a live change shows on the next one.
   *
   * @param picture The picture's size.
   * @param frame The input frame's size.
   * @returns The rectangle and the opacity (`z` is ignored: the picture is always on top).
   */
  protected abstract placement(
    picture: { readonly width: number; readonly height: number },
    frame: { readonly width: number; readonly height: number },
  ): Placement;

  /**
   * Compiles the compositor and loads the picture.
   *
   * @param device The isolate's device.
   */
  protected override async prepare(device: GPUDevice): Promise<void> {
    this.#release();
    this.#device = device;
    const [{ GpuCompositor }, image, { premultiply }] = await Promise.all([
      import("../video/gpu/compositor.ts"), // loaded when first used
      import("../video/gpu/image.ts"),
      import("../video/composite.ts"),
    ]);
    this.#image = image;
    this.#premultiply = premultiply;
    this.#compositor = await GpuCompositor.create(device);
    await this.load(device);
  }

  /**
   * Replaces the picture drawn from the next frame on. It is kept premultiplied by its alpha, so
   * a scaled picture's edges take no colour from its fully transparent pixels.
   *
   * @param picture RGBA with straight alpha.
   */
  protected setPicture(picture: RgbaPicture): void {
    const device = this.#device!;
    this.#picture?.destroy();
    this.#picture = this.#image!.createImage(device, picture.width, picture.height, "overlay");
    this.#image!.writeImage(device, this.#picture, this.#premultiply!(picture).data);
  }

  /**
   * Records this filter's work for one frame (see `GpuFilter.record`).
   *
   * @param encoder The command encoder.
   * @param src The input frame.
   * @param dst The output texture.
   */
  protected override record(encoder: GPUCommandEncoder, src: GpuVideoFrame, dst: GPUTexture): void {
    const picture = this.#picture!;
    this.#compositor!.composite(encoder, [
      { image: src.texture, x: 0, y: 0, width: src.width, height: src.height },
      { ...this.placement(picture, src), image: picture, z: 1, premultiplied: true },
    ], dst);
  }

  /** Destroys the picture's texture and the compositor's buffers. */
  override teardown(): void {
    this.#release();
  }

  #release(): void {
    this.#picture?.destroy();
    this.#picture = undefined;
    this.#compositor?.close();
    this.#compositor = undefined;
  }
}
