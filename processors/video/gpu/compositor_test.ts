import assert from "node:assert/strict";
import { compositeRgba, type CpuLayer } from "../composite.ts";
import { psnr } from "../psnr.ts";
import { GpuCompositor, type GpuLayer } from "./compositor.ts";
import { createImage } from "./image.ts";
import { imageOf, runAndRead, testDevice, testPicture } from "./_test_gpu.ts";

Deno.test("GpuCompositor.composite() matches compositeRgba() within 50 dB: scaled, clipped, translucent, z-ordered", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  const compositor = await GpuCompositor.create(device);
  const [W, H] = [97, 61];
  const pictures = [
    { data: testPicture(97, 61, 1), width: 97, height: 61 },
    { data: testPicture(31, 19, 2, false), width: 31, height: 19 },
    { data: testPicture(40, 40, 3), width: 40, height: 40 },
  ];
  const placements = [
    { x: 0, y: 0, width: 97, height: 61 }, // the background, same size
    { x: 50, y: -5, width: 53, height: 37, alpha: 0.7, z: 2 }, // upscaled, clipped right and top
    { x: 10, y: 20, width: 23, height: 17, alpha: 0.5, z: 1 }, // downscaled, half opaque
  ];
  const gpuLayers: GpuLayer[] = placements.map((p, i) => ({
    ...p,
    image: imageOf(device, pictures[i].data, pictures[i].width, pictures[i].height),
  }));
  const cpuLayers: CpuLayer[] = placements.map((p, i) => ({ ...p, picture: pictures[i] }));
  for (const background of [[0, 0, 0, 1], [0.2, 0.4, 0.6, 0.5]] as const) {
    const expected = new Uint8Array(W * H * 4);
    compositeRgba(cpuLayers, expected, W, H, background);
    const out = createImage(device, W, H);
    const got = await runAndRead(
      device,
      (e) => compositor.composite(e, gpuLayers, out, background),
      out,
    );
    const db = psnr(expected, got);
    assert.ok(db >= 50, `${db.toFixed(1)} dB with background ${background}`);
  }
});

Deno.test("GpuCompositor.composite() draws by z, then by input order, and skips alpha 0", async () => {
  const device = await testDevice();
  using _ = { [Symbol.dispose]: () => device.destroy() };
  const compositor = await GpuCompositor.create(device);
  const solid = (rgba: number[]) => imageOf(device, new Uint8Array(rgba), 1, 1);
  const [red, green, blue] = [
    solid([255, 0, 0, 255]),
    solid([0, 255, 0, 255]),
    solid([0, 0, 255, 255]),
  ];
  const out = createImage(device, 2, 1);
  const at = (image: GPUTexture, z: number, alpha = 1) => ({
    image,
    x: 0,
    y: 0,
    width: 2,
    height: 1,
    z,
    alpha,
  });
  const top = async (layers: GpuLayer[]) =>
    Array.from(
      (await runAndRead(device, (e) => compositor.composite(e, layers, out), out)).subarray(0, 3),
    );
  assert.deepEqual(await top([at(red, 1), at(green, 0)]), [255, 0, 0]);
  assert.deepEqual(await top([at(red, 0), at(green, 0)]), [0, 255, 0]); // a tie: the later input
  assert.deepEqual(await top([at(red, 0), at(blue, 5, 0)]), [255, 0, 0]);
});
