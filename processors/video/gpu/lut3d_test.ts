import assert from "node:assert/strict";
import { applyLut3d, identityLut, lutFrom } from "../lut3d.ts";
import { psnr } from "../psnr.ts";
import { createImage } from "./image.ts";
import { GpuLut3d } from "./lut3d.ts";
import { imageOf, runAndRead, testDevice, testPicture } from "./_test_gpu.ts";

/** A grade with curves and channel mixing, so every interpolation weight matters. */
const grade = lutFrom(17, (r, g, b) => [
  Math.pow(r, 0.8) * 0.9 + 0.1 * g,
  g * g * 0.5 + 0.5 * g,
  Math.sqrt(b) * 0.7 + 0.2 * r,
]);

Deno.test("GpuLut3d.apply() matches applyLut3d() within 50 dB, odd sizes, alpha kept", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  for (
    const [lut, [w, h]] of [[grade, [37, 23]], [identityLut(2), [5, 3]], [grade, [1, 1]]] as const
  ) {
    const src = testPicture(w, h, w, false);
    const expected = new Uint8Array(src.length);
    applyLut3d(src, expected, w, h, lut);
    using gpu = await GpuLut3d.create(device, lut);
    const dst = createImage(device, w, h);
    const srcImage = imageOf(device, src, w, h);
    const got = await runAndRead(device, (e) => gpu.apply(e, srcImage, dst), dst);
    const db = psnr(expected, got);
    assert.ok(db >= 50, `${db.toFixed(1)} dB, LUT ${lut.size}, ${w}x${h}`);
    for (let i = 3; i < got.length; i += 4) assert.equal(got[i], src[i]);
  }
});

Deno.test("GpuLut3d.setLut() takes effect on the next frame", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  using gpu = await GpuLut3d.create(device, identityLut(2));
  const src = imageOf(device, new Uint8Array([10, 20, 30, 255]), 1, 1);
  const dst = createImage(device, 1, 1);
  gpu.setLut(lutFrom(2, () => [1, 0, 1]));
  const got = await runAndRead(device, (e) => gpu.apply(e, src, dst), dst);
  assert.deepEqual(Array.from(got), [255, 0, 255, 255]);
});
