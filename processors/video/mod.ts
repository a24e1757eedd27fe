/**
 * Video algorithms for the built-in processors: pixel formats and their layouts, the SMPTE
 * test pattern, BT.601 colour conversion and bilinear scaling. Per-frame functions write into
 * caller buffers and do not allocate.
 *
 * @example Render the test pattern, convert it to I420 and halve it
 * ```ts
 * import assert from "node:assert/strict";
 * import { BilinearScaler, convertFrame, frameByteLength, TestPatternRenderer } from "./mod.ts";
 *
 * const pattern = new TestPatternRenderer("RGBA", 640, 480);
 * const rgba = new Uint8Array(pattern.byteLength);
 * pattern.render(0, rgba);
 * const i420 = new Uint8Array(frameByteLength("I420", 640, 480));
 * convertFrame(rgba, "RGBA", i420, "I420", 640, 480);
 * const scaler = new BilinearScaler("I420", 640, 480, 320, 240);
 * const small = new Uint8Array(scaler.dstByteLength);
 * scaler.scale(i420, small);
 * assert.equal(small.length, 115200);
 * ```
 *
 * @module
 */

export { BufferSizeError } from "./buffer_size_error.ts";
export { convertFrame } from "./color_convert.ts";
export {
  frameByteLength,
  type FrameLayout,
  frameLayout,
  FrameSizeError,
  isPixelFormat,
  PIXEL_FORMATS,
  type PixelFormat,
  type PlaneLayout,
  UnsupportedPixelFormatError,
} from "./pixel_format.ts";
export { BilinearScaler } from "./scale.ts";
export {
  SMPTE_BARS_RGB,
  SMPTE_BARS_YCBCR,
  type SmpteColor,
  type TestPatternBox,
  testPatternBox,
  TestPatternRenderer,
} from "./test_pattern.ts";
export { BT601, rgbToYcbcr, ycbcrToRgb } from "./ycbcr.ts";
