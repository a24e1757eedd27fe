/**
 * Reading a still image's bytes from a path or a URL, with a size limit and a deadline.
 *
 * @module
 */

import { readBoundedBody } from "../../../ffi/net/bounded_body.ts";
import { ImageLoadError } from "./error.ts";

/** The largest image file {@linkcode readImageSource} reads by default: 256 MiB. */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

/** The URL schemes {@linkcode readImageSource} reads, besides a plain path. */
export const IMAGE_SCHEMES: readonly string[] = ["file:", "http:", "https:", "data:"];

/** Limits of {@linkcode readImageSource}. */
export interface ImageSourceOptions {
  /** The most bytes read; a larger file or body is `image_too_large`. */
  readonly maxBytes?: number;
  /** How long a URL may take, in milliseconds (default 30 000); past it, `image_not_found`. */
  readonly timeoutMs?: number;
}

/**
 * Reads an image's bytes: a file path (relative to the working directory), or a `file:`,
 * `http:`, `https:` or `data:` URL.
 *
 * @param src The path or URL.
 * @param options Limits.
 * @returns The bytes.
 * @throws {ImageLoadError} `image_not_found` for no such file, another scheme, an HTTP error, a
 * network failure or the deadline; `image_too_large` for more than `maxBytes`.
 *
 * @example A data: URL
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImageSource } from "./source.ts";
 *
 * assert.deepEqual(Array.from(await readImageSource("data:,abc")), [97, 98, 99]);
 * await assert.rejects(readImageSource("./no/such.png"), { code: "image_not_found" });
 * ```
 */
export async function readImageSource(
  src: string,
  options: ImageSourceOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_IMAGE_BYTES;
  const scheme = /^([a-z][a-z0-9+.-]+:)/i.exec(src)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "file:") {
    const path = scheme === "file:" ? new URL(src) : src;
    let size: number;
    try {
      const info = await Deno.stat(path);
      if (!info.isFile) throw new Error("not a regular file");
      size = info.size;
    } catch (e) {
      throw new ImageLoadError("image_not_found", src, `no such file (${(e as Error).message})`, [
        "a readable PNG or JPEG file",
        ...IMAGE_SCHEMES.map((s) => `a ${s} URL`),
      ]);
    }
    if (size > maxBytes) throw tooLarge(src, size, maxBytes);
    return await Deno.readFile(path);
  }
  if (!IMAGE_SCHEMES.includes(scheme)) {
    throw new ImageLoadError("image_not_found", src, `the scheme '${scheme}' is not read`, [
      "a file path",
      ...IMAGE_SCHEMES.map((s) => `a ${s} URL`),
    ]);
  }
  try {
    const response = await fetch(src, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    return await readBody(src, response, maxBytes);
  } catch (e) {
    if (e instanceof ImageLoadError) throw e;
    throw new ImageLoadError("image_not_found", src, `cannot fetch it (${(e as Error).message})`, [
      "a URL that answers 200 with a PNG or JPEG",
    ]);
  }
}

async function readBody(src: string, response: Response, maxBytes: number): Promise<Uint8Array> {
  const body = await readBoundedBody(response, maxBytes);
  if (body === undefined) {
    const declared = Number(response.headers.get("content-length") ?? NaN);
    throw tooLarge(src, declared > maxBytes ? declared : "the body", maxBytes);
  }
  return body;
}

function tooLarge(src: string, what: string | number, maxBytes: number): ImageLoadError {
  const size = typeof what === "number" ? `${what} bytes` : what;
  return new ImageLoadError(
    "image_too_large",
    src,
    `${size} is over the limit`,
    [`at most ${maxBytes} bytes`],
    typeof what === "number" ? { bytes: what, maxBytes } : { maxBytes },
  );
}
