/**
 * Typed errors for media requests the FFI wrappers refuse before reaching native code: a frame
 * size or pixel format a codec or capture cannot take, and a feature this OS does not have.
 *
 * @module
 */

/** A frame size an encoder or capture cannot take; names the size and what is valid. */
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
   * import { UnsupportedVideoSizeError } from "@streamlib/streamlib/ffi";
   *
   * const error = new UnsupportedVideoSizeError("encode", 15, 16, "even sizes");
   * console.log(error.message); // Cannot encode: size 15x16 is not supported, expected even sizes
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

/** A pixel format an operation does not take; names it and the valid ones. */
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
   * import { UnsupportedPixelFormatError } from "@streamlib/streamlib/ffi";
   *
   * const error = new UnsupportedPixelFormatError("encode", "YUY2", ["I420", "NV12"]);
   * console.log(error.message); // Cannot encode: pixel format 'YUY2' is not supported, expected one of I420, NV12
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

/** A feature this operating system does not have (the microphone off macOS, X11 off Linux). */
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
   * import { UnsupportedPlatformError } from "@streamlib/streamlib/ffi";
   *
   * const error = new UnsupportedPlatformError("microphone capture", "linux", ["darwin"]);
   * console.log(error.message); // Cannot use microphone capture: not supported on this OS (linux), only on darwin
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
