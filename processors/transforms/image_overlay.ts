/**
 * The {@linkcode ImageOverlay} processor.
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
import type { ImageOverlayTypes } from "./image_overlay.gen.ts";

/** Config of {@linkcode ImageOverlay}. */
export interface ImageOverlayConfig {
  /**
   * The picture, a PNG or a JPEG: a file path, or a `file:`, `http:`, `https:` or `data:` URL.
   * Read once, at setup; at most 8192x8192 pixels and 256 MiB.
   *
   * @minLength 1
   */
  src: string;
  /**
   * Left edge in pixels (may be negative: the picture is clipped).
   *
   * @live
   * @integer
   * @default 0
   */
  x: number;
  /**
   * Top edge in pixels (may be negative).
   *
   * @live
   * @integer
   * @default 0
   */
  y: number;
  /**
   * Width in pixels the picture is scaled to; 0 keeps its aspect ratio from `height` (both 0:
   * its own size).
   *
   * @live
   * @integer
   * @minimum 0
   * @maximum 16384
   * @default 0
   */
  width: number;
  /**
   * Height in pixels; 0 keeps the aspect ratio from `width` (both 0: its own size).
   *
   * @live
   * @integer
   * @minimum 0
   * @maximum 16384
   * @default 0
   */
  height: number;
  /**
   * Opacity, multiplied with the picture's own alpha; 0 hides it.
   *
   * @live
   * @minimum 0
   * @maximum 1
   * @default 1
   */
  alpha: number;
}

/**
 * Where {@linkcode ImageOverlay} draws a picture: `x`, `y`, the size given, and a size of 0
 * taken from the other keeping the picture's aspect ratio (rounded), or its own.
 *
 * @param config Position, size and opacity.
 * @param picture The picture's own size.
 * @returns The rectangle and opacity.
 *
 * @example A 40x20 logo asked 10 wide
 * ```ts
 * import assert from "node:assert/strict";
 * import { overlayPlacement } from "./image_overlay.ts";
 *
 * const at = overlayPlacement({ x: 2, y: 3, width: 10, height: 0, alpha: 1 }, { width: 40, height: 20 });
 * assert.deepEqual(at, { x: 2, y: 3, width: 10, height: 5, alpha: 1 });
 * ```
 */
export function overlayPlacement(
  config: Pick<ImageOverlayConfig, "x" | "y" | "width" | "height" | "alpha">,
  picture: { readonly width: number; readonly height: number },
): Placement {
  let { width, height } = config;
  if (width === 0 && height === 0) ({ width, height } = picture);
  else if (width === 0) width = Math.max(1, Math.round((height * picture.width) / picture.height));
  else if (height === 0) height = Math.max(1, Math.round((width * picture.height) / picture.width));
  return { x: config.x, y: config.y, width, height, alpha: config.alpha };
}

/**
 * Draws a still picture (a PNG or a JPEG, from a file or a URL) over GPU video at a position, a
 * size and an opacity that are all live: a logo, a watermark, a lower third. The picture is
 * decoded once at setup (PNG by `fast-png`, JPEG by `jpeg-js`) into RGBA with straight alpha, as
 * PNG stores it, premultiplied on upload (a scaled picture's edges take no colour from its
 * transparent pixels), and blended over each frame by the compositor; an unreadable source fails
 * `setup()` with `ImageLoadError` (`image_not_found`, `image_invalid`, `image_too_large`,
 * `image_unsupported`). Output frames are `RGBA`, the input's size.
 *
 * @example A half-transparent red PNG at (1, 0), half opaque, over black
 * ```ts
 * import assert from "node:assert/strict";
 * import { encode } from "fast-png";
 * import { connectLocal, createProcessContext, type GpuVideoFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 * import { imageOverlayNode } from "./image_overlay.gen.ts";
 *
 * const src = await Deno.makeTempFile({ suffix: ".png" });
 * await Deno.writeFile(src, encode({ width: 1, height: 1, data: new Uint8Array([255, 0, 0, 128]), channels: 4, depth: 8 }));
 * const ctx = createProcessContext("logo");
 * const device = await ctx.gpu.ready();
 * const ports = imageOverlayNode.ports();
 * const logo = imageOverlayNode.create({ src, x: 1, y: 0, alpha: 0.5 }, ports);
 * const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
 * await logo.setup(ctx);
 * const frame = ctx.frames.gpuVideo({ width: 2, height: 1, format: "RGBA" })!;
 * device.queue.writeTexture({ texture: frame.texture }, new Uint8Array([0, 0, 0, 255, 0, 0, 0, 255]), {}, [2, 1]);
 * source.write(frame);
 * logo.process(ctx);
 * const pixels = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * logo.teardown();
 * await Deno.remove(src);
 * // (1, 0): red at 128/255 * 0.5 of opacity over black
 * assert.deepEqual(Array.from(pixels), [0, 0, 0, 255, 64, 0, 0, 255]);
 * ```
 */
@processor({ tags: ["video", "gpu", "overlay"], mode: "push" })
export class ImageOverlay extends GpuOverlay<ImageOverlayTypes> {
  /** GPU video. */
  @input({ required: true })
  in!: InputPort<GpuVideoFrame>;

  /** The video with the picture. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  /** The picture and where it goes. */
  @config()
  config!: ImageOverlayConfig;

  /**
   * Reads and decodes the picture.
   *
   * @throws {ImageLoadError} When the source cannot be read or is not a PNG or JPEG in the limits.
   */
  protected override async load(): Promise<void> {
    const [{ readImageSource }, { decodeImage }] = await Promise.all([
      import("../video/image/source.ts"), // loaded when first used
      import("../video/image/decode.ts"),
    ]);
    const { src } = this.config;
    this.setPicture(decodeImage(await readImageSource(src), src));
  }

  /**
   * The picture's rectangle and opacity from the config (see {@linkcode overlayPlacement}).
   *
   * @param picture The picture's size.
   * @returns Where it goes.
   */
  protected override placement(picture: { width: number; height: number }): Placement {
    return overlayPlacement(this.config, picture);
  }
}
