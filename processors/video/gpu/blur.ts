/**
 * Gaussian blur on the GPU: two passes (horizontal into a float image, then vertical), as the
 * CPU's `gaussianBlur()` (`../blur.ts`).
 *
 * @module
 */

import { gaussianWeights } from "../blur.ts";
import { computePipeline } from "./_compile.ts";
import { BindCache } from "./_bind_cache.ts";

const pass = (axis: "x" | "y", out: string) => /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var dst: texture_storage_2d<${out}, write>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(dst);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let radius = i32(arrayLength(&weights) / 2u);
  let last = i32(size.${axis}) - 1;
  var sum = vec4f(0.0);
  for (var k = -radius; k <= radius; k++) {
    var p = vec2i(id.xy);
    p.${axis} = clamp(p.${axis} + k, 0, last);
    sum += weights[k + radius] * textureLoad(src, p, 0);
  }
  textureStore(dst, id.xy, sum);
}
`;

/**
 * Blurs `rgba8unorm` images with a separable Gaussian of standard deviation `sigma` (radius
 * `ceil(3 sigma)`, edges clamped, alpha blurred like the colours), through an intermediate
 * `rgba32float` image of the frame's size, kept for frames of the same size. The result is within
 * rounding of the CPU's `gaussianBlur()`. {@linkcode GpuBlur.setSigma} changes the strength
 * between frames.
 *
 * @example Blur a 1-pixel line
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage, writeImage } from "./image.ts";
 * import { GpuBlur } from "./blur.ts";
 * import { GpuReadback } from "./readback.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const src = createImage(device, 5, 1);
 * const pixels = new Uint8Array(20);
 * pixels.set([255, 255, 255, 255], 8); // x = 2
 * writeImage(device, src, pixels);
 * const dst = createImage(device, 5, 1);
 * using blur = await GpuBlur.create(device, 1);
 * const encoder = device.createCommandEncoder();
 * blur.blur(encoder, src, dst);
 * device.queue.submit([encoder.finish()]);
 * const out = await new GpuReadback(device).texture(dst);
 * assert.ok(out[8] < 255 && out[4] > 0); // spread to x = 1
 * device.destroy();
 * ```
 */
export class GpuBlur {
  readonly #device: GPUDevice;
  readonly #horizontal: GPUComputePipeline;
  readonly #vertical: GPUComputePipeline;
  #weights: GPUBuffer;
  #groups = new BindCache();
  #tmp: GPUTexture | undefined;

  private constructor(
    device: GPUDevice,
    horizontal: GPUComputePipeline,
    vertical: GPUComputePipeline,
    sigma: number,
  ) {
    this.#device = device;
    this.#horizontal = horizontal;
    this.#vertical = vertical;
    this.#weights = weightBuffer(device, sigma);
  }

  /**
   * Compiles the two passes.
   *
   * @param device The device.
   * @param sigma The standard deviation in pixels, above 0.
   * @returns The blur.
   * @throws {RangeError} When `sigma` is not a finite number above 0.
   * @throws {WgslError} When the device refuses a kernel.
   */
  static async create(device: GPUDevice, sigma: number): Promise<GpuBlur> {
    gaussianWeights(sigma);
    const [h, v] = await Promise.all([
      computePipeline(device, "blur horizontal", pass("x", "rgba32float")),
      computePipeline(device, "blur vertical", pass("y", "rgba8unorm")),
    ]);
    return new GpuBlur(device, h, v, sigma);
  }

  /**
   * Changes the strength for the frames recorded from now on.
   *
   * @param sigma The standard deviation in pixels, above 0.
   * @throws {RangeError} When `sigma` is not a finite number above 0.
   */
  setSigma(sigma: number): void {
    const weights = weightBuffer(this.#device, sigma);
    this.#weights.destroy();
    this.#weights = weights;
    this.#groups = new BindCache();
  }

  /**
   * Records the blur of `src` into `dst` (the same size; not the same image).
   *
   * @param encoder The command encoder to record into.
   * @param src The source image.
   * @param dst The destination image (with `STORAGE_BINDING` usage).
   */
  blur(encoder: GPUCommandEncoder, src: GPUTexture, dst: GPUTexture): void {
    const { width, height } = src;
    let tmp = this.#tmp;
    if (tmp === undefined || tmp.width !== width || tmp.height !== height) {
      tmp?.destroy();
      tmp = this.#tmp = this.#device.createTexture({
        label: "blur intermediate",
        size: [width, height],
        format: "rgba32float",
        usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING,
      });
    }
    const run = (pipeline: GPUComputePipeline, from: GPUTexture, to: GPUTexture) => {
      const group = this.#groups.get([pipeline, from, to], () =>
        this.#device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: from.createView() },
            { binding: 1, resource: to.createView() },
            { binding: 2, resource: { buffer: this.#weights } },
          ],
        }));
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(Math.ceil(width / 8), Math.ceil(height / 8));
      pass.end();
    };
    run(this.#horizontal, src, tmp);
    run(this.#vertical, tmp, dst);
  }

  /** Destroys the weights and the intermediate image; idempotent. */
  close(): void {
    this.#weights.destroy();
    this.#tmp?.destroy();
    this.#tmp = undefined;
  }

  /** Same as {@linkcode GpuBlur.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function weightBuffer(device: GPUDevice, sigma: number): GPUBuffer {
  const weights = gaussianWeights(sigma);
  const buffer = device.createBuffer({
    label: `blur weights ${sigma}`,
    size: weights.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, weights as Float32Array<ArrayBuffer>);
  return buffer;
}
