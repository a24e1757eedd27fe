import assert from "node:assert/strict";
import { BufferSizeError } from "./buffer_size_error.ts";
import { FrameSizeError, PIXEL_FORMATS } from "./pixel_format.ts";
import {
  SMPTE_BARS_RGB,
  SMPTE_BARS_YCBCR,
  type SmpteColor,
  testPatternBox,
  TestPatternRenderer,
} from "./test_pattern.ts";
import { ycbcrToRgb } from "./ycbcr.ts";

const W = 640;
const H = 480;
// Bars are ceil(640 / 7) = 92 wide; rows: top 0-319, strip 320-359, bottom 360-479.
const TOP: SmpteColor[] = [
  "white75",
  "yellow75",
  "cyan75",
  "green75",
  "magenta75",
  "red75",
  "blue75",
];
const STRIP: SmpteColor[] = [
  "blue75",
  "black7_5",
  "magenta75",
  "black7_5",
  "cyan75",
  "black7_5",
  "white75",
];
// Bottom: three 116-wide sections (5/4 bar, rounded up to even), black to 460, pulses 30 wide.
const BOTTOM: [number, SmpteColor][] = [
  [58, "minusI"],
  [174, "white100"],
  [290, "plusQ"],
  [400, "black0"],
  [475, "blackMinus4"],
  [505, "black0"],
  [535, "blackPlus4"],
  [600, "black0"],
];

function rgbaAt(frame: Uint8Array, x: number, y: number): number[] {
  const i = (y * W + x) * 4;
  return Array.from(frame.subarray(i, i + 4));
}

function yuvAt(frame: Uint8Array, x: number, y: number): number[] {
  const cw = W / 2;
  const c = (y >> 1) * cw + (x >> 1);
  return [frame[y * W + x], frame[W * H + c], frame[W * H + cw * (H / 2) + c]];
}

Deno.test("TestPatternRenderer.render() draws the bars, strip and PLUGE row at known positions", () => {
  const rgba = new TestPatternRenderer("RGBA", W, H);
  const i420 = new TestPatternRenderer("I420", W, H);
  const frameRgba = new Uint8Array(rgba.byteLength);
  const frameI420 = new Uint8Array(i420.byteLength);
  // Frame 0 has the box in the top-left corner (0..59), so sample below it.
  rgba.render(0, frameRgba);
  i420.render(0, frameI420);
  const probes: [number, number, SmpteColor][] = [
    ...TOP.map((c, i): [number, number, SmpteColor] => [92 * i + 46, 200, c]),
    ...STRIP.map((c, i): [number, number, SmpteColor] => [92 * i + 46, 340, c]),
    ...BOTTOM.map(([x, c]): [number, number, SmpteColor] => [x, 420, c]),
  ];
  for (const [x, y, color] of probes) {
    assert.deepEqual(
      rgbaAt(frameRgba, x, y),
      [...SMPTE_BARS_RGB[color], 255],
      `RGBA ${color} at ${x},${y}`,
    );
    assert.deepEqual(
      yuvAt(frameI420, x, y),
      [...SMPTE_BARS_YCBCR[color]],
      `I420 ${color} at ${x},${y}`,
    );
  }
  assert.deepEqual(rgbaAt(frameRgba, 100, 200), [191, 191, 0, 255]); // 75% yellow
  assert.deepEqual(rgbaAt(frameRgba, 630, 200), [0, 0, 191, 255]); // 75% blue
});

Deno.test("SMPTE_BARS_RGB is the BT.601 inverse of SMPTE_BARS_YCBCR within one level", () => {
  for (const [name, [y, cb, cr]] of Object.entries(SMPTE_BARS_YCBCR)) {
    const rgb = [0, 0, 0];
    ycbcrToRgb(y, cb, cr, rgb);
    const expected = SMPTE_BARS_RGB[name as SmpteColor];
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(rgb[c] - expected[c]) <= 1, `${name}: ${rgb}`);
  }
});

Deno.test("TestPatternRenderer.render() moves the white box between frames", () => {
  const renderer = new TestPatternRenderer("RGBA", W, H);
  const frame = new Uint8Array(renderer.byteLength);
  const seen = new Set<string>();
  for (const n of [0, 1, 2, 30]) {
    renderer.render(n, frame);
    const box = testPatternBox(W, H, n);
    seen.add(`${box.x},${box.y}`);
    assert.deepEqual(rgbaAt(frame, box.x, box.y), [255, 255, 255, 255]);
    assert.deepEqual(rgbaAt(frame, box.x + box.size - 1, box.y + box.size - 1), [
      255,
      255,
      255,
      255,
    ]);
    if (box.x + box.size < W) {
      assert.notDeepEqual(rgbaAt(frame, box.x + box.size, box.y + box.size - 1), [
        255,
        255,
        255,
        255,
      ]);
    }
  }
  assert.equal(seen.size, 4);
  const a = new Uint8Array(renderer.byteLength);
  const b = new Uint8Array(renderer.byteLength);
  renderer.render(5, a);
  renderer.render(6, b);
  assert.notDeepEqual(a, b);
  renderer.render(5, b);
  assert.deepEqual(a, b); // deterministic per frame number
});

Deno.test("testPatternBox() bounces inside the frame on even coordinates", () => {
  for (let n = 0; n < 500; n++) {
    const box = testPatternBox(320, 180, n);
    assert.equal(box.size, 22);
    assert.ok(box.x >= 0 && box.x + box.size <= 320 && box.y >= 0 && box.y + box.size <= 180);
    assert.equal(box.x % 2, 0);
    assert.equal(box.y % 2, 0);
    if (n > 0) {
      const previous = testPatternBox(320, 180, n - 1);
      assert.ok(Math.abs(box.x - previous.x) <= 10 && Math.abs(box.y - previous.y) <= 6);
    }
  }
});

Deno.test("TestPatternRenderer renders every format consistently", () => {
  const frames = Object.fromEntries(PIXEL_FORMATS.map((format) => {
    const renderer = new TestPatternRenderer(format, 64, 48);
    const frame = new Uint8Array(renderer.byteLength);
    renderer.render(7, frame);
    return [format, frame];
  }));
  for (let i = 0; i < 64 * 48 * 4; i += 4) {
    assert.deepEqual(
      [frames.BGRA[i + 2], frames.BGRA[i + 1], frames.BGRA[i], frames.BGRA[i + 3]],
      Array.from(frames.RGBA.subarray(i, i + 4)),
    );
  }
  assert.deepEqual(frames.NV12.subarray(0, 64 * 48), frames.I420.subarray(0, 64 * 48));
});

Deno.test("TestPatternRenderer rejects odd 4:2:0 sizes and short buffers", () => {
  assert.throws(() => new TestPatternRenderer("NV12", 63, 48), FrameSizeError);
  const small = new TestPatternRenderer("RGBA", 7, 5); // odd sizes are fine for RGB
  assert.throws(() => small.render(0, new Uint8Array(10)), BufferSizeError);
  const frame = new Uint8Array(small.byteLength);
  small.render(3, frame);
  assert.ok(frame.some((x) => x !== 0));
});
