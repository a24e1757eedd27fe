/**
 * One WGSL function as a pixel effect: the helper behind the built-in and the authors' GPU
 * effects.
 *
 * @module
 */

import { computePipeline } from "./_compile.ts";
import { BindCache } from "./_bind_cache.ts";
import { WgslError } from "./wgsl_error.ts";

/** What {@linkcode PixelEffect.create} makes an effect from. */
export interface PixelEffectSource {
  /** The effect's name, for error messages. */
  readonly name: string;
  /**
   * WGSL that defines `fn effect(c: vec4f, uv: vec2f) -> vec4f`: `c` is the pixel (RGBA, 0 to
   * 1), `uv` its centre (0 to 1, origin top left); it returns the new pixel. It may define other
   * functions and constants, and read the prelude's `src` (the input, `texture_2d<f32>`, for
   * neighbours: `textureLoad(src, xy, 0)` or `textureSampleLevel(src, srcSampler, uv, 0.0)`),
   * `frame.size` (width and height in pixels, `vec2f`), `frame.time` (the frame's time in
   * seconds) and `params.<name>` (each of {@linkcode PixelEffectSource.params}, `f32`).
   */
  readonly wgsl: string;
  /** Names of the effect's `f32` parameters, set with {@linkcode PixelEffect.setParams}. */
  readonly params?: readonly string[];
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The lines put before the author's code, which the compiler's line numbers count. */
function prelude(params: readonly string[]): string {
  const fields = params.length > 0 ? params.map((p) => `${p}: f32`).join(", ") : "unused: f32";
  return [
    `struct Frame { size: vec2f, time: f32 }`,
    `struct Params { ${fields} }`,
    `@group(0) @binding(0) var src: texture_2d<f32>;`,
    `@group(0) @binding(1) var dst: texture_storage_2d<rgba8unorm, write>;`,
    `@group(0) @binding(2) var<uniform> frame: Frame;`,
    `@group(0) @binding(3) var<uniform> params: Params;`,
    `@group(0) @binding(4) var srcSampler: sampler;`,
    "",
  ].join("\n");
}

const MAIN = /* wgsl */ `
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(dst);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let uv = (vec2f(id.xy) + 0.5) / vec2f(size);
  textureStore(dst, id.xy, effect(textureLoad(src, id.xy, 0), uv));
}
`;

/**
 * A pixel effect from one WGSL function, `fn effect(c: vec4f, uv: vec2f) -> vec4f`, run once per
 * pixel of an `rgba8unorm` image by a compute kernel the helper writes around it (bindings,
 * bounds, the loop over pixels): the author writes the colour math and nothing else.
 * {@linkcode PixelEffectSource} lists what the function may read.
 *
 * The frame and parameter uniforms are written with `queue.writeBuffer`, which takes effect at
 * the next submission: record at most one `apply()` per effect in one submission.
 *
 * @example A sepia tone with a strength parameter
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImage, writeImage } from "./image.ts";
 * import { PixelEffect } from "./pixel_effect.ts";
 * import { GpuReadback } from "./readback.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * using sepia = await PixelEffect.create(device, {
 *   name: "sepia",
 *   params: ["amount"],
 *   wgsl: `
 *     fn effect(c: vec4f, uv: vec2f) -> vec4f {
 *       let s = vec3f(dot(c.rgb, vec3f(0.393, 0.769, 0.189)),
 *                     dot(c.rgb, vec3f(0.349, 0.686, 0.168)),
 *                     dot(c.rgb, vec3f(0.272, 0.534, 0.131)));
 *       return vec4f(mix(c.rgb, min(s, vec3f(1.0)), params.amount), c.a);
 *     }`,
 * });
 * const src = createImage(device, 1, 1);
 * writeImage(device, src, new Uint8Array([100, 100, 100, 255]));
 * const dst = createImage(device, 1, 1);
 * sepia.setParams({ amount: 1 });
 * const encoder = device.createCommandEncoder();
 * sepia.apply(encoder, src, dst);
 * device.queue.submit([encoder.finish()]);
 * const [r, g, b] = await new GpuReadback(device).texture(dst);
 * assert.deepEqual([r, g, b], [135, 120, 94]); // 100 * (0.393 + 0.769 + 0.189) = 135.1
 * device.destroy();
 * ```
 */
export class PixelEffect {
  /** The effect's name. */
  readonly name: string;
  /** Its parameters' names, in uniform order. */
  readonly params: readonly string[];
  readonly #device: GPUDevice;
  readonly #pipeline: GPUComputePipeline;
  readonly #frame: GPUBuffer;
  readonly #params: GPUBuffer;
  readonly #values: Float32Array<ArrayBuffer>;
  readonly #frameValues = new Float32Array(4);
  readonly #sampler: GPUSampler;
  readonly #groups = new BindCache();
  #dirty = true;

