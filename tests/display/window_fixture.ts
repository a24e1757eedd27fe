/**
 * The picture the video window tests send and what the window must show of it. Not a test module.
 *
 * @module
 */

import type { PixelFormat } from "../../mod.ts";
import { convertFrame } from "../../processors/video/color_convert.ts";
import { frameByteLength } from "../../processors/video/pixel_format.ts";

/**
 * A test card: eight colour bars over the top half, a red-green-blue gradient below.
 *
 * @param width Width (even).
 * @param height Height (even).
 * @returns RGBA pixels, alpha 255.
 */
export function testCard(width: number, height: number): Uint8Array {
  const bars = [
    [235, 235, 235],
    [235, 235, 16],
    [16, 235, 235],
    [16, 235, 16],
    [235, 16, 235],
    [235, 16, 16],
    [16, 16, 235],
    [16, 16, 16],
  ];
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const pixel = y < height / 2
        ? bars[Math.floor((x * bars.length) / width)]
        : [Math.round((x * 255) / (width - 1)), Math.round((y * 255) / (height - 1)), 128];
      rgba.set([...pixel, 255], i);
    }
  }
  return rgba;
}

/**
 * The test card as a frame payload of `format`, and the RGBA a correct window shows for it (the
 * CPU conversion back, `convertFrame`).
 *
 * @param format The pixel format to send.
 * @param width Width.
 * @param height Height.
 * @returns The payload and the expected RGBA.
 */
export function cardAs(
  format: PixelFormat,
  width: number,
  height: number,
): { payload: Uint8Array; expected: Uint8Array } {
  const rgba = testCard(width, height);
  const payload = new Uint8Array(frameByteLength(format, width, height));
  convertFrame(rgba, "RGBA", payload, format, width, height);
  const expected = new Uint8Array(width * height * 4);
  convertFrame(payload, format, expected, "RGBA", width, height);
  return { payload, expected };
}
