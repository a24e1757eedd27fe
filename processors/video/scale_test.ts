import assert from "node:assert/strict";
import { BufferSizeError } from "./buffer_size_error.ts";
import { PIXEL_FORMATS } from "./pixel_format.ts";
import { BilinearScaler } from "./scale.ts";
import { TestPatternRenderer } from "./test_pattern.ts";

Deno.test("BilinearScaler.scale() at the same size is an exact copy in every format", () => {
  for (const format of PIXEL_FORMATS) {
    const renderer = new TestPatternRenderer(format, 64, 48);
    const src = new Uint8Array(renderer.byteLength);
    renderer.render(2, src);
    const dst = new Uint8Array(src.length);
    new BilinearScaler(format, 64, 48, 64, 48).scale(src, dst);
    assert.deepEqual(dst, src, format);
  }
});

Deno.test("BilinearScaler.scale() interpolates linearly between sample centres", () => {
  // A horizontal ramp 0, 100, 200 upscaled to 6 columns.
  const src = new Uint8Array([0, 100, 200, 0, 100, 200].flatMap((v) => [v, v, v, 255]));
  const scaler = new BilinearScaler("RGBA", 3, 2, 6, 2);
  const dst = new Uint8Array(scaler.dstByteLength);
  scaler.scale(src, dst);
  assert.deepEqual(Array.from({ length: 6 }, (_, x) => dst[4 * x]), [0, 25, 75, 125, 175, 200]);
  assert.ok(dst.every((v, i) => i % 4 !== 3 || v === 255));
});

Deno.test("BilinearScaler.scale() halves I420 planes and keeps flat colours exact", () => {
  const w = 8;
  const h = 4;
  const src = new Uint8Array(w * h * 1.5);
  src.fill(100, 0, w * h);
  src.fill(60, w * h, w * h * 1.25);
  src.fill(200, w * h * 1.25);
  const scaler = new BilinearScaler("I420", w, h, 4, 2);
  const dst = new Uint8Array(scaler.dstByteLength);
  scaler.scale(src, dst);
  assert.deepEqual(Array.from(dst), [...Array(8).fill(100), 60, 60, 200, 200]);
});

Deno.test("BilinearScaler.scale() keeps the bars of a downscaled test pattern", () => {
  const renderer = new TestPatternRenderer("RGBA", 640, 480);
  const src = new Uint8Array(renderer.byteLength);
  renderer.render(0, src);
  const scaler = new BilinearScaler("RGBA", 640, 480, 320, 240);
  const dst = new Uint8Array(scaler.dstByteLength);
  scaler.scale(src, dst);
  const at = (x: number, y: number) =>
    Array.from(dst.subarray((y * 320 + x) * 4, (y * 320 + x) * 4 + 4));
  assert.deepEqual(at(69, 100), [191, 191, 0, 255]); // yellow, the second of 46-wide bars
  assert.deepEqual(at(299, 100), [0, 0, 191, 255]); // blue
});

Deno.test("BilinearScaler rejects short buffers and odd 4:2:0 sizes", () => {
  const scaler = new BilinearScaler("NV12", 4, 4, 2, 2);
  assert.throws(() => scaler.scale(new Uint8Array(24), new Uint8Array(5)), (e) => {
    assert.ok(e instanceof BufferSizeError);
    assert.equal(
      e.message,
      "Cannot scale a 4x4 NV12 frame to 2x2: the destination has 5 bytes, expected at least 6",
    );
    return true;
  });
  assert.throws(() => new BilinearScaler("I420", 4, 4, 3, 2), { name: "FrameSizeError" });
});
