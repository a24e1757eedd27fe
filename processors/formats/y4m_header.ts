/**
 * The stream header of YUV4MPEG2 (`.y4m`) files: parsing, formatting and frame sizes.
 *
 * @module
 */

import { UnsupportedY4mColorspaceError, Y4mHeaderError } from "./_y4m_errors.ts";

/** A ratio of two integers, such as a frame rate of 30000/1001. */
export interface Rational {
  /** The numerator. */
  readonly numerator: number;
  /** The denominator. */
  readonly denominator: number;
}

/** Interlacing: progressive, top or bottom field first, mixed, or unknown. */
export type Y4mInterlace = "p" | "t" | "b" | "m" | "?";

/**
 * The 8-bit 4:2:0 colour spaces supported. They differ only in chroma siting (`420jpeg` and `420`
 * centred, `420mpeg2` left, `420paldv` top-left), not in layout, so all are read as I420.
 */
export type Y4mColorspace = "420jpeg" | "420" | "420mpeg2" | "420paldv";

/** The supported `C` parameter values. */
export const Y4M_COLORSPACES: readonly Y4mColorspace[] = ["420jpeg", "420", "420mpeg2", "420paldv"];

/**
 * The largest term of a `F` or `A` ratio: 2^31 - 1, as FFmpeg and mjpegtools read them (a C `int`).
 * Larger numbers would also lose digits as JavaScript numbers past 2^53.
 */
export const MAX_RATIO_TERM = 2 ** 31 - 1;

const INTERLACE_MODES: readonly string[] = ["p", "t", "b", "m", "?"];
const MAGIC = "YUV4MPEG2";

/** A parsed stream header. */
export interface Y4mHeader {
  /** Width in pixels (`W`). */
  readonly width: number;
  /** Height in pixels (`H`). */
  readonly height: number;
  /** Frames per second (`F`). */
  readonly frameRate: Rational;
  /** Pixel aspect ratio (`A`); `0:0` means unknown. Defaults to `1:1`. */
  readonly pixelAspect: Rational;
  /** Interlacing (`I`). Defaults to `"p"`. */
  readonly interlace: Y4mInterlace;
  /** Colour space (`C`). Defaults to `"420jpeg"`, the format's default. */
  readonly colorspace: Y4mColorspace;
  /** `X` parameters, without the `X`, in order. */
  readonly extensions: readonly string[];
}

/**
 * Bytes of one 8-bit 4:2:0 frame's pixels (after its `FRAME` line): Y, then U and V at
 * `ceil(width / 2) x ceil(height / 2)`.
 *
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The frame size in bytes.
 *
 * @example Size a 64x48 frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { y4mFrameByteLength } from "./y4m_header.ts";
 *
 * assert.equal(y4mFrameByteLength(64, 48), 4608);
 * ```
 */
