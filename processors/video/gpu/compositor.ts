/**
 * The GPU compositor: N images into one, each scaled to its rectangle, with its opacity, in its
 * stacking order: picture in picture, side by side, overlays.
 *
 * @module
 */

import { drawOrder, type Placement } from "../composite.ts";
import { renderPipeline } from "./_compile.ts";
import { BindCache } from "./_bind_cache.ts";

const SHADER = /* wgsl */ `
struct Layer { rect: vec4f, alpha: f32, premultiplied: f32 }
@group(0) @binding(0) var<uniform> layer: Layer;
@group(0) @binding(1) var tex: texture_2d<f32>;
@group(0) @binding(2) var samp: sampler;

struct VOut { @builtin(position) pos: vec4f, @location(0) uv: vec2f }

@vertex
fn vs(@builtin(vertex_index) i: u32) -> VOut {
  let corner = vec2f(f32(i & 1u), f32(i >> 1u));
  let xy = mix(layer.rect.xy, layer.rect.zw, corner);
  return VOut(vec4f(xy, 0.0, 1.0), corner);
}

@fragment
fn fs(v: VOut) -> @location(0) vec4f {
  let c = textureSampleLevel(tex, samp, v.uv, 0.0);
  // Premultiplied out: a straight texel's colour times its alpha, a premultiplied one's as it is.
  let k = select(c.a, 1.0, layer.premultiplied > 0.5);
  return vec4f(c.rgb * k, c.a) * layer.alpha;
}
`;

/** One input of {@linkcode GpuCompositor.composite}: an image and where it goes. */
export interface GpuLayer extends Placement {
  /** The image (`rgba8unorm`, with `TEXTURE_BINDING` usage). */
  readonly image: GPUTexture;
}

/**
 * Composites `rgba8unorm` images over a background colour: each layer is scaled to its
 * rectangle by the sampler (bilinear, clamped at the edges) and blended by the blend unit
 * (`src * a + dst * (1 - a)`, `a` the sample's alpha times the layer's; a `premultiplied` layer's
 * colour already carries its alpha), in `z` order, in one render pass. The CPU reference is `compositeRgba()` of `../composite.ts`.
 *
 * Placements are read on every call, so they can change from frame to frame (live-tunable). The
 * layers' uniforms are written with `queue.writeBuffer`, which takes effect at the next
 * submission: record at most one `composite()` per compositor in one submission.
 *
 * @example Picture in picture: a red 4x4 image over a blue 8x8 one, at (4, 0)
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage, writeImage } from "./image.ts";
 * import { GpuCompositor } from "./compositor.ts";
 * import { GpuReadback } from "./readback.ts";
 *
 * const device = await (await navigator.gpu.requestAdapter())!.requestDevice();
 * const fill = (w: number, h: number, rgba: number[]) => {
 *   const image = createImage(device, w, h);
 *   writeImage(device, image, new Uint8Array(w * h * 4).map((_, i) => rgba[i % 4]));
 *   return image;
 * };
 * const blue = fill(8, 8, [0, 0, 255, 255]);
 * const red = fill(4, 4, [255, 0, 0, 255]);
 * const out = createImage(device, 8, 8);
 * const compositor = await GpuCompositor.create(device);
 * const encoder = device.createCommandEncoder();
 * compositor.composite(encoder, [
 *   { image: blue, x: 0, y: 0, width: 8, height: 8 },
 *   { image: red, x: 4, y: 0, width: 4, height: 4, z: 1 },
 * ], out);
 * device.queue.submit([encoder.finish()]);
 * const pixels = await new GpuReadback(device).texture(out);
 * assert.deepEqual(Array.from(pixels.subarray(0, 4)), [0, 0, 255, 255]); // (0, 0): blue
 * assert.deepEqual(Array.from(pixels.subarray(16, 20)), [255, 0, 0, 255]); // (4, 0): red
 * device.destroy();
 * ```
 */
