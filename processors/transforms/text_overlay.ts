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
import { GpuOverlay } from "../base/gpu_overlay.ts";
import type { Placement } from "../video/composite.ts";
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
export class TextOverlay extends GpuOverlay<TextOverlayTypes> {
  /** GPU video. */
  @input({ required: true })
  in!: InputPort<GpuVideoFrame>;

  /** The video with the text. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  /** The text and how it looks. */
  @config()
  config!: TextOverlayConfig;

  #renderText: typeof import("../video/text.ts").renderText | undefined;

  /** Draws the text. */
  protected override async load(): Promise<void> {
    this.#renderText = (await import("../video/text.ts")).renderText; // loaded when first used
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
   * The text box at `x`, `y`, at its own size.
   *
   * @param text The drawn text's size.
   * @returns Where it goes.
   */
  protected override placement(text: { width: number; height: number }): Placement {
    return { x: this.config.x, y: this.config.y, width: text.width, height: text.height };
  }

  #draw(): void {
    const { text, scale, color, background } = this.config;
    const rgba = (c: number[]) =>
      [0, 1, 2, 3].map((i) => c[i] ?? 255) as [number, number, number, number];
    this.setPicture(
      this.#renderText!(text, { scale, color: rgba(color), background: rgba(background) }),
    );
  }
}
