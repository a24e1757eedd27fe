/**
 * Text drawn into an RGBA picture with the built-in 5x7 pixel font, for the text overlay: drawn
 * once per text change on the CPU, then composited on the GPU (or the CPU) like any image.
 *
 * @module
 */

import type { RgbaPicture } from "./composite.ts";
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from "./_font5x7.ts";

/** How {@linkcode renderText} draws. */
export interface TextStyle {
  /** Each font pixel becomes `scale` x `scale` pixels (an integer from 1). Defaults to 2. */
  readonly scale?: number;
  /** Ink colour, RGBA 0 to 255. Defaults to opaque white. */
  readonly color?: readonly [number, number, number, number];
  /** Colour around and between the glyphs, RGBA 0 to 255. Defaults to transparent. */
  readonly background?: readonly [number, number, number, number];
}

/**
 * Draws one or more lines of text (split at `\n`) into a new RGBA picture: each glyph 5x7 font
 * pixels in a 6x8 cell (a column and a row of spacing), with one cell's spacing of margin all
 * round, times `scale`. Printable ASCII; lowercase letters are drawn as capitals and other
 * characters as `?`.
 *
 * @param text The text.
 * @param style Scale and colours.
 * @returns The picture, just big enough for the text.
 * @throws {RangeError} When `scale` is not a positive integer.
 *
 * @example "HI" at scale 1: 2 cells of 6 plus a margin of 1 on each side
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderText } from "./text.ts";
 *
 * const picture = renderText("HI", { scale: 1 });
 * assert.deepEqual([picture.width, picture.height], [13, 9]);
 * assert.deepEqual(Array.from(picture.data.subarray((1 * 13 + 1) * 4, (1 * 13 + 2) * 4)), [255, 255, 255, 255]);
 * ```
 */
export function renderText(text: string, style: TextStyle = {}): RgbaPicture {
  const scale = style.scale ?? 2;
  if (!Number.isInteger(scale) || scale < 1) {
    throw new RangeError(`Cannot draw text at scale ${scale}: expected a positive integer`);
  }
  const ink = style.color ?? [255, 255, 255, 255];
  const paper = style.background ?? [0, 0, 0, 0];
  const lines = text.split("\n");
  const columns = Math.max(1, ...lines.map((line) => [...line].length));
  const cellW = GLYPH_WIDTH + 1;
  const cellH = GLYPH_HEIGHT + 1;
  const width = (columns * cellW + 1) * scale;
  const height = (lines.length * cellH + 1) * scale;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(paper, i);
  lines.forEach((line, row) => {
    [...line].forEach((char, column) => {
      const rows = glyph(char);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (rows[gy][gx] !== "#") continue;
          const x0 = (1 + column * cellW + gx) * scale;
          const y0 = (1 + row * cellH + gy) * scale;
          for (let y = y0; y < y0 + scale; y++) {
            for (let x = x0; x < x0 + scale; x++) data.set(ink, (y * width + x) * 4);
          }
        }
      }
    });
  });
  return { data, width, height };
}
