/**
 * 3D LUT colour grading on the GPU: the LUT in a 3D texture, trilinear interpolation as in the
 * CPU's `applyLut3d()` (`../lut3d.ts`).
 *
 * @module
 */

import type { Lut3d } from "../lut3d.ts";
import { renderPipeline } from "./_compile.ts";
import { BindCache } from "./_bind_cache.ts";

const SHADER = /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(2) var lut: texture_3d<f32>;
@group(0) @binding(3) var samp: sampler;

// One triangle that covers the target: a fragment a pixel.
@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  return vec4f(f32(i & 1u) * 4.0 - 1.0, f32(i >> 1u) * 4.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let c = textureLoad(src, vec2u(pos.xy), 0);
  let n = f32(textureDimensions(lut).x);
  // Grid point i sits at texel centre (i + 0.5) / n: the sampler interpolates between them.
  let p = c.rgb * ((n - 1.0) / n) + 0.5 / n;
  return vec4f(textureSampleLevel(lut, samp, p, 0.0).rgb, c.a);
}
`;

/**
 * Maps every pixel of an image through a 3D LUT with trilinear interpolation, alpha kept. The
 * LUT lives in a 3D `rgba16float` texture interpolated by the sampler (one filtered fetch a pixel,
 * the texture unit's trilinear filtering); {@linkcode GpuLut3d.setLut} replaces it (a new grade
 * mid-stream). It runs as a render pass, a fragment a pixel: on lavapipe, where the "GPU" is CPU
 * threads, a fragment shader's output goes through the rasterizer's vectorized tile writes, which
 * cost less than a compute shader's storage-texture stores. The result is within rounding of the CPU's `applyLut3d()` (about 70 dB PSNR on
 * lavapipe, whose filter weights have 8 bits).
 *
 * @example Swap red and blue
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage, writeImage } from "./image.ts";
 * import { GpuLut3d } from "./lut3d.ts";
 * import { GpuReadback } from "./readback.ts";
 * import { lutFrom } from "../lut3d.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const src = createImage(device, 1, 1);
 * writeImage(device, src, new Uint8Array([255, 0, 0, 255]));
 * const dst = createImage(device, 1, 1);
 * using lut = await GpuLut3d.create(device, lutFrom(2, (r, g, b) => [b, g, r]));
 * const encoder = device.createCommandEncoder();
 * lut.apply(encoder, src, dst);
 * device.queue.submit([encoder.finish()]);
 * assert.deepEqual(Array.from(await new GpuReadback(device).texture(dst)), [0, 0, 255, 255]);
 * device.destroy();
 * ```
 */
export class GpuLut3d {
  readonly #device: GPUDevice;
  readonly #pipeline: GPURenderPipeline;
  readonly #sampler: GPUSampler;
  #texture: GPUTexture;
  #groups = new BindCache();

  private constructor(device: GPUDevice, pipeline: GPURenderPipeline, lut: Lut3d) {
    this.#device = device;
    this.#pipeline = pipeline;
    this.#texture = lutTexture(device, lut);
    this.#sampler = device.createSampler({
      magFilter: "linear",
      minFilter: "linear",
      addressModeU: "clamp-to-edge",
      addressModeV: "clamp-to-edge",
      addressModeW: "clamp-to-edge",
    });
  }

  /**
   * Compiles the kernel and uploads the LUT.
   *
   * @param device The device.
   * @param lut The LUT (size at most the device's `maxTextureDimension3D`).
   * @returns The kernel.
   * @throws {WgslError} When the device refuses the kernel.
   */
  static async create(device: GPUDevice, lut: Lut3d): Promise<GpuLut3d> {
    const pipeline = await renderPipeline(
      device,
      "3D LUT",
      SHADER,
      (module) =>
        device.createRenderPipeline({
          label: "3D LUT",
          layout: "auto",
          vertex: { module, entryPoint: "vs" },
          fragment: { module, entryPoint: "fs", targets: [{ format: "rgba8unorm" }] },
          primitive: { topology: "triangle-list" },
        }),
    );
    return new GpuLut3d(device, pipeline, lut);
  }

  /**
   * Replaces the LUT; frames recorded from now on use the new one.
   *
   * @param lut The new LUT.
   */
  setLut(lut: Lut3d): void {
    this.#texture.destroy();
    this.#texture = lutTexture(this.#device, lut);
    this.#groups = new BindCache();
  }

  /**
   * Records the mapping of `src` into `dst` (the same size).
   *
   * @param encoder The command encoder to record into.
   * @param src The source image.
   * @param dst The destination image (`rgba8unorm`, with `RENDER_ATTACHMENT` usage).
   */
  apply(encoder: GPUCommandEncoder, src: GPUTexture, dst: GPUTexture): void {
    const group = this.#groups.get([src], () =>
      this.#device.createBindGroup({
        layout: this.#pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: src.createView() },
          { binding: 2, resource: this.#texture.createView() },
          { binding: 3, resource: this.#sampler },
        ],
      }));
    const pass = encoder.beginRenderPass({
      // Every pixel is drawn: "clear" only spares the target's old contents a read.
      colorAttachments: [{ view: dst.createView(), loadOp: "clear", storeOp: "store" }],
    });
    pass.setPipeline(this.#pipeline);
    pass.setBindGroup(0, group);
    pass.draw(3);
    pass.end();
  }

  /** Destroys the LUT's texture; idempotent. */
  close(): void {
    this.#texture.destroy();
  }

  /** Same as {@linkcode GpuLut3d.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function lutTexture(device: GPUDevice, lut: Lut3d): GPUTexture {
  const { size, data } = lut;
  const texture = device.createTexture({
    label: `3D LUT ${size}`,
    size: [size, size, size],
    dimension: "3d",
    format: "rgba16float",
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  const rgba = new Float16Array(size * size * size * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i];
    rgba[j + 1] = data[i + 1];
    rgba[j + 2] = data[i + 2];
    rgba[j + 3] = 1;
  }
  device.queue.writeTexture({ texture }, rgba, {
    bytesPerRow: size * 8,
    rowsPerImage: size,
  }, [size, size, size]);
  return texture;
}
