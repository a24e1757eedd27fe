import assert from "node:assert/strict";
import { rgbToYcbcr, ycbcrToRgb } from "./ycbcr.ts";

Deno.test("rgbToYcbcr() maps black, white and the primaries to BT.601 limited range", () => {
  const cases: [number[], number[]][] = [
    [[0, 0, 0], [16, 128, 128]],
    [[255, 255, 255], [235, 128, 128]],
    [[255, 0, 0], [81, 90, 240]],
    [[0, 255, 0], [145, 54, 34]],
    [[0, 0, 255], [41, 240, 110]],
  ];
  for (const [rgb, expected] of cases) {
    const out = [0, 0, 0];
    rgbToYcbcr(rgb[0], rgb[1], rgb[2], out);
    assert.deepEqual(out, expected, `rgb ${rgb}`);
  }
});

Deno.test("ycbcrToRgb() inverts rgbToYcbcr() within 8-bit rounding", () => {
  const ycc = new Uint8Array(3);
  const rgb = new Uint8Array(3);
  for (let r = 0; r <= 255; r += 15) {
    for (let g = 0; g <= 255; g += 15) {
      for (let b = 0; b <= 255; b += 15) {
        rgbToYcbcr(r, g, b, ycc);
        ycbcrToRgb(ycc[0], ycc[1], ycc[2], rgb);
        const error = Math.max(Math.abs(rgb[0] - r), Math.abs(rgb[1] - g), Math.abs(rgb[2] - b));
        assert.ok(error <= 3, `rgb ${r},${g},${b} came back as ${rgb}`);
      }
    }
  }
});

Deno.test("ycbcrToRgb() clamps out-of-range levels", () => {
  const rgb = [0, 0, 0];
  ycbcrToRgb(0, 128, 128, rgb);
  assert.deepEqual(rgb, [0, 0, 0]);
  ycbcrToRgb(255, 255, 255, rgb);
  assert.deepEqual(rgb, [255, 125, 255]);
});
