/**
 * Pixel formats and their memory layout: plane offsets, strides and byte sizes.
 *
 * @module
 */

import { PIXEL_FORMATS, type PixelFormat } from "../../core/frames/video_frame.ts";

/**
 * Pixel layout of a frame: core's {@linkcode PixelFormat} (one definition for the whole project),
 * re-exported here with {@linkcode PIXEL_FORMATS} so the video algorithms can be imported on their
 * own. Rows are tightly packed (stride = bytes of visible pixels).
 *
 * - `RGBA`, `BGRA`: one plane, 4 bytes a pixel in that byte order.
 * - `I420`: 8-bit 4:2:0 planar: Y (width x height), then U and V (each width/2 x height/2).
 * - `NV12`: 8-bit 4:2:0 semi-planar: Y, then one plane of interleaved U, V pairs (height/2 rows
 *   of `width` bytes).
 */
export { PIXEL_FORMATS, type PixelFormat };

/** One plane of a {@linkcode FrameLayout}. */
export interface PlaneLayout {
  /** `"RGBA"`, `"BGRA"`, `"Y"`, `"U"`, `"V"` or `"UV"`. */
  readonly name: string;
  /** Byte offset of the plane's first row in the frame buffer. */
  readonly offset: number;
  /** Bytes from the start of one row to the next. */
  readonly stride: number;
  /** Samples per row (pixels for RGBA and Y, chroma samples for U, V and UV pairs). */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Bytes of the plane: `stride * height`. */
  readonly byteLength: number;
}

/** Where every plane of a frame lives in one buffer. */
export interface FrameLayout {
  /** The pixel format. */
  readonly format: PixelFormat;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Bytes of the whole frame. */
  readonly byteLength: number;
  /** The planes, in memory order. */
  readonly planes: readonly PlaneLayout[];
}

/** A frame size a pixel format cannot represent: 4:2:0 formats need even dimensions. */
export class FrameSizeError extends RangeError {
  /** The pixel format asked for. */
  readonly format: string;
  /** The width asked for. */
  readonly width: number;
  /** The height asked for. */
  readonly height: number;

  /**
   * Creates the error.
   *
   * @param format The pixel format.
   * @param width The width asked for.
   * @param height The height asked for.
   * @param detail Why the size is not valid.
   */
  constructor(format: string, width: number, height: number, detail: string) {
    super(`Cannot lay out a ${width}x${height} ${format} frame: ${detail}`);
    this.name = "FrameSizeError";
    this.format = format;
    this.width = width;
    this.height = height;
  }
}

/** A pixel format name that is not one of {@linkcode PIXEL_FORMATS}. */
export class UnsupportedPixelFormatError extends TypeError {
  /** The name that was given. */
  readonly format: string;
  /** The formats that are supported. */
  readonly supported: readonly PixelFormat[] = PIXEL_FORMATS;

  /**
   * Creates the error.
   *
   * @param format The unsupported name.
   */
  constructor(format: string) {
    super(
      `Cannot use pixel format '${format}': unsupported, expected one of ${
        PIXEL_FORMATS.join(", ")
      }`,
    );
    this.name = "UnsupportedPixelFormatError";
    this.format = format;
  }
}

/**
 * Whether `value` names a supported pixel format.
 *
 * @param value Any string.
 * @returns `true` for `RGBA`, `BGRA`, `I420` and `NV12`.
 *
 * @example Validate user input
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPixelFormat } from "./pixel_format.ts";
 *
 * assert.ok(isPixelFormat("NV12"));
 * assert.equal(isPixelFormat("YUY2"), false);
 * ```
 */
export function isPixelFormat(value: string): value is PixelFormat {
  return (PIXEL_FORMATS as readonly string[]).includes(value);
}

/**
 * Whether `width` x `height` is a valid size for `format`, by the rules of
 * {@linkcode frameByteLength} but without throwing: for per-frame checks in processors.
 *
 * @param format The pixel format.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns `true` for positive integers, even ones for I420 and NV12.
 *
 * @example Odd sizes suit RGB formats only
 * ```ts
 * import assert from "node:assert/strict";
 * import { isValidFrameSize } from "./pixel_format.ts";
 *
 * assert.ok(isValidFrameSize("RGBA", 5, 3));
 * assert.equal(isValidFrameSize("I420", 5, 3), false);
 * ```
 */
export function isValidFrameSize(format: PixelFormat, width: number, height: number): boolean {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    return false;
  }
  if (format === "RGBA" || format === "BGRA") return true;
  if (format === "I420" || format === "NV12") return width % 2 === 0 && height % 2 === 0;
  return false;
}

/**
 * Checks a frame size for a format without allocating; the size rules of every function here.
 *
 * @param format The pixel format.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The frame size in bytes.
 * @throws {FrameSizeError} When a dimension is not a positive integer, or is odd for I420/NV12.
 * @throws {UnsupportedPixelFormatError} When `format` is not a supported format.
 *
 * @example Size frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameByteLength } from "./pixel_format.ts";
 *
 * assert.equal(frameByteLength("RGBA", 4, 2), 32);
 * assert.equal(frameByteLength("I420", 4, 2), 12);
 * ```
 */
export function frameByteLength(format: PixelFormat, width: number, height: number): number {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new FrameSizeError(format, width, height, "width and height must be positive integers");
  }
  switch (format) {
    case "RGBA":
    case "BGRA":
      return width * height * 4;
    case "I420":
    case "NV12":
      if (width % 2 !== 0 || height % 2 !== 0) {
        throw new FrameSizeError(
          format,
          width,
          height,
          "4:2:0 chroma subsampling needs an even width and height",
        );
      }
      return (width * height * 3) / 2;
    default:
      throw new UnsupportedPixelFormatError(format);
  }
}

/**
 * Describes the planes of a tightly packed frame. Allocates the description; call it at setup.
 *
 * @param format The pixel format.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The planes with their offsets, strides and sizes.
 * @throws {FrameSizeError} When a dimension is not a positive integer, or is odd for I420/NV12.
 * @throws {UnsupportedPixelFormatError} When `format` is not a supported format.
 *
 * @example Find the V plane of a 640x480 I420 frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameLayout } from "./pixel_format.ts";
 *
 * const v = frameLayout("I420", 640, 480).planes[2];
 * assert.equal(v.name, "V");
 * assert.equal(v.offset, 384000);
 * assert.equal(v.stride, 320);
 * assert.equal(v.height, 240);
 * ```
 */
export function frameLayout(format: PixelFormat, width: number, height: number): FrameLayout {
  const byteLength = frameByteLength(format, width, height);
  const plane = (name: string, offset: number, stride: number, w: number, h: number) => ({
    name,
    offset,
    stride,
    width: w,
    height: h,
    byteLength: stride * h,
  });
  const luma = width * height;
  const cw = width / 2;
  const ch = height / 2;
  let planes: PlaneLayout[];
  if (format === "RGBA" || format === "BGRA") {
    planes = [plane(format, 0, width * 4, width, height)];
  } else if (format === "I420") {
    planes = [
      plane("Y", 0, width, width, height),
      plane("U", luma, cw, cw, ch),
      plane("V", luma + cw * ch, cw, cw, ch),
    ];
  } else {
    planes = [plane("Y", 0, width, width, height), plane("UV", luma, width, cw, ch)];
  }
  return { format, width, height, byteLength, planes };
}
