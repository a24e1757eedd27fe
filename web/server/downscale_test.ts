import assert from "node:assert/strict";
import type { VideoFrame } from "../../mod.ts";
import { downscaleToRgba, fitSize } from "./downscale.ts";

function frame(
  format: VideoFrame["format"],
  width: number,
  height: number,
  data: Uint8Array,
): VideoFrame {
  const stride = format === "RGBA" || format === "BGRA" ? width * 4 : width;
  return { kind: "video", width, height, format, stride, timestampNs: 0, frameNumber: 0, data };
}

Deno.test("fitSize() keeps the aspect ratio inside the box and never enlarges", () => {
  assert.deepEqual(fitSize(1920, 1080, 160, 90), { width: 160, height: 90 });
  assert.deepEqual(fitSize(640, 480, 160, 90), { width: 120, height: 90 });
  assert.deepEqual(fitSize(100, 50, 160, 90), { width: 100, height: 50 });
  assert.deepEqual(fitSize(4000, 2, 160, 90), { width: 160, height: 1 });
});

Deno.test("downscaleToRgba() swaps BGRA to RGBA and samples the right pixels", () => {
  const data = new Uint8Array(4 * 2 * 4);
  for (let x = 0; x < 4; x++) {
    for (let y = 0; y < 2; y++) {
      data.set(x < 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * 4 + x) * 4);
    }
  }
  const thumb = downscaleToRgba(frame("BGRA", 4, 2, data), 2, 1);
  assert.deepEqual([...thumb.rgba], [0, 0, 255, 255, 255, 0, 0, 255]);
});

Deno.test("downscaleToRgba() converts I420 and NV12 grey to grey", () => {
  const w = 4, h = 4;
  const i420 = new Uint8Array(w * h * 3 / 2).fill(128);
  i420.fill(126, 0, w * h); // luma 126 → about 128 after BT.601 expansion
  const a = downscaleToRgba(frame("I420", w, h, i420), 2, 2);
  const nv12 = downscaleToRgba(frame("NV12", w, h, i420), 2, 2);
  for (const thumb of [a, nv12]) {
    assert.equal(thumb.width, 2);
    for (let i = 0; i < thumb.rgba.length; i += 4) {
      const [r, g, b, alpha] = thumb.rgba.subarray(i, i + 4);
      assert.ok(Math.abs(r - g) <= 1 && Math.abs(g - b) <= 1 && alpha === 255, `${r},${g},${b}`);
    }
  }
});

Deno.test("downscaleToRgba() writes into a given buffer of the right size", () => {
  const data = new Uint8Array(8 * 8 * 4).fill(200);
  const into = new Uint8Array(4 * 4 * 4);
  const thumb = downscaleToRgba(frame("RGBA", 8, 8, data), 4, 4, into);
  assert.equal(thumb.rgba, into);
  assert.equal(into[0], 200);
});
