/**
 * The {@linkcode TextOverlay} processor.
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
import type { GpuCompositor } from "../video/gpu/compositor.ts";
import type { TextOverlayTypes } from "./text_overlay.gen.ts";

/** Config of {@linkcode TextOverlay}. */
export interface TextOverlayConfig {
  /**
   * The text; `\n` starts a new line. Printable ASCII (lowercase drawn as capitals).
   *
   * @live
   * @maxLength 1000
   * @default "streamlib"
   */
  text: string;
  /**
   * Left edge of the text box in pixels.
   *
   * @live
   * @integer
   * @default 16
   */
  x: number;
  /**
   * Top edge of the text box in pixels.
   *
   * @live
   * @integer
   * @default 16
   */
  y: number;
  /**
   * Pixels per font pixel (the font is 5x7 in 6x8 cells).
   *
   * @live
   * @integer
   * @minimum 1
   * @maximum 32
   * @default 3
   */
  scale: number;
  /**
   * Ink colour, RGBA from 0 to 255.
   *
   * @live
   * @minItems 4
   * @maxItems 4
   * @default [255, 255, 255, 255]
   */
  color: number[];
  /**
   * Box colour behind the text, RGBA from 0 to 255; alpha 0 for none.
   *
   * @live
   * @minItems 4
   * @maxItems 4
   * @default [0, 0, 0, 128]
   */
  background: number[];
}

/**
 * Draws text over GPU video: the text is drawn once per change with a built-in 5x7 pixel font
 * (`renderText()`), uploaded as a texture, and blended over each frame by the compositor. Every
 * field is live. Output frames are `RGBA`, the input's size.
 *
 * @example "HI" in red at (1, 1) over black
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, type GpuVideoFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 * import { textOverlayNode } from "./text_overlay.gen.ts";
 *
 * const ctx = createProcessContext("caption");
 * const device = await ctx.gpu.ready();
 * const ports = textOverlayNode.ports();
 * const caption = textOverlayNode.create({
 *   text: "HI", x: 0, y: 0, scale: 1, color: [255, 0, 0, 255], background: [0, 0, 0, 0],
 * }, ports);
 * const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
 * await caption.setup(ctx);
 * const frame = ctx.frames.gpuVideo({ width: 16, height: 9, format: "RGBA" })!;
 * device.queue.writeTexture({ texture: frame.texture }, new Uint8Array(16 * 9 * 4).map((_, i) => (i % 4 === 3 ? 255 : 0)), { bytesPerRow: 64 }, [16, 9]);
 * source.write(frame);
 * caption.process(ctx);
 * const pixels = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * caption.teardown();
 * assert.deepEqual(Array.from(pixels.subarray((16 + 1) * 4, (16 + 2) * 4)), [255, 0, 0, 255]); // H's corner
 * assert.deepEqual(Array.from(pixels.subarray(0, 4)), [0, 0, 0, 255]); // the margin
 * ```
 */
@processor({ tags: ["video", "gpu", "overlay"], mode: "push" })
export class TextOverlay extends GpuFilter<TextOverlayTypes> {
  /** GPU video. */
  @input({ required: true })
  in!: InputPort<GpuVideoFrame>;

  /** The video with the text. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  /** The text and how it looks. */
  @config()
  config!: TextOverlayConfig;

  #device: GPUDevice | undefined;
  #compositor: GpuCompositor | undefined;
  #text: GPUTexture | undefined;
  #code: Awaited<ReturnType<typeof importCode>> | undefined;

  /**
   * Compiles the compositor and draws the text.
   *
   * @param device The isolate's device.
   */
  protected override async prepare(device: GPUDevice): Promise<void> {
    this.#device = device;
    this.#code = await importCode();
    this.#compositor = await this.#code.GpuCompositor.create(device);
    this.#draw();
  }

  /**
   * Draws the text again for the next frame when it or its look changed.
   *
   * @param changed The fields that changed.
   */
  override configChanged(changed: readonly string[]): void {
    if (["text", "scale", "color", "background"].some((f) => changed.includes(f))) this.#draw();
  }

  /**
   * Records this filter's work for one frame (see `GpuFilter.record`).
   *
   * @param encoder The command encoder.
   * @param src The input frame.
   * @param dst The output texture.
   */
  protected override record(encoder: GPUCommandEncoder, src: GpuVideoFrame, dst: GPUTexture): void {
    const text = this.#text!;
    this.#compositor!.composite(encoder, [
      { image: src.texture, x: 0, y: 0, width: src.width, height: src.height },
      {
        image: text,
        x: this.config.x,
        y: this.config.y,
        width: text.width,
        height: text.height,
        z: 1,
      },
    ], dst);
  }

  /** Destroys the text's texture. */
  override teardown(): void {
    this.#text?.destroy();
    this.#text = undefined;
    this.#compositor?.close();
    this.#compositor = undefined;
  }

  #draw(): void {
    const { text, scale, color, background } = this.config;
    const rgba = (c: number[]) =>
      [0, 1, 2, 3].map((i) => c[i] ?? 255) as [number, number, number, number];
    const { createImage, renderText, writeImage } = this.#code!;
    const picture = renderText(text, { scale, color: rgba(color), background: rgba(background) });
    this.#text?.destroy();
    this.#text = createImage(this.#device!, picture.width, picture.height, "text");
    writeImage(this.#device!, this.#text, picture.data);
  }
}

/** What {@linkcode TextOverlay} needs, imported by its `setup()`. */
async function importCode() {
  const [{ GpuCompositor }, { createImage, writeImage }, { renderText }] = await Promise.all([
    import("../video/gpu/compositor.ts"),
    import("../video/gpu/image.ts"),
    import("../video/text.ts"),
  ]);
  return { GpuCompositor, createImage, renderText, writeImage };
}
