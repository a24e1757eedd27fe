/**
 * Bilinear scaling of images on the GPU, with the CPU scaler's own tables and integer
 * arithmetic (`../scale.ts`), so both give the same bytes.
 *
 * @module
 */

import { axis } from "../_bilinear_axis.ts";
import { computePipeline } from "./_compile.ts";
import { BindCache } from "./_bind_cache.ts";

const SHADER = /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var dst: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(2) var<storage, read> xs: array<vec4u>;
@group(0) @binding(3) var<storage, read> ys: array<vec4u>;

fn texel(x: u32, y: u32) -> vec4i { return vec4i(round(textureLoad(src, vec2u(x, y), 0) * 255.0)); }

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(dst);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let tx = xs[id.x];
  let ty = ys[id.y];
  let fx = i32(tx.z);
  let fy = i32(ty.z);
  let upper = texel(tx.x, ty.x) * (256 - fx) + texel(tx.y, ty.x) * fx;
  let lower = texel(tx.x, ty.y) * (256 - fx) + texel(tx.y, ty.y) * fx;
  let v = (upper * (256 - fy) + lower * fy + 32768) >> vec4u(16u);
  textureStore(dst, id.xy, vec4f(v) / 255.0);
}
`;

/**
 * Resizes `rgba8unorm` images from one size to another with bilinear interpolation: sample
 * centres onto sample centres, clamped at the edges, 8-bit weights, exactly as the CPU's
 * `BilinearScaler` scales an RGBA frame (a same-size scale is a copy; shrinking by more than 2x
 * skips pixels).
 *
 * @example Double a 2x1 black-and-white image
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage, writeImage } from "./image.ts";
 * import { GpuScaler } from "./scale.ts";
 * import { GpuReadback } from "./readback.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const src = createImage(device, 2, 1);
 * writeImage(device, src, new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255]));
 * const dst = createImage(device, 4, 1);
 * using scaler = await GpuScaler.create(device, 2, 1, 4, 1);
 * const encoder = device.createCommandEncoder();
 * scaler.scale(encoder, src, dst);
 * device.queue.submit([encoder.finish()]);
 * const pixels = await new GpuReadback(device).texture(dst);
 * assert.deepEqual(Array.from({ length: 4 }, (_, x) => pixels[4 * x]), [0, 64, 191, 255]);
 * device.destroy();
 * ```
 */
export class GpuScaler {
  /** Source width in pixels. */
  readonly srcWidth: number;
  /** Source height in pixels. */
  readonly srcHeight: number;
  /** Destination width in pixels. */
  readonly dstWidth: number;
  /** Destination height in pixels. */
  readonly dstHeight: number;
  readonly #device: GPUDevice;
  readonly #pipeline: GPUComputePipeline;
  readonly #xs: GPUBuffer;
  readonly #ys: GPUBuffer;
  readonly #groups = new BindCache();

  private constructor(
    device: GPUDevice,
    pipeline: GPUComputePipeline,
    sizes: [number, number, number, number],
  ) {
    this.#device = device;
    this.#pipeline = pipeline;
    [this.srcWidth, this.srcHeight, this.dstWidth, this.dstHeight] = sizes;
    this.#xs = table(device, this.srcWidth, this.dstWidth);
    this.#ys = table(device, this.srcHeight, this.dstHeight);
  }

  /**
   * Compiles the kernel and uploads the tables for one pair of sizes.
   *
   * @param device The device.
   * @param srcWidth Source width in pixels.
   * @param srcHeight Source height in pixels.
   * @param dstWidth Destination width in pixels.
   * @param dstHeight Destination height in pixels.
   * @returns The scaler.
   * @throws {RangeError} When a size is not a positive integer.
   * @throws {WgslError} When the device refuses the kernel.
   */
  static async create(
    device: GPUDevice,
    srcWidth: number,
    srcHeight: number,
    dstWidth: number,
    dstHeight: number,
  ): Promise<GpuScaler> {
    const sizes = checkSizes(srcWidth, srcHeight, dstWidth, dstHeight);
    return new GpuScaler(device, await computePipeline(device, "scale", SHADER), sizes);
  }

  /**
   * A scaler of the same kernel for other sizes, made without compiling again (a stream whose
   * input size changes).
   *
   * @param srcWidth Source width in pixels.
   * @param srcHeight Source height in pixels.
   * @param dstWidth Destination width in pixels. Defaults to this one's.
   * @param dstHeight Destination height in pixels. Defaults to this one's.
   * @returns The new scaler (close this one when done with it).
   * @throws {RangeError} When a size is not a positive integer.
   */
  withSizes(
    srcWidth: number,
    srcHeight: number,
    dstWidth: number = this.dstWidth,
    dstHeight: number = this.dstHeight,
  ): GpuScaler {
    return new GpuScaler(
      this.#device,
      this.#pipeline,
      checkSizes(srcWidth, srcHeight, dstWidth, dstHeight),
    );
  }

  /**
   * Records the scaling of `src` (`srcWidth` x `srcHeight`) into `dst` (`dstWidth` x
   * `dstHeight`).
   *
   * @param encoder The command encoder to record into.
   * @param src The source image.
   * @param dst The destination image (with `STORAGE_BINDING` usage).
   */
  scale(encoder: GPUCommandEncoder, src: GPUTexture, dst: GPUTexture): void {
    const group = this.#groups.get([src, dst], () =>
      this.#device.createBindGroup({
        layout: this.#pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: src.createView() },
          { binding: 1, resource: dst.createView() },
          { binding: 2, resource: { buffer: this.#xs } },
          { binding: 3, resource: { buffer: this.#ys } },
        ],
      }));
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.#pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(Math.ceil(this.dstWidth / 8), Math.ceil(this.dstHeight / 8));
    pass.end();
  }

  /** Destroys the tables; idempotent. */
  close(): void {
    this.#xs.destroy();
    this.#ys.destroy();
  }

  /** Same as {@linkcode GpuScaler.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function checkSizes(...sizes: [number, number, number, number]): [number, number, number, number] {
  if (!sizes.every((n) => Number.isInteger(n) && n > 0)) {
    const [sw, sh, dw, dh] = sizes;
    throw new RangeError(
      `Cannot scale ${sw}x${sh} to ${dw}x${dh}: sizes must be positive integers`,
    );
  }
  return sizes;
}

/** One axis's positions and weights as `vec4u(first, second, weight, 0)` entries. */
function table(device: GPUDevice, inSize: number, outSize: number): GPUBuffer {
  const { first, second, weight } = axis(inSize, outSize);
  const data = new Uint32Array(outSize * 4);
  for (let i = 0; i < outSize; i++) data.set([first[i], second[i], weight[i], 0], i * 4);
  const buffer = device.createBuffer({
    label: `scale table ${inSize} to ${outSize}`,
    size: data.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}
