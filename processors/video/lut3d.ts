/**
 * 3D colour lookup tables (the `.cube` format's): an RGB to RGB mapping sampled on an N x N x N
 * grid and interpolated trilinearly, on the CPU: the reference of the GPU LUT (`gpu/lut3d.ts`)
 * and the LUT of the CPU chain.
 *
 * @module
 */

/** A 3D LUT: `size`³ RGB entries from 0 to 1, red changing fastest, then green, then blue. */
export interface Lut3d {
  /** Grid points per axis, 2 or more. */
  readonly size: number;
  /** `size * size * size * 3` values. */
  readonly data: Float32Array;
}

/**
 * A `.cube` text that is not a 3D LUT this parser reads.
 *
 * @example A 1D LUT is refused with its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { LutParseError, parseCubeLut } from "./lut3d.ts";
 *
 * assert.throws(
 *   () => parseCubeLut("LUT_1D_SIZE 2\n0 0 0\n1 1 1\n"),
 *   (e) => e instanceof LutParseError && e.code === "lut_invalid",
 * );
 * ```
 */
export class LutParseError extends SyntaxError {
  /** The stable machine code. */
  readonly code = "lut_invalid";
  /** What a front-end shows beside the message. */
  readonly details: { readonly line: number };
  /** The 1-based line the problem is on (0 for the file as a whole). */
  readonly line: number;

  /**
   * Creates the error.
   *
   * @param line The 1-based line (0 for the whole file).
   * @param detail What is wrong.
   */
  constructor(line: number, detail: string) {
    super(`Cannot read the 3D LUT${line > 0 ? ` at line ${line}` : ""}: ${detail}`);
    this.name = "LutParseError";
    this.line = line;
    this.details = { line };
  }
}

/**
 * The LUT that maps every colour to itself.
 *
 * @param size Grid points per axis (2 to 256).
 * @returns The LUT.
 *
 * @example An identity LUT leaves a frame as it is
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyLut3d, identityLut } from "./lut3d.ts";
 *
 * const src = new Uint8Array([12, 200, 99, 255]);
 * const dst = new Uint8Array(4);
 * applyLut3d(src, dst, 1, 1, identityLut(17));
 * assert.deepEqual(dst, src);
 * ```
 */
export function identityLut(size: number): Lut3d {
  return lutFrom(size, (r, g, b) => [r, g, b]);
}

/**
 * Builds a LUT by sampling a colour function on the grid.
 *
 * @param size Grid points per axis (2 to 256).
 * @param fn Maps R, G, B (0 to 1) to R, G, B (clamped to 0 to 1).
 * @returns The LUT.
 * @throws {RangeError} When `size` is not an integer from 2 to 256.
 *
 * @example A LUT that swaps red and blue
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyLut3d, lutFrom } from "./lut3d.ts";
 *
 * const swap = lutFrom(2, (r, g, b) => [b, g, r]);
 * const dst = new Uint8Array(4);
 * applyLut3d(new Uint8Array([255, 0, 0, 255]), dst, 1, 1, swap);
 * assert.deepEqual(Array.from(dst), [0, 0, 255, 255]);
 * ```
 */
export function lutFrom(
  size: number,
  fn: (r: number, g: number, b: number) => readonly [number, number, number],
): Lut3d {
  if (!Number.isInteger(size) || size < 2 || size > 256) {
    throw new RangeError(`Cannot make a 3D LUT of size ${size}: expected an integer from 2 to 256`);
  }
  const data = new Float32Array(size * size * size * 3);
  const step = 1 / (size - 1);
  let o = 0;
  for (let b = 0; b < size; b++) {
    for (let g = 0; g < size; g++) {
      for (let r = 0; r < size; r++) {
        const out = fn(r * step, g * step, b * step);
        for (let c = 0; c < 3; c++) data[o++] = Math.min(1, Math.max(0, out[c]));
      }
    }
  }
  return { size, data };
}

