/**
 * Video frames that live on the GPU: the frame type of `GpuVideoFrame` ports.
 *
 * @module
 */

/**
 * Pixel layout of a {@linkcode GpuVideoFrame}'s texture: `RGBA` is a `rgba8unorm` texture, `BGRA`
 * a `bgra8unorm` one (4 bytes a pixel, one plane).
 */
export type GpuPixelFormat = "RGBA" | "BGRA";

/** The GPU pixel formats, in a stable order. */
export const GPU_PIXEL_FORMATS: readonly GpuPixelFormat[] = ["RGBA", "BGRA"];

/**
 * The WebGPU texture format of a {@linkcode GpuPixelFormat}.
 *
 * @param format The frame's pixel format.
 * @returns `"rgba8unorm"` or `"bgra8unorm"`.
 *
 * @example The texture format of an RGBA frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuTextureFormat } from "@streamlib/streamlib";
 *
 * assert.equal(gpuTextureFormat("RGBA"), "rgba8unorm");
 * ```
 */
export function gpuTextureFormat(format: GpuPixelFormat): "rgba8unorm" | "bgra8unorm" {
  return format === "BGRA" ? "bgra8unorm" : "rgba8unorm";
}

/**
 * One uncompressed video frame in a GPU texture of the isolate's device (`ctx.gpu.device`). It
 * never crosses an isolate: a connection from a GPU output to a CPU input downloads it, one
 * from a CPU output to a GPU input uploads (see `docs/gpu.md`). Frames made by `ctx.frames.gpuVideo()`
 * are {@linkcode OwnedGpuVideoFrame}s: reference counted, their texture back in the runtime's
 * pool when the last reference goes.
 *
 * Every texture of the pool has the usages `COPY_SRC | COPY_DST | TEXTURE_BINDING |
 * RENDER_ATTACHMENT`, and `STORAGE_BINDING` for `RGBA` (and for `BGRA` where the device has the
 * `bgra8unorm-storage` feature).
 *
 * @example Branch on where a frame lives
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GpuVideoFrame, VideoFrame } from "@streamlib/streamlib";
 *
 * function where(frame: VideoFrame | GpuVideoFrame): string {
 *   return frame.kind === "gpu-video" ? "gpu" : "cpu";
 * }
 * const cpu: VideoFrame = {
 *   kind: "video", width: 1, height: 1, format: "RGBA", stride: 4,
 *   timestampNs: 0, frameNumber: 0, data: new Uint8Array(4),
 * };
 * assert.equal(where(cpu), "cpu");
 * ```
 */
export interface GpuVideoFrame {
  /** Discriminant: not part of the CPU `Frame` union. */
  readonly kind: "gpu-video";
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Pixel layout of the texture. */
  readonly format: GpuPixelFormat;
  /** Presentation time in nanoseconds on the monotonic media clock. */
  readonly timestampNs: number;
  /** Position of this frame in its stream, from 0. */
  readonly frameNumber: number;
  /** The texture (`width` x `height`, {@linkcode gpuTextureFormat} of `format`). */
  readonly texture: GPUTexture;
}

/** The port type string of GPU video ports. */
export const GPU_VIDEO_PORT_TYPE = "GpuVideoFrame";

/**
 * Whether a port type string is the GPU video port type.
 *
 * @param portType A port type string.
 * @returns Whether ports of it carry {@linkcode GpuVideoFrame}s.
 *
 * @example Tell GPU ports from CPU ones
 * ```ts
 * import assert from "node:assert/strict";
 * import { isGpuPortType } from "@streamlib/streamlib";
 *
 * assert.ok(isGpuPortType("GpuVideoFrame"));
 * assert.ok(!isGpuPortType("VideoFrame"));
 * ```
 */
export function isGpuPortType(portType: string): boolean {
  return portType.trim() === GPU_VIDEO_PORT_TYPE;
}
