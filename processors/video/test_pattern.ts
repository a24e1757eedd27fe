/**
 * SMPTE colour bars with a moving box, rendered in any pixel format.
 *
 * @module
 */

import { BufferSizeError } from "./buffer_size_error.ts";
import { frameByteLength, type PixelFormat } from "./pixel_format.ts";

/**
 * The pattern's colours as BT.601 limited-range `[Y, Cb, Cr]`, the levels of FFmpeg's `smptebars`
 * source: 75% bars, the 7.5% "setup" black of NTSC in the reverse-blue strip, and in the bottom
 * row -I, 100% white, +Q, 0% black and the PLUGE pulses at -4% and +4% around black.
 */
export const SMPTE_BARS_YCBCR = {
  white75: [180, 128, 128],
  yellow75: [162, 44, 142],
  cyan75: [131, 156, 44],
  green75: [112, 72, 58],
  magenta75: [84, 184, 198],
  red75: [65, 100, 212],
  blue75: [35, 212, 114],
  black7_5: [19, 128, 128],
  minusI: [57, 156, 97],
  white100: [235, 128, 128],
  plusQ: [44, 171, 147],
  black0: [16, 128, 128],
  blackMinus4: [7, 128, 128],
  blackPlus4: [24, 128, 128],
} as const satisfies Record<string, readonly [number, number, number]>;

/**
 * The same colours in full-range 8-bit `[R, G, B]`: the BT.601 inverse of
 * {@linkcode SMPTE_BARS_YCBCR} (within 1 of `ycbcrToRgb` of those levels), with the 75% bars at
 * their exact values (75% of 255 is 191). Full-range RGB has nothing below black, so the -4% PLUGE
 * pulse is black here.
 */
export const SMPTE_BARS_RGB = {
  white75: [191, 191, 191],
  yellow75: [191, 191, 0],
  cyan75: [0, 191, 191],
  green75: [0, 191, 0],
  magenta75: [191, 0, 191],
  red75: [191, 0, 0],
  blue75: [0, 0, 191],
  black7_5: [3, 3, 3],
  minusI: [0, 62, 104],
  white100: [255, 255, 255],
  plusQ: [63, 0, 119],
  black0: [0, 0, 0],
  blackMinus4: [0, 0, 0],
  blackPlus4: [9, 9, 9],
} as const satisfies Record<keyof typeof SMPTE_BARS_YCBCR, readonly [number, number, number]>;

/** A colour name of {@linkcode SMPTE_BARS_YCBCR}. */
export type SmpteColor = keyof typeof SMPTE_BARS_YCBCR;

const TOP: readonly SmpteColor[] = [
  "white75",
  "yellow75",
  "cyan75",
  "green75",
  "magenta75",
  "red75",
  "blue75",
];
const MIDDLE: readonly SmpteColor[] = [
  "blue75",
  "black7_5",
  "magenta75",
  "black7_5",
  "cyan75",
  "black7_5",
  "white75",
];

/** The moving box of a frame: its top-left corner and side, all even, in pixels. */
export interface TestPatternBox {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Side length. */
  size: number;
}

const even = (x: number) => x - (x & 1);
const alignUp2 = (x: number) => (x + 1) & ~1;

/** Position of `travelled` on a back-and-forth path over `[0, range]`. */
function bounce(frameNumber: number, step: number, range: number): number {
  if (range <= 0) return 0;
  const period = 2 * range;
  const p = ((frameNumber % period) * step) % period;
  return even(p <= range ? p : period - p);
}

/**
 * Where the moving box of frame `frameNumber` is: a white square of side `min(width, height) / 8`
 * that bounces off the frame edges, moving `2 * max(1, round(width / 64))` pixels right and
 * `2 * max(1, round(height / 64))` down per frame. Everything is even, so the box lines up with
 * 4:2:0 chroma samples.
 *
 * @param width Frame width in pixels.
 * @param height Frame height in pixels.
 * @param frameNumber The frame's position in its stream, from 0.
 * @param out An object to reuse instead of allocating one.
 * @returns `out`, filled in.
 *
 * @example The box starts in the top-left corner and moves
 * ```ts
 * import assert from "node:assert/strict";
 * import { testPatternBox } from "./test_pattern.ts";
 *
 * assert.deepEqual(testPatternBox(640, 480, 0), { x: 0, y: 0, size: 60 });
 * assert.deepEqual(testPatternBox(640, 480, 1), { x: 20, y: 16, size: 60 });
 * ```
 */
export function testPatternBox(
  width: number,
  height: number,
  frameNumber: number,
  out: TestPatternBox = { x: 0, y: 0, size: 0 },
): TestPatternBox {
  const size = Math.max(2, even(Math.floor(Math.min(width, height) / 8)));
  const frame = Math.max(0, Math.floor(frameNumber));
  out.size = size;
  out.x = bounce(frame, 2 * Math.max(1, Math.round(width / 64)), width - size);
  out.y = bounce(frame, 2 * Math.max(1, Math.round(height / 64)), height - size);
  return out;
}

