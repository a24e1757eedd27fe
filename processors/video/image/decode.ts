/**
 * Decoding still images (PNG with `fast-png`, JPEG with `jpeg-js`) into 8-bit RGBA pictures with
 * straight (not premultiplied) alpha, the form the compositor blends.
 *
 * @module
 */

import { convertIndexedToRgb, decode as decodePng, type DecodedPng } from "fast-png";
import jpeg from "jpeg-js";
import type { RgbaPicture } from "../composite.ts";
import { ImageLoadError } from "./error.ts";

/** The formats {@linkcode decodeImage} reads. */
export const IMAGE_FORMATS: readonly string[] = ["PNG", "JPEG"];

/** The widest and tallest image {@linkcode decodeImage} takes by default (WebGPU's 2D limit). */
export const MAX_IMAGE_SIDE = 8192;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes a PNG (every colour type and bit depth, palettes and `tRNS` transparency) or a baseline
 * or progressive JPEG into 8-bit RGBA with straight alpha (JPEG: opaque). Colours are kept as
 * stored (sRGB-encoded bytes, as the compositor blends them); 16-bit samples are rounded to 8.
 * The dimensions are read from the header first, so an image over the limit is refused before
 * any pixel is decoded.
 *
 * @param bytes The file's bytes.
 * @param source The path or URL, for errors.
 * @param maxSide The largest width and height taken.
 * @returns The picture.
 * @throws {ImageLoadError} `image_unsupported` for another format, `image_invalid` for a
 * truncated or corrupt file, `image_too_large` for a side over `maxSide`.
 *
 * @example A 1x1 PNG, half transparent red
 * ```ts
 * import assert from "node:assert/strict";
 * import { encode } from "fast-png";
 * import { decodeImage } from "./decode.ts";
 *
 * const png = encode({ width: 1, height: 1, data: new Uint8Array([255, 0, 0, 128]), channels: 4, depth: 8 });
 * const picture = decodeImage(png, "dot.png");
 * assert.deepEqual([picture.width, picture.height, ...picture.data], [1, 1, 255, 0, 0, 128]);
 * ```
 */
export function decodeImage(
  bytes: Uint8Array,
  source: string,
  maxSide: number = MAX_IMAGE_SIDE,
): RgbaPicture {
  const format = sniff(bytes);
  if (format === undefined) {
    throw new ImageLoadError(
      "image_unsupported",
      source,
      `not a PNG or JPEG (starts ${hex(bytes.subarray(0, 8))})`,
      IMAGE_FORMATS,
    );
  }
  const { width, height } = format === "PNG" ? pngSize(bytes, source) : jpegSize(bytes, source);
  if (width < 1 || height < 1 || width > maxSide || height > maxSide) {
    throw new ImageLoadError(
      width < 1 || height < 1 ? "image_invalid" : "image_too_large",
      source,
      `the ${format} is ${width}x${height}`,
      [`1x1 to ${maxSide}x${maxSide}`],
      { width, height, maxSide },
    );
  }
  try {
    return format === "PNG" ? pngPicture(decodePng(bytes, { checkCrc: true })) : jpegPicture(bytes);
  } catch (e) {
    if (e instanceof ImageLoadError) throw e;
    throw new ImageLoadError(
      "image_invalid",
      source,
      `the ${format} does not decode (${(e as Error).message})`,
      [`a whole ${format} file`],
    );
  }
}

function sniff(bytes: Uint8Array): "PNG" | "JPEG" | undefined {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "PNG";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "JPEG";
  return undefined;
}

function truncated(format: string, source: string): ImageLoadError {
  return new ImageLoadError("image_invalid", source, `the ${format} header is cut short`, [
    `a whole ${format} file`,
  ]);
}

/** IHDR is the first chunk: its width and height are at bytes 16 and 20. */
function pngSize(bytes: Uint8Array, source: string): { width: number; height: number } {
  if (bytes.length < 24) throw truncated("PNG", source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The first start-of-frame marker (SOF0 to SOF15 but DHT, JPG and DAC) has the size. */
function jpegSize(bytes: Uint8Array, source: string): { width: number; height: number } {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw truncated("JPEG", source);
    const marker = bytes[at + 1];
    if (marker === 0xff) { // fill byte
      at++;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      if (at + 9 > bytes.length) break;
      return {
        height: (bytes[at + 5] << 8) | bytes[at + 6],
        width: (bytes[at + 7] << 8) | bytes[at + 8],
      };
    }
    if (marker === 0xda || marker === 0xd9) break; // scan data or the end before any frame
    at += 2 + length;
  }
  throw truncated("JPEG", source);
}

function jpegPicture(bytes: Uint8Array): RgbaPicture {
  const image = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    tolerantDecoding: false, // a truncated scan is an error, not grey rows
    maxResolutionInMP: (MAX_IMAGE_SIDE * MAX_IMAGE_SIDE) / 1e6,
    maxMemoryUsageInMB: 1024,
  });
  return { data: image.data, width: image.width, height: image.height };
}

function pngPicture(png: DecodedPng): RgbaPicture {
  const { width, height } = png;
  const n = width * height;
  const out = new Uint8Array(n * 4);
  if (png.palette !== undefined) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / n;
    for (let i = 0; i < n; i++) {
      out[i * 4] = rgb[i * channels];
      out[i * 4 + 1] = rgb[i * channels + 1];
      out[i * 4 + 2] = rgb[i * channels + 2];
      out[i * 4 + 3] = channels === 4 ? rgb[i * channels + 3] : 255;
    }
    return { data: out, width, height };
  }
  const { channels, depth } = png;
  const samples = unpack(png);
  const max = (1 << depth) - 1;
  // Scaled to 0..255 and rounded, as the PNG specification recommends (12.5, "Sample depth
  // rescaling"): 16 bits lose their low byte with rounding, 1, 2 and 4 bits are spread out.
  const to8 = (v: number) => Math.round((v * 255) / max);
  const key = png.transparency; // tRNS for grey or RGB: one colour that is transparent
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    const colour = channels >= 3
      ? [samples[s], samples[s + 1], samples[s + 2]]
      : [samples[s], samples[s], samples[s]];
    const alpha = channels === 2 || channels === 4 ? to8(samples[s + channels - 1]) : 255;
    const keyed = key !== undefined &&
      (channels === 1
        ? samples[s] === key[0]
        : channels === 3 && colour.every((c, k) => c === key[k]));
    out[i * 4] = to8(colour[0]);
    out[i * 4 + 1] = to8(colour[1]);
    out[i * 4 + 2] = to8(colour[2]);
    out[i * 4 + 3] = keyed ? 0 : alpha;
  }
  return { data: out, width, height };
}

/** The samples of a PNG one to an element: grey at 1, 2 or 4 bits comes packed in rows. */
function unpack(png: DecodedPng): ArrayLike<number> {
  const { width, height, depth, channels, data } = png;
  if (depth >= 8) return data;
  const perRow = Math.ceil((width * channels * depth) / 8);
  const out = new Uint8Array(width * height * channels);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width * channels; x++) {
      const bit = x * depth;
      const byte = data[y * perRow + (bit >> 3)];
      out[y * width * channels + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ") || "empty";
}
