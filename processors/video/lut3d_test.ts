import assert from "node:assert/strict";
import { applyLut3d, identityLut, lutFrom, LutParseError, parseCubeLut } from "./lut3d.ts";

const cube = (size: number, body: string[]) =>
  `TITLE "t"\n# a comment\nLUT_3D_SIZE ${size}\n${body.join("\n")}\n`;
const identity2 = ["0 0 0", "1 0 0", "0 1 0", "1 1 0", "0 0 1", "1 0 1", "0 1 1", "1 1 1"];

Deno.test("parseCubeLut() reads a cube as lutFrom() samples it, red fastest", () => {
  const lut = parseCubeLut(cube(2, identity2));
  assert.deepEqual(lut.data, identityLut(2).data);
  const domain = parseCubeLut(`DOMAIN_MIN 0 0 0\nDOMAIN_MAX 1 1 1\r\n${cube(2, identity2)}`);
  assert.equal(domain.size, 2);
});

Deno.test("parseCubeLut() refuses what is not a 3D cube over 0..1, naming the line", () => {
  const cases: [string, RegExp, number][] = [
    ["LUT_1D_SIZE 16\n", /1D LUT/, 1],
    ["LUT_3D_SIZE 1\n", /from 2 to 256/, 1],
    ["0 0 0\n", /before LUT_3D_SIZE/, 1],
    [cube(2, identity2.slice(0, 7)), /7 entries, expected 8/, 0],
    [cube(2, [...identity2, "0 0 0"]), /more than 8 entries/, 12],
    [cube(2, ["0 0", ...identity2.slice(1)]), /three numbers/, 4],
    ["DOMAIN_MAX 2 2 2\n", /domain 0 to 1/, 1],
    ["", /no LUT_3D_SIZE/, 0],
  ];
  for (const [text, message, line] of cases) {
    assert.throws(() => parseCubeLut(text), (e: unknown) => {
      assert.ok(e instanceof LutParseError);
      assert.equal(e.code, "lut_invalid");
      assert.match(e.message, message);
      assert.equal(e.line, line, e.message);
      return true;
    });
  }
});

Deno.test("applyLut3d() interpolates between grid points and keeps alpha", () => {
  const double = lutFrom(3, (r, g, b) => [r * 2, g / 2, 1 - b]); // clamped at 1
  const dst = new Uint8Array(8);
  applyLut3d(new Uint8Array([64, 128, 255, 7, 200, 0, 0, 99]), dst, 2, 1, double);
  assert.deepEqual(Array.from(dst), [128, 64, 0, 7, 255, 0, 255, 99]);
  assert.throws(() => lutFrom(1, () => [0, 0, 0]), RangeError);
});