/**
 * Renders SMPTE colour bars (EG 1 layout, FFmpeg `smptebars` geometry and levels) plus a moving
 * white box into caller buffers, in any {@linkcode PixelFormat}.
 *
 * Layout: seven 75% bars (white, yellow, cyan, green, magenta, red, blue) over the top two thirds;
 * a reverse-blue strip (blue, black, magenta, black, cyan, black, white) down to three quarters;
 * then -I, 100% white and +Q (each 5/4 of a bar wide), black, the PLUGE pulses (-4%, 0%, +4%, each
 * a third of a bar) and black. Bar width is `ceil(width / 7)` rounded up to even. RGB formats get
 * the same colours converted to full-range RGB (the -4% pulse clamps to black there).
 *
 * The bars are drawn once in the constructor; {@linkcode TestPatternRenderer.render} copies them
 * and draws the box without allocating.
 *
 * @example Render frame 0 as RGBA and read the yellow bar
 * ```ts
 * import assert from "node:assert/strict";
 * import { TestPatternRenderer } from "./test_pattern.ts";
 *
 * const pattern = new TestPatternRenderer("RGBA", 640, 480);
 * const frame = new Uint8Array(pattern.byteLength);
 * pattern.render(0, frame);
 * const x = 92 + 46; // the middle of the second bar
 * assert.deepEqual(
 *   Array.from(frame.subarray((100 * 640 + x) * 4, (100 * 640 + x) * 4 + 4)),
 *   [191, 191, 0, 255],
 * );
 * ```
 */
export class TestPatternRenderer {
  /** The pixel format rendered. */
  readonly format: PixelFormat;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Bytes of one frame. */
  readonly byteLength: number;
  readonly #background: Uint8Array;
  readonly #box: TestPatternBox = { x: 0, y: 0, size: 0 };

  /**
   * Creates a {@linkcode TestPatternRenderer}.
   *
   * @param format The pixel format to render.
   * @param width Width in pixels (even for I420 and NV12).
   * @param height Height in pixels (even for I420 and NV12).
   * @throws {FrameSizeError} When the size is invalid for the format.
   */
  constructor(format: PixelFormat, width: number, height: number) {
    this.byteLength = frameByteLength(format, width, height);
    this.format = format;
    this.width = width;
    this.height = height;
    this.#background = new Uint8Array(this.byteLength);
    const barWidth = alignUp2(Math.floor((width + 6) / 7));
    const topHeight = Math.min(height, alignUp2(Math.floor((height * 2) / 3)));
    const middleHeight = Math.max(
      0,
      Math.min(height - topHeight, alignUp2(Math.floor((height * 3) / 4) - topHeight)),
    );
    const bottomTop = topHeight + middleHeight;
    for (let i = 0; i < 7; i++) {
      this.#fill(this.#background, TOP[i], i * barWidth, 0, barWidth, topHeight);
      this.#fill(this.#background, MIDDLE[i], i * barWidth, topHeight, barWidth, middleHeight);
    }
    const bottom = height - bottomTop;
    const wide = alignUp2(Math.floor((barWidth * 5) / 4));
    const pulse = alignUp2(Math.floor(barWidth / 3));
    const sections: [SmpteColor, number][] = [
      ["minusI", wide],
      ["white100", wide],
      ["plusQ", wide],
      ["black0", Math.max(0, alignUp2(5 * barWidth - 3 * wide))],
      ["blackMinus4", pulse],
      ["black0", pulse],
      ["blackPlus4", pulse],
      ["black0", width],
    ];
    let x = 0;
    for (const [color, w] of sections) {
      this.#fill(this.#background, color, x, bottomTop, w, bottom);
      x += w;
    }
  }

  /**
   * Writes frame `frameNumber`: the bars with the box at {@linkcode testPatternBox}'s position.
   *
   * @param frameNumber The frame's position in its stream, from 0.
   * @param out The destination, at least {@linkcode TestPatternRenderer.byteLength} bytes.
   * @throws {BufferSizeError} When `out` is too short.
   */
  render(frameNumber: number, out: Uint8Array): void {
    if (out.length < this.byteLength) {
      throw new BufferSizeError(
        `render a ${this.width}x${this.height} ${this.format} test pattern`,
        "destination",
        this.byteLength,
        out.length,
      );
    }
    out.set(this.#background);
    const box = testPatternBox(this.width, this.height, frameNumber, this.#box);
    this.#fill(out, "white100", box.x, box.y, box.size, box.size);
  }

  /** Fills a rectangle (clipped to the frame; x, y, w, h even for 4:2:0) with one colour. */
  #fill(out: Uint8Array, color: SmpteColor, x: number, y: number, w: number, h: number): void {
    const { width, height, format } = this;
    const x0 = Math.max(0, x);
    const x1 = Math.min(width, x + w);
    const y1 = Math.min(height, y + h);
    if (x1 <= x0 || y1 <= y) return;
    const ycbcr = SMPTE_BARS_YCBCR[color];
    const luma = ycbcr[0];
    const cb = ycbcr[1];
    const cr = ycbcr[2];
    if (format === "RGBA" || format === "BGRA") {
      const rgb = SMPTE_BARS_RGB[color];
      const red = format === "RGBA" ? rgb[0] : rgb[2];
      const blue = format === "RGBA" ? rgb[2] : rgb[0];
      for (let row = y; row < y1; row++) {
        for (let i = (row * width + x0) * 4, end = (row * width + x1) * 4; i < end; i += 4) {
          out[i] = red;
          out[i + 1] = rgb[1];
          out[i + 2] = blue;
          out[i + 3] = 255;
        }
      }
      return;
    }
    for (let row = y; row < y1; row++) out.fill(luma, row * width + x0, row * width + x1);
    const planeY = width * height;
    const cw = width >> 1;
    for (let row = y >> 1; row < y1 >> 1; row++) {
      if (format === "I420") {
        out.fill(cb, planeY + row * cw + (x0 >> 1), planeY + row * cw + (x1 >> 1));
        const v = planeY + cw * (height >> 1) + row * cw;
        out.fill(cr, v + (x0 >> 1), v + (x1 >> 1));
      } else {
        for (let cx = x0 >> 1; cx < x1 >> 1; cx++) {
          out[planeY + row * width + 2 * cx] = cb;
          out[planeY + row * width + 2 * cx + 1] = cr;
        }
      }
    }
  }
}
