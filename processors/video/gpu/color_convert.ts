/**
 * Colour conversion on the GPU between packed frames of every {@linkcode PixelFormat} (RGBA, BGRA,
 * I420, NV12, in a storage buffer laid out as on the CPU) and `rgba8unorm` images, with the CPU
 * conversion's own integer arithmetic (`../color_convert.ts`), so both give the same bytes.
 *
 * @module
 */

import { frameByteLength, type PixelFormat } from "../pixel_format.ts";
import { computePipeline, linearGroups } from "./_compile.ts";
import { BindCache, UniformCache } from "./_bind_cache.ts";
import { FORMAT_INDEX, PACK, PACK8, UNPACK, UNPACK4 } from "./_color_convert_wgsl.ts";

/**
 * Converts between packed frames in GPU buffers (any {@linkcode PixelFormat}, laid out as
 * `frameLayout()` says, from `createPackedBuffer()`) and `rgba8unorm` images, on the GPU. The
 * results are the CPU `convertFrame()`'s, byte for byte: RGB to 4:2:0 averages each 2x2 block's
 * colour, 4:2:0 to RGB repeats each chroma sample over its block, alpha is 255.
 *
 * Kernels are recorded into the caller's command encoder, so a chain of conversions, scales and
 * effects is one submission. Bind groups and size uniforms are cached by resource, so a steady
 * stream of frames from a pool allocates nothing.
 *
 * @example Convert a 2x2 red RGBA image to I420 on the GPU
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage, writeImage } from "./image.ts";
 * import { GpuColorConverter } from "./color_convert.ts";
 * import { createPackedBuffer } from "./packed_frame.ts";
 * import { GpuReadback } from "./readback.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const image = createImage(device, 2, 2);
 * writeImage(device, image, new Uint8Array(16).map((_, i) => (i % 4 === 0 || i % 4 === 3 ? 255 : 0)));
 * const i420 = createPackedBuffer(device, "I420", 2, 2);
 * const converter = await GpuColorConverter.create(device);
 * const encoder = device.createCommandEncoder();
 * converter.fromImage(encoder, image, i420, "I420");
 * device.queue.submit([encoder.finish()]);
 * const bytes = await new GpuReadback(device).buffer(i420, 6);
 * assert.deepEqual(Array.from(bytes), [81, 81, 81, 81, 90, 240]); // as the CPU's convertFrame()
 * device.destroy();
 * ```
 */
export class GpuColorConverter {
  readonly #device: GPUDevice;
  readonly #unpack: GPUComputePipeline;
  readonly #pack: GPUComputePipeline;
  readonly #unpack4: GPUComputePipeline;
  readonly #pack8: GPUComputePipeline;
  readonly #uniforms: UniformCache;
  readonly #groups = new BindCache();

  private constructor(device: GPUDevice, pipelines: GPUComputePipeline[]) {
    this.#device = device;
    [this.#unpack, this.#pack, this.#unpack4, this.#pack8] = pipelines;
    this.#uniforms = new UniformCache(device);
  }

  /**
   * Compiles the two kernels.
   *
   * @param device The device.
   * @returns The converter.
   * @throws {WgslError} When the device refuses a kernel.
   */
  static async create(device: GPUDevice): Promise<GpuColorConverter> {
    const pipelines = await Promise.all([
      computePipeline(device, "color convert to RGBA", UNPACK),
      computePipeline(device, "color convert from RGBA", PACK),
      computePipeline(device, "color convert 4:2:0 to RGBA, 4 pixels", UNPACK4),
      computePipeline(device, "color convert RGBA to 4:2:0, 8x2 pixels", PACK8),
    ]);
    return new GpuColorConverter(device, pipelines);
  }

  /**
   * Records the conversion of a packed frame into an image of its size.
   *
   * @param encoder The command encoder to record into.
   * @param src The packed frame (a storage buffer of at least its `packedBufferSize()`).
   * @param format The frame's pixel format.
   * @param dst The image; its size is the frame's.
   * @throws {FrameSizeError} When the image's size does not suit `format` (odd for 4:2:0).
   */
  toImage(encoder: GPUCommandEncoder, src: GPUBuffer, format: PixelFormat, dst: GPUTexture): void {
    const { width, height } = dst;
    frameByteLength(format, width, height);
    const dims = this.#dims(format, width, height, 0);
    const fast = (format === "I420" || format === "NV12") && width % 4 === 0;
    const pipeline = fast ? this.#unpack4 : this.#unpack;
    this.#run(
      encoder,
      pipeline,
      () => [{ buffer: src }, dst.createView(), dims],
      [src, dst, dims],
      [
        Math.ceil(width / (fast ? 32 : 8)),
        Math.ceil(height / 8),
      ],
    );
  }

  /**
   * Records the conversion of an image into a packed frame of its size.
   *
   * @param encoder The command encoder to record into.
   * @param src The image.
   * @param dst The packed frame's buffer (at least its `packedBufferSize()`).
   * @param format The pixel format to write.
   * @throws {FrameSizeError} When the image's size does not suit `format` (odd for 4:2:0).
   */
  fromImage(
    encoder: GPUCommandEncoder,
    src: GPUTexture,
    dst: GPUBuffer,
    format: PixelFormat,
  ): void {
    const { width, height } = src;
    const words = Math.ceil(frameByteLength(format, width, height) / 4);
    const dims = this.#dims(format, width, height, words);
    const fast = (format === "I420" || format === "NV12") && width % 8 === 0;
    const pipeline = fast ? this.#pack8 : this.#pack;
    const groups: [number, number] = fast
      ? [Math.ceil(width / 64), Math.ceil(height / 16)]
      : linearGroups(this.#device, words, 256);
    this.#run(
      encoder,
      pipeline,
      () => [src.createView(), { buffer: dst }, dims],
      [src, dst, dims],
      groups,
    );
  }

  #run(
    encoder: GPUCommandEncoder,
    pipeline: GPUComputePipeline,
    resources: () => [GPUBindingResource, GPUBindingResource, GPUBuffer],
    keys: object[],
    groups: [number, number],
  ): void {
    const group = this.#groups.get([pipeline, ...keys], () => {
      const [a, b, dims] = resources(); // views made once, with the bind group
      return this.#device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: a },
          { binding: 1, resource: b },
          { binding: 2, resource: { buffer: dims } },
        ],
      });
    });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(...groups);
    pass.end();
  }

  /** Destroys the converter's uniform buffers; idempotent. */
  close(): void {
    this.#uniforms.close();
  }

  #dims(format: PixelFormat, width: number, height: number, words: number): GPUBuffer {
    return this.#uniforms.get(
      `${format} ${width}x${height} ${words}`,
      () => Uint32Array.of(width, height, FORMAT_INDEX[format], words),
    );
  }
}
