import assert from "node:assert/strict";
import { gaussianBlur, gaussianWeights } from "../blur.ts";
import { psnr } from "../psnr.ts";
import { GpuBlur } from "./blur.ts";
import { createImage } from "./image.ts";
import { imageOf, runAndRead, testDevice, testPicture } from "./_test_gpu.ts";

Deno.test("GpuBlur.blur() matches gaussianBlur() within 50 dB, odd sizes and strengths", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  using blur = await GpuBlur.create(device, 1);
  for (const [sigma, w, h] of [[1, 31, 17], [2.5, 9, 40], [0.4, 1, 1], [4, 64, 36]]) {
    blur.setSigma(sigma);
    const src = testPicture(w, h, w + h, false);
    const expected = new Uint8Array(src.length);
    gaussianBlur(src, expected, w, h, gaussianWeights(sigma));
    const srcImage = imageOf(device, src, w, h);
    const dst = createImage(device, w, h);
    const got = await runAndRead(device, (e) => blur.blur(e, srcImage, dst), dst);
    const db = psnr(expected, got);
    assert.ok(db >= 50, `${db.toFixed(1)} dB at sigma ${sigma}, ${w}x${h}`);
  }
});

Deno.test("GpuBlur refuses a sigma that is not above 0", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  await assert.rejects(() => GpuBlur.create(device, 0), RangeError);
  using blur = await GpuBlur.create(device, 1);
  assert.throws(() => blur.setSigma(Number.NaN), RangeError);
});
