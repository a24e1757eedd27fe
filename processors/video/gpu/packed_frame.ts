/**
 * Frames in their CPU layout on the GPU: a storage buffer holding exactly the bytes of a tightly
 * packed frame (`frameLayout()`), padded to a multiple of 4 bytes. Upload is one `writeBuffer`,
 * readback one copy: the form a CPU frame enters and leaves the GPU in, and the form the H.264
 * encoder's I420 is read back in.
 *
 * @module
 */

import { frameByteLength, type PixelFormat } from "../pixel_format.ts";

/** `n` rounded up to a multiple of 4. */
const align4 = (n: number) => (n + 3) & ~3;

/**
 * Bytes of the storage buffer that holds a packed frame: its byte length rounded up to 4.
 *
 * @param format The pixel format.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The buffer size in bytes.
 * @throws {FrameSizeError} When the size does not suit the format.
 *
 * @example A 2x2 I420 frame has 6 bytes, in an 8-byte buffer
 * ```ts
 * import assert from "node:assert/strict";
 * import { packedBufferSize } from "./packed_frame.ts";
 *
 * assert.equal(packedBufferSize("I420", 2, 2), 8);
 * ```
 */
export function packedBufferSize(format: PixelFormat, width: number, height: number): number {
  return align4(frameByteLength(format, width, height));
}

/**
 * Creates a storage buffer for one packed frame, usable as a kernel's input or output and as
 * the source or destination of copies.
 *
 * @param device The device.
 * @param format The pixel format.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns The buffer ({@linkcode packedBufferSize} bytes).
 * @throws {FrameSizeError} When the size does not suit the format.
 *
 * @example A buffer for one 4x2 I420 frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPackedBuffer, packedBufferSize } from "./packed_frame.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const buffer = createPackedBuffer(device, "I420", 4, 2);
 * assert.equal(buffer.size, packedBufferSize("I420", 4, 2));
 * ```
 */
export function createPackedBuffer(
  device: GPUDevice,
  format: PixelFormat,
  width: number,
  height: number,
): GPUBuffer {
  return device.createBuffer({
    label: `${format} ${width}x${height}`,
    size: packedBufferSize(format, width, height),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
}

const tail = new Uint8Array(4);

/**
 * Writes a packed frame's bytes into a buffer from {@linkcode createPackedBuffer}; a length that
 * is not a multiple of 4 is written with its last word padded with zeros.
 *
 * @param device The device.
 * @param buffer The destination buffer.
 * @param data The frame's bytes.
 *
 * @example Write a 4x2 I420 frame (12 bytes) into its buffer
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPackedBuffer, writePacked } from "./packed_frame.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const device = await (await requestGpuAdapter())!.requestDevice();
 * const buffer = createPackedBuffer(device, "I420", 4, 2);
 * writePacked(device, buffer, new Uint8Array(12).fill(128));
 * const copy = device.createBuffer({ size: buffer.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
 * const encoder = device.createCommandEncoder();
 * encoder.copyBufferToBuffer(buffer, 0, copy, 0, buffer.size);
 * device.queue.submit([encoder.finish()]);
 * await copy.mapAsync(GPUMapMode.READ);
 * assert.deepEqual([...new Uint8Array(copy.getMappedRange()).slice(0, 12)], Array(12).fill(128));
 * ```
 */
export function writePacked(device: GPUDevice, buffer: GPUBuffer, data: Uint8Array): void {
  const whole = data.length & ~3;
  // A frame pool's memory may be shared; the device copies it either way.
  if (whole > 0) device.queue.writeBuffer(buffer, 0, data as Uint8Array<ArrayBuffer>, 0, whole);
  if (whole < data.length) {
    tail.fill(0);
    tail.set(data.subarray(whole));
    device.queue.writeBuffer(buffer, whole, tail);
  }
}
