/**
 * What the GPU kernels' tests share: a device (failing loudly, with what to install, where there
 * is none), pictures to test with, and round trips through images.
 *
 * @module
 */

import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
import { createImage, writeImage } from "./image.ts";
import { GpuReadback } from "./readback.ts";

/**
 * A device of the first adapter; lavapipe on a machine without a GPU.
 *
 * @returns The device.
 * @throws {Error} When there is no adapter, saying what to install.
 */
export async function testDevice(): Promise<GPUDevice> {
  const adapter = navigator.gpu === undefined ? null : await requestGpuAdapter();
  if (!adapter) {
    throw new Error(
      "No WebGPU adapter: install a Vulkan driver (Debian: apt-get install mesa-vulkan-drivers)",
    );
  }
  return await adapter.requestDevice();
}

/**
 * A deterministic test picture: smooth gradients with noise, every byte used.
 *
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param seed Varies the picture.
 * @param opaque Alpha 255 everywhere when true; varied otherwise.
 * @returns `width * height * 4` bytes of RGBA.
 */
export function testPicture(
  width: number,
  height: number,
  seed = 1,
  opaque = true,
): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(width * height * 4);
  let state = seed * 2654435761 >>> 0;
  const noise = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state >>> 24) - 128;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const clamp = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
      data[o] = clamp((255 * x) / Math.max(1, width - 1) + noise() / 4);
      data[o + 1] = clamp((255 * y) / Math.max(1, height - 1) + noise() / 4);
      data[o + 2] = clamp(128 + 127 * Math.sin((x + y + seed) / 3) + noise() / 8);
      data[o + 3] = opaque ? 255 : clamp(128 + noise());
    }
  }
  return data;
}

/**
 * Uploads RGBA bytes into a new image.
 *
 * @param device The device.
 * @param rgba The pixels.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The image.
 */
export function imageOf(
  device: GPUDevice,
  rgba: Uint8Array,
  width: number,
  height: number,
): GPUTexture {
  const image = createImage(device, width, height);
  writeImage(device, image, rgba);
  return image;
}

/**
 * Records with `record`, submits, and reads `image` back.
 *
 * @param device The device.
 * @param record Records the kernels.
 * @param image The image to read.
 * @returns Its RGBA bytes.
 */
export async function runAndRead(
  device: GPUDevice,
  record: (encoder: GPUCommandEncoder) => void,
  image: GPUTexture,
): Promise<Uint8Array> {
  const encoder = device.createCommandEncoder();
  record(encoder);
  device.queue.submit([encoder.finish()]);
  using readback = new GpuReadback(device);
  return await readback.texture(image);
}
