import assert from "node:assert/strict";
import { convertFrame } from "../color_convert.ts";
import { frameByteLength, FrameSizeError, type PixelFormat } from "../pixel_format.ts";
import { GpuColorConverter } from "./color_convert.ts";
import { createImage } from "./image.ts";
import { createPackedBuffer, writePacked } from "./packed_frame.ts";
import { GpuReadback } from "./readback.ts";
import { imageOf, runAndRead, testDevice, testPicture } from "./_test_gpu.ts";

// Widths of 4 and 8 (and their multiples) take the kernels that do 4 and 8 pixels an invocation.
const SIZES_420: [number, number][] = [[2, 2], [6, 4], [34, 18], [2, 10], [4, 2], [12, 6], [8, 2], [
  24,
  14,
], [640, 360]];
const ODD: [number, number][] = [[1, 1], [7, 5], [33, 17]];

/** A packed frame of `format` made from a test picture by the CPU conversion, plus noise. */
function packedFrame(format: PixelFormat, width: number, height: number): Uint8Array {
  const rgba = testPicture(width, height, width + height);
  const out = new Uint8Array(frameByteLength(format, width, height));
  convertFrame(rgba, "RGBA", out, format, width, height);
  for (let i = 0; i < out.length; i += 7) out[i] = (out[i] * 31 + i) & 255; // out-of-range YUV too
  return out;
}

Deno.test("GpuColorConverter.toImage() gives convertFrame()'s bytes for every format and size", async () => {
  const device = await testDevice();
  const converter = await GpuColorConverter.create(device);
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const sizes = format === "RGBA" || format === "BGRA" ? [...SIZES_420, ...ODD] : SIZES_420;
    for (const [w, h] of sizes) {
      const src = packedFrame(format, w, h);
      const expected = new Uint8Array(w * h * 4);
      convertFrame(src, format, expected, "RGBA", w, h);
      const buffer = createPackedBuffer(device, format, w, h);
      writePacked(device, buffer, src);
      const image = createImage(device, w, h);
      const got = await runAndRead(
        device,
        (e) => converter.toImage(e, buffer, format, image),
        image,
      );
      assert.deepEqual(got, expected, `${format} ${w}x${h}`);
    }
  }
  device.destroy();
});

Deno.test("GpuColorConverter.fromImage() gives convertFrame()'s bytes for every format and size", async () => {
  const device = await testDevice();
  const converter = await GpuColorConverter.create(device);
  using readback = new GpuReadback(device);
  for (const format of ["RGBA", "BGRA", "I420", "NV12"] as const) {
    const sizes = format === "RGBA" || format === "BGRA" ? [...SIZES_420, ...ODD] : SIZES_420;
    for (const [w, h] of sizes) {
      const rgba = testPicture(w, h, w * h);
      const bytes = frameByteLength(format, w, h);
      const expected = new Uint8Array(bytes);
      convertFrame(rgba, "RGBA", expected, format, w, h);
      const image = imageOf(device, rgba, w, h);
      const buffer = createPackedBuffer(device, format, w, h);
      const encoder = device.createCommandEncoder();
      converter.fromImage(encoder, image, buffer, format);
      device.queue.submit([encoder.finish()]);
      assert.deepEqual(await readback.buffer(buffer, bytes), expected, `${format} ${w}x${h}`);
    }
  }
  device.destroy();
});

Deno.test("GpuColorConverter refuses an odd-sized 4:2:0 image", async () => {
  const device = await testDevice();
  const converter = await GpuColorConverter.create(device);
  const image = createImage(device, 7, 5);
  const buffer = createPackedBuffer(device, "RGBA", 7, 5);
  const encoder = device.createCommandEncoder();
  assert.throws(() => converter.fromImage(encoder, image, buffer, "I420"), FrameSizeError);
  assert.throws(() => converter.toImage(encoder, buffer, "NV12", image), FrameSizeError);
  device.destroy();
});
