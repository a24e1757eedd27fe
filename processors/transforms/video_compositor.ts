/**
 * The {@linkcode VideoCompositor} processor.
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
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { GpuNotReadyError } from "../../mod.ts";
import type { KeptFrame } from "../../types.ts";
import type { GpuCompositor, GpuLayer } from "../video/gpu/compositor.ts";
import type { VideoCompositorTypes } from "./video_compositor.gen.ts";

/** Where one input of {@linkcode VideoCompositor} goes. */
export interface CompositorLayer {
  /**
   * Left edge in output pixels (may be negative: the layer is clipped).
   *
   * @integer
   * @default 0
   */
  x: number;
  /**
   * Top edge in output pixels.
   *
   * @integer
   * @default 0
   */
  y: number;
  /**
   * Width in output pixels; 0 for the output's width.
   *
   * @integer
   * @minimum 0
   * @default 0
   */
  width: number;
  /**
   * Height in output pixels; 0 for the output's height.
   *
   * @integer
   * @minimum 0
   * @default 0
   */
  height: number;
  /**
   * Opacity, multiplied with the input's own alpha; 0 hides the layer.
   *
   * @minimum 0
   * @maximum 1
   * @default 1
   */
  alpha: number;
  /**
   * Stacking order: higher is drawn later (on top); ties go by input number.
   *
   * @integer
   * @default 0
   */
  z: number;
}

/** Config of {@linkcode VideoCompositor}. */
export interface VideoCompositorConfig {
  /**
   * Output width in pixels.
   *
   * @integer
   * @minimum 1
   * @maximum 8192
   * @default 1280
   */
  width: number;
  /**
   * Output height in pixels.
   *
   * @integer
   * @minimum 1
   * @maximum 8192
   * @default 720
   */
  height: number;
  /**
   * The colour under every layer, RGBA from 0 to 1.
   *
   * @live
   * @minItems 4
   * @maxItems 4
   * @default [0, 0, 0, 1]
   */
  background: number[];
  /**
   * One placement per input (`layers[i]` places `in_i`); an input without one fills the output
   * at z = its number. Live: picture in picture, side by side, fades and swaps from one frame to
   * the next.
   *
   * @live
   * @maxItems 4
   * @default []
   */
  layers: CompositorLayer[];
}

/**
 * Composites up to four GPU videos into one on the GPU: each input scaled to its layer's
 * rectangle (bilinear), with its opacity, in z order, over a background colour, in one render
 * pass; the CPU reference is `compositeRgba()`. One frame is made per frame on `in_0`, with its
 * timestamp; the other inputs contribute their latest frame (kept until a newer one comes), so
 * they may run at any rate. Until an input has sent a frame it is left out. Output frames are
 * `RGBA`.
 *
 * @example Picture in picture: input 1 at a quarter size in the top right corner
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, type GpuVideoFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 * import { videoCompositorNode } from "./video_compositor.gen.ts";
 *
 * const ctx = createProcessContext("mix");
 * const device = await ctx.gpu.ready();
 * const ports = videoCompositorNode.ports();
 * const mix = videoCompositorNode.create({
 *   width: 8,
 *   height: 8,
 *   layers: [{ x: 0, y: 0, width: 8, height: 8, alpha: 1, z: 0 }, { x: 4, y: 0, width: 4, height: 4, alpha: 1, z: 1 }],
 * }, ports);
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
 * const solid = (rgba: number[]) => {
 *   const frame = ctx.frames.gpuVideo({ width: 2, height: 2, format: "RGBA" })!;
 *   device.queue.writeTexture({ texture: frame.texture }, new Uint8Array(16).map((_, i) => rgba[i % 4]), { bytesPerRow: 8 }, [2, 2]);
 *   return frame;
 * };
 * const inputs = [0, 1].map((i) => {
 *   const source = new OutputBinding<GpuVideoFrame>(`source${i}`, "GpuVideoFrame");
 *   connectLocal(source, ports.input(`in_${i}`));
 *   return source;
 * });
 * await mix.setup(ctx);
 * inputs[1].write(solid([255, 0, 0, 255])); // red, the picture in picture
 * inputs[0].write(solid([0, 0, 255, 255])); // blue, the background
 * mix.process(ctx);
 * const pixels = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * mix.teardown();
 * assert.deepEqual(Array.from(pixels.subarray(0, 4)), [0, 0, 255, 255]); // (0, 0)
 * assert.deepEqual(Array.from(pixels.subarray(28, 32)), [255, 0, 0, 255]); // (7, 0)
 * ```
 */
@processor({ tags: ["video", "gpu", "mixer"], mode: "push" })
export class VideoCompositor extends Processor<VideoCompositorTypes> {
  /** GPU videos: `in_0` paces the output; the others are sampled at their latest frame. */
  @input({ array: 4 })
  in!: readonly InputPort<GpuVideoFrame>[];

  /** The composited video. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  /** The output's size, background and layers. */
  @config()
  config!: VideoCompositorConfig;

  #compositor: GpuCompositor | undefined;
  readonly #latest: (KeptFrame<GpuVideoFrame> | undefined)[] = [];
  readonly #layers: GpuLayer[] = [];

  /**
   * Compiles the compositor's shader.
   *
   * @param ctx The node's context; a runtime gives it the isolate's GPU.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    if (ctx.gpu === undefined) throw new GpuNotReadyError(ctx.node);
    const { GpuCompositor } = await import("../video/gpu/compositor.ts"); // loaded when first used
    this.#compositor = await GpuCompositor.create(await ctx.gpu.ready());
  }

  /**
   * Composites one frame per frame on `in_0`.
   *
   * @param ctx The run's context.
   */
  process(ctx: ProcessContext): void {
    const inputs = this.in;
    for (let i = 1; i < inputs.length; i++) {
      const frame = inputs[i].readLatest();
      if (frame === undefined) continue;
      this.#latest[i]?.release();
      this.#latest[i] = ctx.frames.keep(frame);
    }
    let frame;
    while (this.out.space > 0 && (frame = inputs[0].read()) !== undefined) {
      const { width, height, background } = this.config;
      const made = ctx.frames.gpuVideo({ width, height, format: "RGBA" });
      if (made === undefined) return; // no texture free: `frame` is read again when one frees
      this.#placeLayers(frame);
      const device = ctx.gpu.device;
      const encoder = device.createCommandEncoder();
      this.#compositor!.composite(
        encoder,
        this.#layers,
        made.texture,
        [background[0] ?? 0, background[1] ?? 0, background[2] ?? 0, background[3] ?? 1],
      );
      device.queue.submit([encoder.finish()]);
      made.timestampNs = frame.timestampNs;
      made.frameNumber = frame.frameNumber;
      this.out.write(made);
    }
  }

  /** Releases the frames kept from the secondary inputs. */
  override teardown(): void {
    for (const kept of this.#latest) kept?.release();
    this.#latest.length = 0;
    this.#compositor?.close();
    this.#compositor = undefined;
  }

  /** Fills `#layers` for this frame: `in_0`'s frame and each other input's latest. */
  #placeLayers(first: GpuVideoFrame): void {
    const { width, height, layers } = this.config;
    this.#layers.length = 0;
    for (let i = 0; i < this.in.length; i++) {
      const frame = i === 0 ? first : this.#latest[i]?.frame;
      if (frame === undefined) continue;
      const place = layers[i];
      this.#layers.push({
        image: frame.texture,
        x: place?.x ?? 0,
        y: place?.y ?? 0,
        width: place?.width || width,
        height: place?.height || height,
        alpha: place?.alpha ?? 1,
        z: place?.z ?? i,
      });
    }
  }
}
