import assert from "node:assert/strict";
import { BilinearScaler } from "../scale.ts";
import { createImage } from "./image.ts";
import { GpuScaler } from "./scale.ts";
import { imageOf, runAndRead, testDevice, testPicture } from "./_test_gpu.ts";

Deno.test("GpuScaler.scale() gives BilinearScaler's RGBA bytes, odd sizes up and down", async () => {
  const device = await testDevice();
  const cases: [number, number, number, number][] = [
    [7, 5, 13, 9], // up, odd
    [33, 17, 8, 4], // down by more than 2x
    [64, 36, 64, 36], // same size: a copy
    [1, 1, 5, 3], // one pixel
    [1920, 1080, 480, 270], // the bench's picture in picture
    [640, 360, 1281, 721],
  ];
  for (const [sw, sh, dw, dh] of cases) {
    const src = testPicture(sw, sh, sw + dh, false);
    const expected = new Uint8Array(dw * dh * 4);
    new BilinearScaler("RGBA", sw, sh, dw, dh).scale(src, expected);
    using scaler = await GpuScaler.create(device, sw, sh, dw, dh);
    const srcImage = imageOf(device, src, sw, sh);
    const dst = createImage(device, dw, dh);
    const got = await runAndRead(device, (e) => scaler.scale(e, srcImage, dst), dst);
    assert.deepEqual(got, expected, `${sw}x${sh} to ${dw}x${dh}`);
  }
  device.destroy();
});

Deno.test("GpuScaler.create() refuses a size that is not a positive integer", async () => {
  const device = await testDevice();
  await assert.rejects(() => GpuScaler.create(device, 0, 4, 2, 2), RangeError);
  await assert.rejects(() => GpuScaler.create(device, 4, 4, 2.5, 2), RangeError);
  device.destroy();
});