/**
 * Reads a 3D LUT from the text of a `.cube` file (Adobe/Resolve): `LUT_3D_SIZE N`, then N³ lines
 * of three numbers, red fastest; `TITLE`, comments (`#`) and a `DOMAIN_MIN 0 0 0` /
 * `DOMAIN_MAX 1 1 1` are accepted.
 *
 * @param text The file's text.
 * @returns The LUT.
 * @throws {LutParseError} On a 1D LUT, another domain, a bad line or a wrong number of entries.
 *
 * @example A 2-point identity cube
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCubeLut } from "./lut3d.ts";
 *
 * const lut = parseCubeLut(`LUT_3D_SIZE 2
 * 0 0 0
 * 1 0 0
 * 0 1 0
 * 1 1 0
 * 0 0 1
 * 1 0 1
 * 0 1 1
 * 1 1 1`);
 * assert.equal(lut.size, 2);
 * assert.deepEqual(Array.from(lut.data.subarray(3, 6)), [1, 0, 0]);
 * ```
 */
export function parseCubeLut(text: string): Lut3d {
  let size = 0;
  let data: Float32Array | undefined;
  let n = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#") || line.startsWith("TITLE")) continue;
    const fields = line.split(/\s+/);
    if (fields[0] === "LUT_3D_SIZE") {
      size = Number(fields[1]);
      if (!Number.isInteger(size) || size < 2 || size > 256) {
        throw new LutParseError(
          i + 1,
          `LUT_3D_SIZE must be an integer from 2 to 256, got ${fields[1]}`,
        );
      }
      data = new Float32Array(size * size * size * 3);
    } else if (fields[0] === "LUT_1D_SIZE") {
      throw new LutParseError(i + 1, "a 1D LUT, expected LUT_3D_SIZE");
    } else if (fields[0] === "DOMAIN_MIN" || fields[0] === "DOMAIN_MAX") {
      const want = fields[0] === "DOMAIN_MIN" ? 0 : 1;
      if (fields.slice(1).some((f) => Number(f) !== want)) {
        throw new LutParseError(i + 1, `only the domain 0 to 1 is supported, got ${line}`);
      }
    } else {
      if (data === undefined) throw new LutParseError(i + 1, "an entry before LUT_3D_SIZE");
      const values = fields.map(Number);
      if (values.length !== 3 || values.some((v) => !Number.isFinite(v))) {
        throw new LutParseError(i + 1, `expected three numbers, got '${line}'`);
      }
      if (n >= data.length) throw new LutParseError(i + 1, `more than ${size ** 3} entries`);
      for (const v of values) data[n++] = Math.min(1, Math.max(0, v));
    }
  }
  if (data === undefined) throw new LutParseError(0, "no LUT_3D_SIZE line");
  if (n !== data.length) {
    throw new LutParseError(0, `${n / 3} entries, expected ${size ** 3}`);
  }
  return { size, data };
}

/**
 * Maps every pixel of an RGBA picture through a 3D LUT with trilinear interpolation, keeping
 * alpha; `src` and `dst` may be the same array. Does not allocate.
 *
 * @param src `width * height * 4` bytes of RGBA.
 * @param dst Where to write, the same size.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param lut The LUT.
 */
export function applyLut3d(
  src: Uint8Array,
  dst: Uint8Array,
  width: number,
  height: number,
  lut: Lut3d,
): void {
  const { size, data } = lut;
  const scale = (size - 1) / 255;
  const gStride = size * 3;
  const bStride = size * size * 3;
  const n = width * height * 4;
  for (let i = 0; i < n; i += 4) {
    const rf = src[i] * scale;
    const gf = src[i + 1] * scale;
    const bf = src[i + 2] * scale;
    const r0 = Math.min(Math.floor(rf), size - 2);
    const g0 = Math.min(Math.floor(gf), size - 2);
    const b0 = Math.min(Math.floor(bf), size - 2);
    const fr = rf - r0;
    const fg = gf - g0;
    const fb = bf - b0;
    const base = b0 * bStride + g0 * gStride + r0 * 3;
    for (let c = 0; c < 3; c++) {
      const p = base + c;
      const c00 = data[p] * (1 - fr) + data[p + 3] * fr;
      const c10 = data[p + gStride] * (1 - fr) + data[p + gStride + 3] * fr;
      const c01 = data[p + bStride] * (1 - fr) + data[p + bStride + 3] * fr;
      const c11 = data[p + bStride + gStride] * (1 - fr) + data[p + bStride + gStride + 3] * fr;
      const v = (c00 * (1 - fg) + c10 * fg) * (1 - fb) + (c01 * (1 - fg) + c11 * fg) * fb;
      dst[i + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    dst[i + 3] = src[i + 3];
  }
}
