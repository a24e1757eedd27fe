/**
 * The GPU's working picture: an `rgba8unorm` 2D texture that every kernel here reads and writes.
 *
 * @module
 */

/** Every use a kernel here may put an image to. */
export const IMAGE_USAGE: number = GPUTextureUsage.TEXTURE_BINDING |
  GPUTextureUsage.STORAGE_BINDING |
  GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST;

/**
 * Creates an `rgba8unorm` texture that any kernel here can read, write, render to and copy.
 *
 * @param device The device.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param label A name for the device's messages.
 * @returns The texture.
 *
 * @example Write 1x1 red and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage } from "./image.ts";
 * import { GpuReadback } from "./readback.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const image = createImage(device, 1, 1);
 * device.queue.writeTexture({ texture: image }, new Uint8Array([255, 0, 0, 255]), {}, [1, 1]);
 * assert.deepEqual(Array.from(await new GpuReadback(device).texture(image)), [255, 0, 0, 255]);
 * device.destroy();
 * ```
 */
export function createImage(
  device: GPUDevice,
  width: number,
  height: number,
  label = `image ${width}x${height}`,
): GPUTexture {
  return device.createTexture({
    label,
    size: [width, height],
    format: "rgba8unorm",
    usage: IMAGE_USAGE,
  });
}

/**
 * Writes tightly packed RGBA pixels into an image of the same size.
 *
 * @param device The device.
 * @param image The image.
 * @param rgba `width * height * 4` bytes.
 *
 * @example Write a 2x1 image and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage, writeImage } from "./image.ts";
 * import { GpuReadback } from "./readback.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const image = createImage(device, 2, 1);
 * const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255]);
 * writeImage(device, image, rgba);
 * assert.deepEqual(await new GpuReadback(device).texture(image), rgba);
 * ```
 */
export function writeImage(device: GPUDevice, image: GPUTexture, rgba: Uint8Array): void {
  // A frame pool's memory may be shared; the device copies it either way.
  device.queue.writeTexture({ texture: image }, rgba as Uint8Array<ArrayBuffer>, {
    bytesPerRow: image.width * 4,
  }, [
    image.width,
    image.height,
  ]);
}
