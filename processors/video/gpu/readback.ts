/**
 * Reading results back from the GPU: one copy into a mappable buffer, kept and reused for the
 * next read of the same size.
 *
 * @module
 */

/**
 * Reads textures and buffers back into CPU memory, reusing its staging buffers (one per size), so
 * a steady stream of same-sized reads allocates nothing on the GPU. One read at a time: await each
 * before the next.
 *
 * @example Read back a 3x1 texture (an odd width: rows are padded to 256 bytes on the GPU)
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuReadback } from "./readback.ts";
 * import { requestGpuAdapter } from "../../../core/gpu/backend.ts";
 *
 * const adapter = await requestGpuAdapter();
 * const device = await adapter!.requestDevice();
 * const texture = device.createTexture({
 *   size: [3, 1],
 *   format: "rgba8unorm",
 *   usage: GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC,
 * });
 * const pixels = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
 * device.queue.writeTexture({ texture }, pixels, { bytesPerRow: 12 }, [3, 1]);
 * using readback = new GpuReadback(device);
 * assert.deepEqual(await readback.texture(texture), pixels);
 * device.destroy();
 * ```
 */
export class GpuReadback {
  readonly #device: GPUDevice;
  readonly #staging = new Map<number, GPUBuffer>();

  /**
   * Creates a {@linkcode GpuReadback}.
   *
   * @param device The device whose textures and buffers it reads.
   */
  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /**
   * Reads an `rgba8unorm` (or any 4-byte) 2D texture into tightly packed rows.
   *
   * @param texture The texture (with `COPY_SRC` usage).
   * @param dst Where to write, at least `width * height * 4` bytes; allocated when omitted.
   * @returns `dst`, or the new array.
   */
  async texture(texture: GPUTexture, dst?: Uint8Array): Promise<Uint8Array> {
    const { width, height } = texture;
    const row = width * 4;
    const padded = (row + 255) & ~255;
    const staging = this.#stagingOf(padded * height);
    const encoder = this.#device.createCommandEncoder();
    encoder.copyTextureToBuffer({ texture }, { buffer: staging, bytesPerRow: padded }, [
      width,
      height,
    ]);
    this.#device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, padded * height);
    const out = dst ?? new Uint8Array(row * height);
    const mapped = new Uint8Array(staging.getMappedRange(0, padded * height));
    if (padded === row) out.set(mapped.subarray(0, row * height));
    else {
      for (let y = 0; y < height; y++) {
        out.set(mapped.subarray(y * padded, y * padded + row), y * row);
      }
    }
    staging.unmap();
    return out;
  }

  /**
   * Reads the first `byteLength` bytes of a buffer.
   *
   * @param buffer The buffer (with `COPY_SRC` usage).
   * @param byteLength Bytes to read.
   * @param dst Where to write, at least `byteLength` bytes; allocated when omitted.
   * @returns `dst`, or the new array.
   */
  async buffer(buffer: GPUBuffer, byteLength: number, dst?: Uint8Array): Promise<Uint8Array> {
    const size = (byteLength + 3) & ~3;
    const staging = this.#stagingOf(size);
    const encoder = this.#device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
    this.#device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    const out = dst ?? new Uint8Array(byteLength);
    out.set(new Uint8Array(staging.getMappedRange(0, size), 0, byteLength));
    staging.unmap();
    return out;
  }

  /** Destroys the staging buffers; idempotent. */
  close(): void {
    for (const buffer of this.#staging.values()) buffer.destroy();
    this.#staging.clear();
  }

  /** Same as {@linkcode GpuReadback.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #stagingOf(size: number): GPUBuffer {
    let staging = this.#staging.get(size);
    if (staging === undefined) {
      staging = this.#device.createBuffer({
        label: `readback ${size}`,
        size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      this.#staging.set(size, staging);
    }
    return staging;
  }
}
