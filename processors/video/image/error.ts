/**
 * {@linkcode ImageLoadError}: why a still image (PNG or JPEG) cannot be used.
 *
 * @module
 */

/** The codes an {@linkcode ImageLoadError} carries. */
export type ImageLoadErrorCode =
  | "image_not_found"
  | "image_invalid"
  | "image_too_large"
  | "image_unsupported";

/** What a front-end shows beside an {@linkcode ImageLoadError}'s message. */
export interface ImageLoadErrorDetails {
  /** The path or URL the image came from. */
  readonly source: string;
  /** What is valid instead: the formats, URL schemes or the size limit. */
  readonly available: readonly string[];
  /** Other fields: `width`, `height`, `maxSide`, `bytes`, `maxBytes` where they apply. */
  readonly [key: string]: string | number | readonly string[];
}

/**
 * A still image that cannot be read, decoded or used: no such file (`image_not_found`), bytes
 * that are not a whole PNG or JPEG (`image_invalid`), dimensions or a size over the limits
 * (`image_too_large`), another format (`image_unsupported`). `details.available` says what is
 * valid.
 *
 * @example Catch by code
 * ```ts
 * import assert from "node:assert/strict";
 * import { ImageLoadError } from "./error.ts";
 *
 * const error = new ImageLoadError("image_unsupported", "logo.gif", "GIF is not read", ["PNG", "JPEG"]);
 * assert.equal(error.code, "image_unsupported");
 * assert.match(error.message, /^Cannot use the image 'logo.gif': GIF is not read, valid: PNG, JPEG$/);
 * ```
 */
export class ImageLoadError extends Error {
  /** The stable machine code. */
  readonly code: ImageLoadErrorCode;
  /** The source and what is valid. */
  readonly details: ImageLoadErrorDetails;

  /**
   * Creates the error.
   *
   * @param code The code.
   * @param source The path or URL.
   * @param detail What is wrong.
   * @param available What is valid.
   * @param extra More structured fields (a size, a limit).
   */
  constructor(
    code: ImageLoadErrorCode,
    source: string,
    detail: string,
    available: readonly string[],
    extra: Readonly<Record<string, string | number>> = {},
  ) {
    super(`Cannot use the image '${source}': ${detail}, valid: ${available.join(", ")}`);
    this.name = "ImageLoadError";
    this.code = code;
    this.details = { ...extra, source, available };
  }
}
