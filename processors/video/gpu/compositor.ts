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
struct Layer {
  rect: vec4f,
  // The colour beneath the first layer drawn, which its pipeline blends in the shader (it has no
  // blend state, so the blend unit does not read the target back); unused by the others.
  under: vec4f,
  // The layer's top-left corner in the target's pixels, for the 1:1 entry point.
  origin: vec2i,
  alpha: f32,
  // 1 when the texture's colour already carries its alpha (premultiplied), 0 when it is straight.
  premultiplied: f32,
}
@group(0) @binding(0) var<uniform> layer: Layer;
@group(0) @binding(1) var tex: texture_2d<f32>;
@group(0) @binding(2) var samp: sampler;

struct VOut { @builtin(position) pos: vec4f, @location(0) uv: vec2f }

fn corner(i: u32) -> vec2f { return vec2f(f32(i & 1u), f32(i >> 1u)); }
fn place(corner: vec2f) -> vec4f { return vec4f(mix(layer.rect.xy, layer.rect.zw, corner), 0.0, 1.0); }

@vertex
fn vs(@builtin(vertex_index) i: u32) -> VOut { return VOut(place(corner(i)), corner(i)); }

@vertex
fn vsCopy(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  return place(corner(i));
}

// Premultiplied out, the layer's alpha applied: a straight texel's colour times its alpha, a
// premultiplied one's as it is.
fn blended(c: vec4f) -> vec4f {
  let k = select(c.a, 1.0, layer.premultiplied > 0.5);
  return vec4f(c.rgb * k, c.a) * layer.alpha;
}

fn over(c: vec4f) -> vec4f {
  let p = blended(c);
  return vec4f(p.rgb + layer.under.rgb * (1.0 - p.a), p.a + layer.under.a * (1.0 - p.a));
}

// A layer the size of its image: a bilinear sample at a texel's centre is that texel, so load it.
fn texel(pos: vec4f) -> vec4f { return textureLoad(tex, vec2i(pos.xy) - layer.origin, 0); }

fn sampled(v: VOut) -> vec4f { return textureSampleLevel(tex, samp, v.uv, 0.0); }

@fragment fn fsScaledBlend(v: VOut) -> @location(0) vec4f { return blended(sampled(v)); }
@fragment fn fsScaledOver(v: VOut) -> @location(0) vec4f { return over(sampled(v)); }
@fragment fn fsCopyBlend(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  return blended(texel(pos));
}
@fragment fn fsCopyOver(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  return over(texel(pos));
}
`;

/** The compositor's four ways to draw a layer: scaled or 1:1, over the background or blended. */
interface Pipelines {
  scaledBlend: GPURenderPipeline;
  scaledOver: GPURenderPipeline;
  copyBlend: GPURenderPipeline;
  copyOver: GPURenderPipeline;
}

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
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
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
  readonly #layout: GPUBindGroupLayout;
  readonly #pipelines: Pipelines;
  readonly #sampler: GPUSampler;
  readonly #slots: GPUBuffer[] = [];
  readonly #groups = new BindCache();
  readonly #scratch = new ArrayBuffer(48);
  readonly #floats = new Float32Array(this.#scratch);
  readonly #ints = new Int32Array(this.#scratch);

  private constructor(device: GPUDevice, layout: GPUBindGroupLayout, pipelines: Pipelines) {
    this.#device = device;
    this.#layout = layout;
    this.#pipelines = pipelines;
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
    const visible = GPUShaderStage.VERTEX | GPUShaderStage.FRAGMENT;
    const layout = device.createBindGroupLayout({
      label: "compositor layer",
      entries: [
        { binding: 0, visibility: visible, buffer: { type: "uniform" } },
        { binding: 1, visibility: GPUShaderStage.FRAGMENT, texture: { sampleType: "float" } },
        { binding: 2, visibility: GPUShaderStage.FRAGMENT, sampler: { type: "filtering" } },
      ],
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const build = (entryPoint: string, blend: boolean) =>
      renderPipeline(
        device,
        `compositor ${entryPoint}`,
        SHADER,
        (module) =>
          device.createRenderPipeline({
            label: `compositor ${entryPoint}`,
            layout: pipelineLayout,
            vertex: { module, entryPoint: entryPoint.startsWith("fsCopy") ? "vsCopy" : "vs" },
            fragment: {
              module,
              entryPoint,
              targets: [{
                format: "rgba8unorm",
                blend: blend
                  ? {
                    color: { srcFactor: "one", dstFactor: "one-minus-src-alpha" },
                    alpha: { srcFactor: "one", dstFactor: "one-minus-src-alpha" },
                  }
                  : undefined,
              }],
            },
            primitive: { topology: "triangle-strip" },
          }),
      );
    const [scaledBlend, scaledOver, copyBlend, copyOver] = await Promise.all([
      build("fsScaledBlend", true),
      build("fsScaledOver", false),
      build("fsCopyBlend", true),
      build("fsCopyOver", false),
    ]);
    return new GpuCompositor(device, layout, { scaledBlend, scaledOver, copyBlend, copyOver });
  }

  /**
   * Records the composition of `layers` into `dst`.
   *
   * The first layer drawn is mixed with the background in its shader (the background is all that
   * lies under it), so only the layers above it go through the blend unit, which reads the
   * target back; a layer the size of its image (no scaling) is copied texel by texel rather than
   * filtered. Both give what blending and filtering would.
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
    const { width, height } = dst;
    const order = drawOrder(layers);
    const f = this.#floats;
    for (let c = 0; c < 4; c++) {
      // The clear colour as the target stores it: 8 bits a channel.
      f[4 + c] = Math.round(Math.min(1, Math.max(0, background[c])) * 255) / 255;
    }
    let first = true;
    for (let slot = 0; slot < order.length; slot++) {
      const layer = layers[order[slot]];
      const alpha = Math.min(1, Math.max(0, layer.alpha ?? 1));
      if (alpha === 0 || layer.width <= 0 || layer.height <= 0) continue;
      const uniform = this.#slot(slot);
      f[0] = (layer.x / width) * 2 - 1;
      f[1] = 1 - (layer.y / height) * 2;
      f[2] = ((layer.x + layer.width) / width) * 2 - 1;
      f[3] = 1 - ((layer.y + layer.height) / height) * 2;
      this.#ints[8] = layer.x;
      this.#ints[9] = layer.y;
      f[10] = alpha;
      f[11] = layer.premultiplied ? 1 : 0;
      this.#device.queue.writeBuffer(uniform, 0, this.#scratch);
      const copy = layer.width === layer.image.width && layer.height === layer.image.height &&
        Number.isInteger(layer.x) && Number.isInteger(layer.y);
      const p = this.#pipelines;
      pass.setPipeline(
        copy ? (first ? p.copyOver : p.copyBlend) : (first ? p.scaledOver : p.scaledBlend),
      );
      first = false;
      pass.setBindGroup(
        0,
        this.#groups.get([uniform, layer.image], () =>
          this.#device.createBindGroup({
            layout: this.#layout,
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
        size: 48,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      }));
    }
    return this.#slots[i];
  }
}