export function y4mFrameByteLength(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/**
 * Parses a stream header line (without its newline).
 *
 * `W`, `H` and `F` are required; `I`, `A`, `C` and `X` are optional. `W` and `H` are 1 to 65536,
 * the terms of `F` and `A` 1 to {@linkcode MAX_RATIO_TERM}; each parameter but `X` may appear once.
 *
 * @param line The first line of the file.
 * @param path The file, for error messages.
 * @returns The header.
 * @throws {Y4mHeaderError} When the magic, a required parameter or a value is wrong.
 * @throws {UnsupportedY4mColorspaceError} When `C` is not one of {@linkcode Y4M_COLORSPACES}.
 *
 * @example Parse an FFmpeg header
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseY4mHeader } from "./y4m_header.ts";
 *
 * const header = parseY4mHeader("YUV4MPEG2 W64 H48 F5:1 Ip A1:1 C420jpeg XYSCSS=420JPEG", "x.y4m");
 * assert.equal(header.width, 64);
 * assert.equal(header.height, 48);
 * assert.deepEqual(header.frameRate, { numerator: 5, denominator: 1 });
 * assert.deepEqual(header.extensions, ["YSCSS=420JPEG"]);
 * ```
 */
export function parseY4mHeader(line: string, path: string): Y4mHeader {
  const tokens = line.split(" ").filter((t) => t !== "");
  if (tokens[0] !== MAGIC) {
    throw new Y4mHeaderError(
      path,
      `not a YUV4MPEG2 stream, found '${line.slice(0, 16)}', expected '${MAGIC} '`,
      line.slice(0, 16),
    );
  }
  let width: number | undefined;
  let height: number | undefined;
  let frameRate: Rational | undefined;
  let pixelAspect: Rational = { numerator: 1, denominator: 1 };
  let interlace: Y4mInterlace = "p";
  let colorspace: Y4mColorspace = "420jpeg";
  const extensions: string[] = [];
  const bad = (token: string, expected: string) =>
    new Y4mHeaderError(path, `invalid header parameter '${token}', expected ${expected}`, token);
  const positive = (token: string) => {
    const value = /^\d+$/.test(token.slice(1)) ? Number(token.slice(1)) : NaN;
    if (!(value > 0) || value > 1 << 16) throw bad(token, `${token[0]}<integer from 1 to 65536>`);
    return value;
  };
  const ratio = (token: string, allowUnknown: boolean) => {
    const match = /^(\d+):(\d+)$/.exec(token.slice(1));
    const numerator = match ? Number(match[1]) : NaN;
    const denominator = match ? Number(match[2]) : NaN;
    const unknown = numerator === 0 && denominator === 0;
    const inRange = numerator > 0 && denominator > 0 && numerator <= MAX_RATIO_TERM &&
      denominator <= MAX_RATIO_TERM;
    if (!match || (!inRange && !(allowUnknown && unknown))) {
      throw bad(
        token,
        `${token[0]}<n>:<d> with integers from 1 to ${MAX_RATIO_TERM}${
          allowUnknown ? " or 0:0" : ""
        }`,
      );
    }
    return { numerator, denominator };
  };
  const seen = new Set<string>();
  for (const token of tokens.slice(1)) {
    // A parameter given twice (W64 ... W32) has no agreed meaning: readers that take the last and
    // those that take the first would size the frames differently.
    if (token[0] !== "X" && seen.has(token[0])) {
      throw new Y4mHeaderError(
        path,
        `header gives the ${
          token[0]
        } parameter twice ('${token}'), expected each of W, H, F, I, A, C at most once`,
        token,
      );
    }
    seen.add(token[0]);
    switch (token[0]) {
      case "W":
        width = positive(token);
        break;
      case "H":
        height = positive(token);
        break;
      case "F":
        frameRate = ratio(token, false);
        break;
      case "A":
        pixelAspect = ratio(token, true);
        break;
      case "I":
        if (token.length !== 2 || !INTERLACE_MODES.includes(token[1])) {
          throw bad(token, "one of Ip, It, Ib, Im, I?");
        }
        interlace = token[1] as Y4mInterlace;
        break;
      case "C":
        if (!(Y4M_COLORSPACES as readonly string[]).includes(token.slice(1))) {
          throw new UnsupportedY4mColorspaceError(path, token.slice(1), Y4M_COLORSPACES);
        }
        colorspace = token.slice(1) as Y4mColorspace;
        break;
      case "X":
        extensions.push(token.slice(1));
        break;
      default:
        throw bad(token, "a parameter starting with W, H, F, I, A, C or X");
    }
  }
  for (const [name, value] of [["W", width], ["H", height], ["F", frameRate]] as const) {
    if (value === undefined) {
      throw new Y4mHeaderError(path, `header has no ${name} parameter: '${line}'`, line);
    }
  }
  return {
    width: width!,
    height: height!,
    frameRate: frameRate!,
    pixelAspect,
    interlace,
    colorspace,
    extensions,
  };
}

/**
 * Formats a stream header line, including its newline.
 *
 * @param header The header fields.
 * @returns `YUV4MPEG2 W.. H.. F.. I.. A.. C..` followed by any `X` parameters and `\n`.
 *
 * @example Format a 30 fps header
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatY4mHeader } from "./y4m_header.ts";
 *
 * const header = formatY4mHeader({
 *   width: 64,
 *   height: 48,
 *   frameRate: { numerator: 30, denominator: 1 },
 *   pixelAspect: { numerator: 1, denominator: 1 },
 *   interlace: "p",
 *   colorspace: "420jpeg",
 *   extensions: [],
 * });
 * assert.equal(header, "YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\n");
 * ```
 */
export function formatY4mHeader(header: Y4mHeader): string {
  const { width, height, frameRate: f, pixelAspect: a, interlace, colorspace } = header;
  const extensions = header.extensions.map((x) => ` X${x}`).join("");
  return `${MAGIC} W${width} H${height} F${f.numerator}:${f.denominator} I${interlace} A${a.numerator}:${a.denominator} C${colorspace}${extensions}\n`;
}

/**
 * The `F` ratio of a frame rate: 30 is `30:1`; NTSC shorthand such as 29.97 is `30000:1001`; other
 * rates are the closest fraction with terms up to `MAX_RATIO_TERM` (12.5 is `25:2`, one frame an
 * hour `1:3600`), exact to a billionth (`Y4mWriter` places frames by this ratio, so a file plays
 * at the times its frames were stamped). A rate below `1 / MAX_RATIO_TERM` (a frame in 68 years)
 * is that.
 *
 * @param fps Frames per second, above 0.
 * @returns The `F` ratio.
 *
 * @example A time-lapse of one frame an hour
 * ```ts
 * import assert from "node:assert/strict";
 * import { y4mFrameRate } from "./y4m_header.ts";
 *
 * assert.deepEqual(y4mFrameRate(1 / 3600), { numerator: 1, denominator: 3600 });
 * assert.deepEqual(y4mFrameRate(29.97), { numerator: 30000, denominator: 1001 });
 * ```
 */
export function y4mFrameRate(fps: number): Rational {
  if (Number.isInteger(fps)) return { numerator: fps, denominator: 1 };
  const ntsc = Math.round(fps * 1001);
  if (ntsc >= 1 && Math.abs(ntsc / 1001 - fps) < 1e-4) {
    return { numerator: ntsc, denominator: 1001 };
  }
  // Continued fractions: convergents h/k of fps, up to the largest terms a header may hold.
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let x = fps;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(x);
    const [h2, k2] = [a * h1 + h0, a * k1 + k0];
    if (h2 > MAX_RATIO_TERM || k2 > MAX_RATIO_TERM) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (x === a || Math.abs(h1 / k1 - fps) <= fps * 1e-9) break;
    x = 1 / (x - a);
  }
  if (h1 === 0 || k1 === 0) return { numerator: 1, denominator: MAX_RATIO_TERM };
  return { numerator: h1, denominator: k1 };
}