export class GpuCompositor {
  readonly #device: GPUDevice;
  readonly #pipeline: GPURenderPipeline;
  readonly #sampler: GPUSampler;
  readonly #slots: GPUBuffer[] = [];
  readonly #groups = new BindCache();
  readonly #scratch = new Float32Array(8);

  private constructor(device: GPUDevice, pipeline: GPURenderPipeline) {
    this.#device = device;
    this.#pipeline = pipeline;
    this.#sampler = device.createSampler({
      magFilter: "linear",
      minFilter: "linear",
      addressModeU: "clamp-to-edge",
      addressModeV: "clamp-to-edge",
    });
  }

  /**
   * Compiles the compositor's shader.
   *
   * @param device The device.
   * @returns The compositor.
   * @throws {WgslError} When the device refuses the shader.
   */
  static async create(device: GPUDevice): Promise<GpuCompositor> {
    const pipeline = await renderPipeline(
      device,
      "compositor",
      SHADER,
      (module) =>
        device.createRenderPipeline({
          label: "compositor",
          layout: "auto",
          vertex: { module, entryPoint: "vs" },
          fragment: {
            module,
            entryPoint: "fs",
            targets: [{
              format: "rgba8unorm",
              blend: {
                color: { srcFactor: "one", dstFactor: "one-minus-src-alpha" },
                alpha: { srcFactor: "one", dstFactor: "one-minus-src-alpha" },
              },
            }],
          },
          primitive: { topology: "triangle-strip" },
        }),
    );
    return new GpuCompositor(device, pipeline);
  }

  /**
   * Records the composition of `layers` into `dst`.
   *
   * @param encoder The command encoder to record into.
   * @param layers The inputs and their placements (integer rectangles in `dst`'s pixels).
   * @param dst The output image (`rgba8unorm`, with `RENDER_ATTACHMENT` usage).
   * @param background The colour under every layer, RGBA from 0 to 1. Defaults to opaque black.
   */
  composite(
    encoder: GPUCommandEncoder,
    layers: readonly GpuLayer[],
    dst: GPUTexture,
    background: readonly [number, number, number, number] = [0, 0, 0, 1],
  ): void {
    const pass = encoder.beginRenderPass({
      colorAttachments: [{
        view: dst.createView(),
        loadOp: "clear",
        storeOp: "store",
        clearValue: { r: background[0], g: background[1], b: background[2], a: background[3] },
      }],
    });
    pass.setPipeline(this.#pipeline);
    const { width, height } = dst;
    const order = drawOrder(layers);
    for (let slot = 0; slot < order.length; slot++) {
      const layer = layers[order[slot]];
      const alpha = Math.min(1, Math.max(0, layer.alpha ?? 1));
      if (alpha === 0 || layer.width <= 0 || layer.height <= 0) continue;
      const uniform = this.#slot(slot);
      const s = this.#scratch;
      s[0] = (layer.x / width) * 2 - 1;
      s[1] = 1 - (layer.y / height) * 2;
      s[2] = ((layer.x + layer.width) / width) * 2 - 1;
      s[3] = 1 - ((layer.y + layer.height) / height) * 2;
      s[4] = alpha;
      s[5] = layer.premultiplied ? 1 : 0;
      this.#device.queue.writeBuffer(uniform, 0, s);
      pass.setBindGroup(
        0,
        this.#groups.get([uniform, layer.image], () =>
          this.#device.createBindGroup({
            layout: this.#pipeline.getBindGroupLayout(0),
            entries: [
              { binding: 0, resource: { buffer: uniform } },
              { binding: 1, resource: layer.image.createView() },
              { binding: 2, resource: this.#sampler },
            ],
          })),
      );
      pass.draw(4);
    }
    pass.end();
  }

  /** Destroys the layers' uniform buffers; idempotent. */
  close(): void {
    for (const buffer of this.#slots) buffer.destroy();
    this.#slots.length = 0;
  }

  #slot(i: number): GPUBuffer {
    while (this.#slots.length <= i) {
      this.#slots.push(this.#device.createBuffer({
        label: `compositor layer ${this.#slots.length}`,
        size: 32,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      }));
    }
    return this.#slots[i];
  }
}
