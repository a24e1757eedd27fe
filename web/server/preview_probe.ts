/**
 * The probe transform of the dashboard's previews: it runs in the isolate that owns the previewed
 * output (a Worker's too) and turns the sampled frame into what a preview needs, a small RGBA
 * thumbnail or the levels of an audio block. `PreviewProbes` names it in `rt.probe()`'s
 * `transform` option.
 *
 * @module
 */

import type { AudioFrame, GpuVideoFrame, VideoFrame } from "../../mod.ts";
import { gpuThumbnail } from "./gpu_thumbnail.ts";
import { measureLevel } from "./audio_levels.ts";
import { downscaleToRgba } from "./downscale.ts";
import type { AudioLevel } from "../shared/protocol.ts";

/** What {@linkcode previewSample} makes of a frame. */
export type PreviewValue =
  | {
    readonly kind: "video";
    readonly width: number;
    readonly height: number;
    readonly rgba: Uint8Array<ArrayBuffer>;
    readonly timestampNs: number;
  }
  | { readonly kind: "audio"; readonly level: AudioLevel }
  | { readonly kind: "none" };

/** Options of {@linkcode previewSample}: the largest thumbnail. */
export interface PreviewSampleOptions {
  /** Largest thumbnail width. */
  readonly width: number;
  /** Largest thumbnail height. */
  readonly height: number;
}

/**
 * A video frame's thumbnail (downscaled RGBA) or an audio block's levels. A GPU frame is
 * downscaled on the GPU and only the thumbnail read back: the result is then a promise (the probe
 * delivers the sample when it resolves).
 *
 * @param frame The sampled frame (valid during the call only).
 * @param options The largest thumbnail.
 * @returns The preview; `{ kind: "none" }` for other frames.
 *
 * @example A 4x2 red frame into a 2x1 thumbnail
 * ```ts
 * import assert from "node:assert/strict";
 * import { previewSample } from "./preview_probe.ts";
 *
 * const data = new Uint8Array(4 * 2 * 4);
 * for (let i = 0; i < data.length; i += 4) data.set([255, 0, 0, 255], i);
 * const frame = { kind: "video", width: 4, height: 2, format: "RGBA", stride: 16, timestampNs: 5, frameNumber: 0, data } as const;
 * const value = await previewSample(frame, { width: 2, height: 2 }); // a promise only for GPU frames
 * assert.equal(value.kind, "video");
 * assert.deepEqual(value.kind === "video" && [value.width, value.height, value.timestampNs], [2, 1, 5]);
 * ```
 */
export function previewSample(
  frame: VideoFrame | AudioFrame | GpuVideoFrame | { kind: string },
  options: PreviewSampleOptions,
): PreviewValue | Promise<PreviewValue> {
  if (frame.kind === "gpu-video") {
    const gpu = frame as GpuVideoFrame & { readonly device?: GPUDevice };
    if (gpu.device === undefined) return { kind: "none" }; // not a frame of the runtime's pool
    const timestampNs = gpu.timestampNs;
    return gpuThumbnail(gpu as GpuVideoFrame & { device: GPUDevice }, options.width, options.height)
      .then((thumb) => ({ kind: "video", ...thumb, timestampNs }));
  }
  if (frame.kind === "video") {
    const video = frame as VideoFrame;
    const thumb = downscaleToRgba(video, options.width, options.height);
    return { kind: "video", ...thumb, timestampNs: video.timestampNs };
  }
  if (frame.kind === "audio") return { kind: "audio", level: measureLevel(frame as AudioFrame) };
  return { kind: "none" };
}
