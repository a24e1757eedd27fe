/**
 * Reading and writing a GPU frame's pixels from JavaScript: for tests, tools and references
 * (compare a kernel's output with a CPU implementation). Processors never need them: connections
 * upload and download at CPU/GPU boundaries.
 *
 * @module
 */

import type { GpuVideoFrame } from "./gpu_video_frame.ts";

/** A GPU frame with the device its texture belongs to (an `OwnedGpuVideoFrame`). */
export type DeviceGpuFrame = GpuVideoFrame & { readonly device: GPUDevice };

/**
 * The row pitch `copyTextureToBuffer` needs for rows of `rowBytes`: a multiple of 256.
 *
 * @param rowBytes The bytes of one row.
 * @returns The padded row pitch.
 */
export function paddedRowBytes(rowBytes: number): number {
  return Math.ceil(rowBytes / 256) * 256;
}

/**
 * Copies `height` rows of `rowBytes` from rows `pitch` apart into tightly packed `into`.
 *
 * @param from The padded rows (a mapped buffer).
 * @param pitch Bytes from one row of `from` to the next.
 * @param rowBytes The bytes of a row worth keeping.
 * @param height The rows.
 * @param into Where the packed rows go (`rowBytes * height` long at least).
 */
export function unpadRows(
  from: Uint8Array,
  pitch: number,
  rowBytes: number,
  height: number,
  into: Uint8Array,
): void {
  if (pitch === rowBytes) {
    into.set(from.subarray(0, rowBytes * height));
    return;
  }
  for (let y = 0; y < height; y++) {
    into.set(from.subarray(y * pitch, y * pitch + rowBytes), y * rowBytes);
  }
}

/**
 * Writes pixels into a GPU frame's texture (`queue.writeTexture`): 4 bytes a pixel, in the
 * frame's format, rows `bytesPerRow` apart.
 *
 * @param frame The frame (an `OwnedGpuVideoFrame` alive in this run).
 * @param data The pixels.
 * @param bytesPerRow Bytes from one row of `data` to the next. Default `frame.width * 4`.
 * @throws {RangeError} When `data` holds fewer bytes than the frame needs.
 *
 * @example Write a red frame and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext, readGpuFrame, writeGpuFrame } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("ref");
 * await ctx.gpu.ready();
 * const frame = ctx.frames.gpuVideo({ width: 3, height: 2, format: "RGBA" })!;
 * const red = new Uint8Array(3 * 2 * 4);
 * for (let i = 0; i < red.length; i += 4) red.set([255, 0, 0, 255], i);
 * writeGpuFrame(frame, red);
 * const pixels = readGpuFrame(frame); // submitted: the frame may be released now
 * ctx.frames.flush();
 * assert.deepEqual(await pixels, red);
 * ```
 */
export function writeGpuFrame(
  frame: DeviceGpuFrame,
  data: Uint8Array,
  bytesPerRow: number = frame.width * 4,
): void {
  const needed = bytesPerRow * (frame.height - 1) + frame.width * 4;
  if (data.byteLength < needed) {
    throw new RangeError(
      `Cannot write ${data.byteLength} bytes into a ${frame.width}x${frame.height} GPU frame: it needs ${needed}`,
    );
  }
  frame.device.queue.writeTexture(
    { texture: frame.texture },
    data as Uint8Array<ArrayBuffer>,
    { bytesPerRow, rowsPerImage: frame.height },
    [frame.width, frame.height],
  );
}

/**
 * Reads a GPU frame's pixels back: `width * height * 4` bytes in the frame's format, rows tightly
 * packed. The copy is submitted before this returns, so the frame may be released at once; the
 * promise resolves when the copy is mapped.
 *
 * @param frame The frame (an `OwnedGpuVideoFrame` alive when this is called).
 * @returns The pixels.
 *
 * @example Read back a cleared frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext, readGpuFrame } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("ref");
 * const device = await ctx.gpu.ready();
 * const frame = ctx.frames.gpuVideo({ width: 70, height: 1, format: "RGBA" })!;
 * const encoder = device.createCommandEncoder();
 * encoder.beginRenderPass({ colorAttachments: [{ view: frame.texture.createView(),
 *   loadOp: "clear", storeOp: "store", clearValue: [0, 0, 1, 1] }] }).end();
 * device.queue.submit([encoder.finish()]);
 * const pixels = await readGpuFrame(frame);
 * assert.deepEqual([pixels.length, ...pixels.subarray(276)], [280, 0, 0, 255, 255]);
 * ```
 */
export async function readGpuFrame(frame: DeviceGpuFrame): Promise<Uint8Array<ArrayBuffer>> {
  const { device, width, height } = frame;
  const rowBytes = width * 4;
  const pitch = paddedRowBytes(rowBytes);
  const buffer = device.createBuffer({
    size: pitch * height,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyTextureToBuffer({ texture: frame.texture }, { buffer, bytesPerRow: pitch }, [
    width,
    height,
  ]);
  device.queue.submit([encoder.finish()]);
  try {
    await buffer.mapAsync(GPUMapMode.READ);
    const pixels = new Uint8Array(rowBytes * height);
    unpadRows(new Uint8Array(buffer.getMappedRange()), pitch, rowBytes, height, pixels);
    buffer.unmap();
    return pixels;
  } finally {
    buffer.destroy();
  }
}
