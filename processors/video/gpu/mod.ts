/**
 * WebGPU kernels for video, over `GPUDevice` and `GPUTexture`: colour conversion between packed
 * frames of every pixel format and `rgba8unorm` images, bilinear scaling, a compositor, a 3D LUT,
 * a Gaussian blur, and {@linkcode PixelEffect}, which makes a kernel of one WGSL function. Each
 * records into the caller's command encoder, so a chain is one submission; each has a CPU
 * reference in `processors/video/` that its tests compare against.
 *
 * @example NV12 in, scaled, back out as I420: one upload, one submission, one readback
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   createImage,
 *   createPackedBuffer,
 *   GpuColorConverter,
 *   GpuReadback,
 *   GpuScaler,
 *   writePacked,
 * } from "./mod.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const nv12 = new Uint8Array(8 * 4 * 3 / 2).fill(128); // grey, 8x4
 * const input = createPackedBuffer(device, "NV12", 8, 4);
 * writePacked(device, input, nv12);
 * const [rgba, small] = [createImage(device, 8, 4), createImage(device, 4, 2)];
 * const i420 = createPackedBuffer(device, "I420", 4, 2);
 * const converter = await GpuColorConverter.create(device);
 * using scaler = await GpuScaler.create(device, 8, 4, 4, 2);
 * const encoder = device.createCommandEncoder();
 * converter.toImage(encoder, input, "NV12", rgba);
 * scaler.scale(encoder, rgba, small);
 * converter.fromImage(encoder, small, i420, "I420");
 * device.queue.submit([encoder.finish()]);
 * const out = await new GpuReadback(device).buffer(i420, 12);
 * assert.deepEqual(Array.from(out), [128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128]);
 * device.destroy();
 * ```
 *
 * @module
 */

export { GpuBlur } from "./blur.ts";
export { GpuColorConverter } from "./color_convert.ts";
export { GpuCompositor, type GpuLayer } from "./compositor.ts";
export { createImage, IMAGE_USAGE, writeImage } from "./image.ts";
export { GpuLut3d } from "./lut3d.ts";
export { createPackedBuffer, packedBufferSize, writePacked } from "./packed_frame.ts";
export { PixelEffect, type PixelEffectSource } from "./pixel_effect.ts";
export { GpuReadback } from "./readback.ts";
export { GpuScaler } from "./scale.ts";
export { WgslError } from "./wgsl_error.ts";
export type { Placement, RgbaPicture } from "../composite.ts";
export { type Lut3d, LutParseError } from "../lut3d.ts";
