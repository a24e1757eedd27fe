/**
 * {@linkcode OwnedGpuVideoFrame}: a GPU video frame with an owner, like every frame of
 * `ctx.frames`.
 *
 * @module
 */

import { type FrameLedger, OwnedFrame } from "./owned_frame.ts";
import type { GpuPixelFormat, GpuVideoFrame } from "../gpu/gpu_video_frame.ts";
import type { TextureMemory } from "../gpu/texture_pool.ts";

/**
 * A video frame in a texture of the runtime's pool (from `ctx.frames.gpuVideo()`, or made by a
 * connection's upload). Reference counted like every owned frame: the runtime releases what a
 * run read or made, each connection holds its own reference, and when the last one goes the
 * texture returns to the pool and `texture` throws `FrameReleasedError`.
 *
 * @example Make a GPU frame and clear it
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext, FrameReleasedError } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("pattern");
 * await ctx.gpu.ready(); // a runtime does this before setup() for nodes with GPU ports
 * const frame = ctx.frames.gpuVideo({ width: 8, height: 8, format: "RGBA" })!;
 * const encoder = ctx.gpu.device.createCommandEncoder();
 * encoder.beginRenderPass({
 *   colorAttachments: [{ view: frame.texture.createView(), loadOp: "clear", storeOp: "store",
 *     clearValue: [1, 0, 0, 1] }],
 * }).end();
 * ctx.gpu.device.queue.submit([encoder.finish()]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * assert.throws(() => frame.texture, FrameReleasedError);
 * ```
 */
export class OwnedGpuVideoFrame extends OwnedFrame<TextureMemory> implements GpuVideoFrame {
  readonly kind = "gpu-video" as const;
  readonly width: number;
  readonly height: number;
  readonly format: GpuPixelFormat;
  /** Presentation time in nanoseconds; set by the maker. */
  timestampNs = 0;
  /** Position in the stream; set by the maker. */
  frameNumber = 0;

  /**
   * Creates the frame over a pool texture.
   *
   * @param memory The texture.
   * @param origin The node that made it.
   * @param ledger Where live frames are counted.
   */
  constructor(memory: TextureMemory, origin: string, ledger?: FrameLedger) {
    super(memory, origin, ledger);
    this.width = memory.shape.width;
    this.height = memory.shape.height;
    this.format = memory.shape.format;
  }

  /** The texture (throws `FrameReleasedError` once the frame is dead). */
  get texture(): GPUTexture {
    return this.memory.texture;
  }

  /** The device the texture belongs to (throws `FrameReleasedError` once the frame is dead). */
  get device(): GPUDevice {
    return this.memory.device;
  }
}
