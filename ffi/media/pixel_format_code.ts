/**
 * The ABI codes of pixel formats (`crates/streamlib_native/src/media/pixel_format.rs`): the
 * position in `PIXEL_FORMATS`.
 *
 * @module
 */

import { PIXEL_FORMATS, type PixelFormat } from "../../core/frames/video_frame.ts";
import { UnsupportedPixelFormatError } from "./media_errors.ts";

/**
 * The native code of `format` (RGBA 0, BGRA 1, I420 2, NV12 3).
 *
 * @param format A pixel format name.
 * @param operation What is being done, for the error.
 * @param valid The formats the operation takes (all by default).
 * @returns The code.
 * @throws {UnsupportedPixelFormatError} When `format` is not one of `valid`.
 *
 * @example Look up I420
 * ```ts
 * import assert from "node:assert/strict";
 * import { pixelFormatCode } from "./pixel_format_code.ts";
 *
 * assert.equal(pixelFormatCode("I420", "encode"), 2);
 * ```
 */
export function pixelFormatCode(
  format: string,
  operation: string,
  valid: readonly PixelFormat[] = PIXEL_FORMATS,
): number {
  const code = PIXEL_FORMATS.indexOf(format as PixelFormat);
  if (code < 0 || !valid.includes(format as PixelFormat)) {
    throw new UnsupportedPixelFormatError(operation, format, valid);
  }
  return code;
}

/**
 * The pixel format of native code `code`.
 *
 * @param code A code from native frame messages (0..3).
 * @returns The format name.
 * @throws {RangeError} For any other code.
 *
 * @example Name code 3
 * ```ts
 * import assert from "node:assert/strict";
 * import { pixelFormatOfCode } from "./pixel_format_code.ts";
 *
 * assert.equal(pixelFormatOfCode(3), "NV12");
 * ```
 */
export function pixelFormatOfCode(code: number): PixelFormat {
  const format = PIXEL_FORMATS[code];
  if (format === undefined) {
    throw new RangeError(`Unknown native pixel format code ${code}, expected 0..3`);
  }
  return format;
}
