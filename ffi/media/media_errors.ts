/**
 * Typed errors for media requests the FFI wrappers refuse before reaching native code: a frame
 * size or pixel format a codec or capture cannot take, and a feature this OS does not have.
 *
 * @module
 */

/**
 * A frame size an encoder or capture cannot take; names the size and what is valid.
 *
 * @example Ask for an odd frame size
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Encoder, UnsupportedVideoSizeError } from "@streamlib/streamlib/ffi";
 *
 * assert.throws(
 *   () => H264Encoder.create({ width: 15, height: 16 }).close(),
 *   (error) => {
 *     assert.ok(error instanceof UnsupportedVideoSizeError);
 *     assert.equal(error.width, 15);
 *     assert.equal(error.height, 16);
 *     assert.ok(error instanceof RangeError);
 *     assert.equal(error.valid, "even sizes from 16x16 to 3840x2160 (or 2160x3840)");
 *     return true;
 *   },
 * );
 * ```
 */
export class UnsupportedVideoSizeError extends RangeError {
  /** Width asked for. */
  readonly width: number;
  /** Height asked for. */
  readonly height: number;
  /** The valid sizes, in words. */
  readonly valid: string;

  /**
   * Creates the error.
   *
   * @param operation What was being done, e.g. `"create an H.264 encoder"`.
   * @param width Width asked for.
   * @param height Height asked for.
   * @param valid The valid sizes, in words.
   *
   * @example Report an odd size
   * ```ts
   * import assert from "node:assert/strict";
   * import { UnsupportedVideoSizeError } from "@streamlib/streamlib/ffi";
   *
   * const error = new UnsupportedVideoSizeError("encode", 15, 16, "even sizes");
   * assert.equal(error.message, "Cannot encode: size 15x16 is not supported, expected even sizes");
   * ```
   */
  constructor(operation: string, width: number, height: number, valid: string) {
    super(`Cannot ${operation}: size ${width}x${height} is not supported, expected ${valid}`);
    this.name = "UnsupportedVideoSizeError";
    this.width = width;
    this.height = height;
    this.valid = valid;
  }
}

/**
 * A pixel format an operation does not take; names it and the valid ones.
 *
 * @example Ask a screen capture for NV12
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, NativeCapture, UnsupportedPixelFormatError } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * assert.throws(
 *   () => NativeCapture.open({ kind: "screen", pixelFormat: "NV12", pool }).close(),
 *   (error) => {
 *     assert.ok(error instanceof UnsupportedPixelFormatError);
 *     assert.equal(error.format, "NV12");
 *     assert.deepEqual(error.valid, ["RGBA", "BGRA", "I420"]);
 *     return true;
 *   },
 * );
 * ```
 */
export class UnsupportedPixelFormatError extends TypeError {
  /** The format given. */
  readonly format: string;
  /** The formats that would be accepted. */
  readonly valid: readonly string[];

  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param format The format given.
   * @param valid The formats that would be accepted.
   *
   * @example Report YUY2
   * ```ts
   * import assert from "node:assert/strict";
   * import { UnsupportedPixelFormatError } from "@streamlib/streamlib/ffi";
   *
   * const error = new UnsupportedPixelFormatError("encode", "YUY2", ["I420", "NV12"]);
   * assert.equal(error.message, "Cannot encode: pixel format 'YUY2' is not supported, expected one of I420, NV12");
   * ```
   */
  constructor(operation: string, format: string, valid: readonly string[]) {
    super(
      `Cannot ${operation}: pixel format '${format}' is not supported, expected one of ${
        valid.join(", ")
      }`,
    );
    this.name = "UnsupportedPixelFormatError";
    this.format = format;
    this.valid = valid;
  }
}

/**
 * A feature this operating system does not have (the microphone off macOS, X11 off Linux).
 *
 * @example Ask for VideoToolbox off macOS
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Encoder, UnsupportedPlatformError } from "@streamlib/streamlib/ffi";
 *
 * if (Deno.build.os !== "darwin") {
 *   assert.throws(
 *     () => H264Encoder.create({ width: 64, height: 48, backend: "videotoolbox" }).close(),
 *     (error) => {
 *       assert.ok(error instanceof UnsupportedPlatformError);
 *       assert.equal(error.feature, "the videotoolbox H.264 encoder");
 *       assert.deepEqual(error.supported, ["darwin"]);
 *       return true;
 *     },
 *   );
 * }
 * ```
 */
export class UnsupportedPlatformError extends Error {
  /** The feature, e.g. `"microphone capture"`. */
  readonly feature: string;
  /** This OS (`Deno.build.os`). */
  readonly os: string;
  /** The operating systems that have it. */
  readonly supported: readonly string[];

  /**
   * Creates the error.
   *
   * @param feature The feature.
   * @param os This OS.
   * @param supported The operating systems that have it.
   *
   * @example Refuse the microphone on Linux
   * ```ts
   * import assert from "node:assert/strict";
   * import { UnsupportedPlatformError } from "@streamlib/streamlib/ffi";
   *
   * const error = new UnsupportedPlatformError("microphone capture", "linux", ["darwin"]);
   * assert.equal(error.message, "Cannot use microphone capture: not supported on this OS (linux), only on darwin");
   * ```
   */
  constructor(feature: string, os: string, supported: readonly string[]) {
    super(
      `Cannot use ${feature}: not supported on this OS (${os}), only on ${supported.join(", ")}`,
    );
    this.name = "UnsupportedPlatformError";
    this.feature = feature;
    this.os = os;
    this.supported = supported;
  }
}