  private constructor(
    device: GPUDevice,
    pipeline: GPUComputePipeline,
    name: string,
    params: readonly string[],
  ) {
    this.#device = device;
    this.#pipeline = pipeline;
    this.name = name;
    this.params = params;
    this.#values = new Float32Array(Math.max(4, (params.length + 3) & ~3));
    const uniform = (label: string, size: number) =>
      device.createBuffer({ label, size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.#frame = uniform(`${name} frame`, 16);
    this.#params = uniform(`${name} params`, this.#values.byteLength);
    this.#sampler = device.createSampler({ magFilter: "linear", minFilter: "linear" });
  }

  /**
   * Compiles an effect.
   *
   * @param device The device.
   * @param source The effect's name, WGSL and parameter names.
   * @returns The effect, its parameters at 0.
   * @throws {WgslError} When the device refuses the WGSL (messages with the author's line
   *   numbers), or a parameter name is not a WGSL identifier.
   */
  static async create(device: GPUDevice, source: PixelEffectSource): Promise<PixelEffect> {
    const params = source.params ?? [];
    const head = prelude(params);
    for (const p of params) {
      if (!IDENT.test(p)) {
        throw new WgslError(source.name, [`parameter '${p}' is not a WGSL identifier`]);
      }
    }
    const code = `${head}${source.wgsl}\n${MAIN}`;
    const lines = head.split("\n").length - 1;
    const pipeline = await computePipeline(device, source.name, code, lines, layoutOf(device));
    return new PixelEffect(device, pipeline, source.name, params);
  }

  /**
   * Sets parameters for the frames recorded from now on; names not given keep their value.
   *
   * @param values Values by parameter name.
   * @throws {RangeError} On a name that is not one of {@linkcode PixelEffect.params}.
   */
  setParams(values: Readonly<Record<string, number>>): void {
    for (const [name, value] of Object.entries(values)) {
      const i = this.params.indexOf(name);
      if (i < 0) {
        throw new RangeError(
          `Cannot set '${name}' of effect '${this.name}': no such parameter, expected one of ${
            this.params.join(", ") || "(none)"
          }`,
        );
      }
      this.#values[i] = value;
    }
    this.#dirty = true;
  }

  /**
   * Records the effect from `src` into `dst` (the same size; not the same image).
   *
   * @param encoder The command encoder to record into.
   * @param src The source image.
   * @param dst The destination image (with `STORAGE_BINDING` usage).
   * @param timeSeconds The frame's time, as `frame.time`. Defaults to 0.
   */
  apply(encoder: GPUCommandEncoder, src: GPUTexture, dst: GPUTexture, timeSeconds = 0): void {
    const f = this.#frameValues;
    f[0] = dst.width;
    f[1] = dst.height;
    f[2] = timeSeconds;
    this.#device.queue.writeBuffer(this.#frame, 0, f);
    if (this.#dirty) {
      this.#device.queue.writeBuffer(this.#params, 0, this.#values);
      this.#dirty = false;
    }
    const group = this.#groups.get([src, dst], () =>
      this.#device.createBindGroup({
        layout: this.#pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: src.createView() },
          { binding: 1, resource: dst.createView() },
          { binding: 2, resource: { buffer: this.#frame } },
          { binding: 3, resource: { buffer: this.#params } },
          { binding: 4, resource: this.#sampler },
        ],
      }));
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.#pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(Math.ceil(dst.width / 8), Math.ceil(dst.height / 8));
    pass.end();
  }

  /** Destroys the effect's uniforms; idempotent. */
  close(): void {
    this.#frame.destroy();
    this.#params.destroy();
  }

  /** Same as {@linkcode PixelEffect.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** The effect's bindings, all kept whether or not the author's code reads them. */
function layoutOf(device: GPUDevice): GPUPipelineLayout {
  const compute = GPUShaderStage.COMPUTE;
  const group = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: compute, texture: { sampleType: "float" } },
      {
        binding: 1,
        visibility: compute,
        storageTexture: { access: "write-only", format: "rgba8unorm" },
      },
      { binding: 2, visibility: compute, buffer: { type: "uniform" } },
      { binding: 3, visibility: compute, buffer: { type: "uniform" } },
      { binding: 4, visibility: compute, sampler: { type: "filtering" } },
    ],
  });
  return device.createPipelineLayout({ bindGroupLayouts: [group] });
}
