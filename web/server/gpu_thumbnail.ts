/**
 * Thumbnails of GPU frames for the dashboard's previews: the frame is downscaled on the GPU into a
 * small texture, and only that is read back.
 *
 * @module
 */

import type { GpuVideoFrame } from "../../mod.ts";
import { paddedRowBytes, unpadRows } from "../../core/gpu/frame_io.ts";
import { fitSize, type Thumbnail } from "./downscale.ts";

const SHADER = /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var smp: sampler;
struct Out { @builtin(position) position: vec4f, @location(0) uv: vec2f }
@vertex fn vs(@builtin(vertex_index) i: u32) -> Out {
  let xy = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return Out(vec4f(xy * 2.0 - 1.0, 0.0, 1.0), vec2f(xy.x, 1.0 - xy.y));
}
@fragment fn fs(in: Out) -> @location(0) vec4f {
  return textureSample(src, smp, in.uv);
}`;

interface Kit {
  readonly pipeline: GPURenderPipeline;
  readonly sampler: GPUSampler;
}

const kits = new WeakMap<GPUDevice, Kit>();

function kitFor(device: GPUDevice): Kit {
  let kit = kits.get(device);
  if (kit === undefined) {
    const module = device.createShaderModule({ code: SHADER });
    kit = {
      pipeline: device.createRenderPipeline({
        layout: "auto",
        vertex: { module, entryPoint: "vs" },
        fragment: { module, entryPoint: "fs", targets: [{ format: "rgba8unorm" }] },
      }),
      sampler: device.createSampler({ magFilter: "linear", minFilter: "linear" }),
    };
    kits.set(device, kit);
  }
  return kit;
}

/**
 * Downscales a GPU frame to an RGBA thumbnail fitted in `maxWidth` x `maxHeight` (bilinear, on
 * the GPU) and reads back only the thumbnail. The commands are submitted before this returns, so
 * the frame may be released as soon as it does; the promise resolves when the readback is mapped.
 *
 * @param frame The GPU frame (`OwnedGpuVideoFrame`: its `device` is where the work runs).
 * @param maxWidth The box's width.
 * @param maxHeight The box's height.
 * @returns The thumbnail.
 *
 * @example A red 64x32 frame into a 16x8 thumbnail
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { gpuThumbnail } from "./gpu_thumbnail.ts";
 *
 * const ctx = createProcessContext("pattern");
 * const device = await ctx.gpu.ready();
 * const frame = ctx.frames.gpuVideo({ width: 64, height: 32, format: "RGBA" })!;
 * const encoder = device.createCommandEncoder();
 * encoder.beginRenderPass({ colorAttachments: [{ view: frame.texture.createView(), loadOp: "clear",
 *   storeOp: "store", clearValue: [1, 0, 0, 1] }] }).end();
 * device.queue.submit([encoder.finish()]);
 * const pending = gpuThumbnail(frame, 16, 16);
 * ctx.frames.flush(); // the frame may go: the commands are submitted
 * const thumb = await pending;
 * assert.deepEqual([thumb.width, thumb.height, ...thumb.rgba.subarray(0, 4)], [16, 8, 255, 0, 0, 255]);
 * ```
 */
export function gpuThumbnail(
  frame: GpuVideoFrame & { readonly device: GPUDevice },
  maxWidth: number,
  maxHeight: number,
): Promise<Thumbnail> {
  const device = frame.device;
  const { width, height } = fitSize(frame.width, frame.height, maxWidth, maxHeight);
  const kit = kitFor(device);
  const target = device.createTexture({
    size: [width, height],
    format: "rgba8unorm",
    usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
  });
  const bytesPerRow = paddedRowBytes(width * 4);
  const buffer = device.createBuffer({
    size: bytesPerRow * height,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginRenderPass({
    colorAttachments: [{ view: target.createView(), loadOp: "clear", storeOp: "store" }],
  });
  pass.setPipeline(kit.pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: kit.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: frame.texture.createView() },
        { binding: 1, resource: kit.sampler },
      ],
    }),
  );
  pass.draw(3);
  pass.end();
  encoder.copyTextureToBuffer({ texture: target }, { buffer, bytesPerRow }, [width, height]);
  device.queue.submit([encoder.finish()]);
  return buffer.mapAsync(GPUMapMode.READ).then(() => {
    const rgba = new Uint8Array(width * height * 4);
    unpadRows(new Uint8Array(buffer.getMappedRange()), bytesPerRow, width * 4, height, rgba);
    buffer.unmap();
    buffer.destroy();
    target.destroy();
    return { width, height, rgba };
  }, (error) => {
    buffer.destroy();
    target.destroy();
    throw error;
  });
}
