/**
 * The {@linkcode GpuLut} processor.
 *
 * @module
 */

import {
  config,
  type GpuVideoFrame,
  input,
  type InputPort,
  output,
  type OutputPort,
  processor,
} from "../../mod.ts";
import { GpuFilter } from "../base/gpu_filter.ts";
import type { GpuLut3d } from "../video/gpu/lut3d.ts";
import type { GpuLutTypes } from "./gpu_lut.gen.ts";

/** Config of {@linkcode GpuLut}. */
export interface GpuLutConfig {
  /**
   * A `.cube` 3D LUT file (`LUT_3D_SIZE` 2 to 256, domain 0 to 1), read at setup.
   *
   * @minLength 1
   */
  path: string;
}

/**
 * Grades GPU video through a 3D LUT from a `.cube` file (Resolve, Adobe and most grading tools
 * write them): each pixel's colour is looked up with trilinear interpolation by the texture unit,
 * alpha kept, within rounding of the CPU's `applyLut3d()`. A file that is not a 3D cube fails
 * `setup()` with `LutParseError` (`lut_invalid`). Output frames are `RGBA`, the input's size.
 *
 * @example Swap red and blue with a 2-point cube
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, type GpuVideoFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { GpuReadback } from "@streamlib/streamlib/processors/gpu";
 * import { gpuLutNode } from "./gpu_lut.gen.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".cube" });
 * const entries = [];
 * for (const b of [0, 1]) for (const g of [0, 1]) for (const r of [0, 1]) entries.push(`${b} ${g} ${r}`);
 * await Deno.writeTextFile(path, `LUT_3D_SIZE 2\n${entries.join("\n")}\n`);
 * const ctx = createProcessContext("grade");
 * const device = await ctx.gpu.ready();
 * const ports = gpuLutNode.ports();
 * const grade = gpuLutNode.create({ path }, ports);
 * const source = new OutputBinding<GpuVideoFrame>("source", "GpuVideoFrame");
 * const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink);
 * await grade.setup(ctx);
 * const frame = ctx.frames.gpuVideo({ width: 1, height: 1, format: "RGBA" })!;
 * device.queue.writeTexture({ texture: frame.texture }, new Uint8Array([255, 0, 0, 255]), {}, [1, 1]);
 * source.write(frame);
 * grade.process(ctx);
 * const pixel = await new GpuReadback(device).texture(sink.read()!.texture);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * assert.deepEqual(Array.from(pixel), [0, 0, 255, 255]);
 * await Deno.remove(path);
 * ```
 */
@processor({ tags: ["video", "gpu", "color"], mode: "push" })
export class GpuLut extends GpuFilter<GpuLutTypes> {
  /** GPU video. */
  @input({ required: true })
  in!: InputPort<GpuVideoFrame>;

  /** The graded video. */
  @output()
  out!: OutputPort<GpuVideoFrame>;

  /** The LUT file. */
  @config()
  config!: GpuLutConfig;

  #lut: GpuLut3d | undefined;

  /**
   * Reads the cube and uploads it.
   *
   * @param device The isolate's device.
   * @throws {LutParseError} When the file is not a 3D cube.
   * @throws {Deno.errors.NotFound} When there is no such file.
   */
  protected override async prepare(device: GPUDevice): Promise<void> {
    this.#lut?.close();
    this.#lut = undefined;
    const [{ GpuLut3d }, { parseCubeLut }] = await Promise.all([
      import("../video/gpu/lut3d.ts"), // loaded when first used
      import("../video/lut3d.ts"),
    ]);
    const lut = parseCubeLut(await Deno.readTextFile(this.config.path));
    this.#lut = await GpuLut3d.create(device, lut);
  }

  /**
   * Records this filter's work for one frame (see `GpuFilter.record`).
   *
   * @param encoder The command encoder.
   * @param src The input frame.
   * @param dst The output texture.
   */
  protected override record(encoder: GPUCommandEncoder, src: GpuVideoFrame, dst: GPUTexture): void {
    this.#lut!.apply(encoder, src.texture, dst);
  }

  /** Destroys the LUT's texture. */
  override teardown(): void {
    this.#lut?.close();
    this.#lut = undefined;
  }
}
