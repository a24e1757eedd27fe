/**
 * The footprint hooks of the built-in video sources and scaler (`static footprint` of each
 * class): here rather than in the processors' modules, so the generated registry can hand them
 * to admission control without importing the classes.
 *
 * @module
 */

import type { FrameFootprint } from "../../core/admission/footprint.ts";
import { type PixelFormat, videoFrameByteLength } from "../../core/frames/video_frame.ts";

/** The config fields a video footprint reads. */
interface VideoSize {
  readonly pixelFormat: PixelFormat;
  readonly width: number;
  readonly height: number;
}

/**
 * `TestPattern`: one frame of the configured size and format.
 *
 * @param config The validated config.
 * @returns The footprint.
 *
 * @example A 2x2 RGBA pattern
 * ```ts
 * import assert from "node:assert/strict";
 * import { testPatternFootprint } from "./footprints.ts";
 *
 * assert.equal(testPatternFootprint({ pixelFormat: "RGBA", width: 2, height: 2 }).frameBytes, 16);
 * ```
 */
export function testPatternFootprint(config: VideoSize): FrameFootprint {
  return { frameBytes: videoFrameByteLength(config.pixelFormat, config.width, config.height) };
}

/**
 * `Camera`: frames of the configured size, four of them held by the capture.
 *
 * @param config The validated config.
 * @returns The footprint.
 */
export function cameraFootprint(config: VideoSize): FrameFootprint {
  const { pixelFormat, width, height } = config;
  return { frameBytes: videoFrameByteLength(pixelFormat, width, height), heldFrames: 4 };
}

/**
 * `ScreenCapture`: like the camera, unknown when the size is the screen's own (0).
 *
 * @param config The validated config.
 * @returns The footprint, or `undefined` when the config does not give the size.
 */
export function screenCaptureFootprint(config: VideoSize): FrameFootprint | undefined {
  const { pixelFormat, width, height } = config;
  if (width === 0 || height === 0) return undefined;
  return { frameBytes: videoFrameByteLength(pixelFormat, width, height), heldFrames: 4 };
}

/**
 * `VideoScale`: one RGBA frame of the output size.
 *
 * @param config The validated config.
 * @returns The footprint.
 */
export function videoScaleFootprint(
  config: { readonly width: number; readonly height: number },
): FrameFootprint {
  return { frameBytes: videoFrameByteLength("RGBA", config.width, config.height) };
}
