/**
 * {@linkcode TexturePool}: the runtime's GPU textures for frames, recycled by shape and bounded by
 * bytes. Processors never see it: they allocate with `ctx.frames.gpuVideo()`.
 *
 * @module
 */

import { type GpuPixelFormat, gpuTextureFormat } from "./gpu_video_frame.ts";

/** The shape of a GPU video frame to allocate. */
export interface GpuVideoShape {
  /** Width in pixels, a positive integer. */
  width: number;
  /** Height in pixels, a positive integer. */
  height: number;
  /** Pixel format. */
  format: GpuPixelFormat;
}

/** Counters of a {@linkcode TexturePool} (`rt.stats().gpu`). */
export interface TexturePoolStats {
  /** Textures held by frames now. */
  inUse: number;
  /** Bytes of the textures in use (4 bytes a pixel). */
  bytesInUse: number;
  /** Textures freed and kept for reuse. */
  free: number;
  /** Bytes of the free textures. */
  freeBytes: number;
  /** The most bytes of textures (in use and free) the pool keeps: the runtime's `gpuMemoryBytes`. */
  budgetBytes: number;
  /** Allocations served. */
  allocated: number;
  /** Textures created (allocations not served from the free lists). */
  created: number;
  /** Allocations refused because the budget was reached (back-pressure). */
  exhausted: number;
}

/** The default `gpuMemoryBytes`: 512 MiB of textures. */
export const DEFAULT_GPU_MEMORY_BYTES = 512 * 1024 * 1024;

/**
 * The usages of every texture of the pool: `COPY_SRC | COPY_DST | TEXTURE_BINDING |
 * RENDER_ATTACHMENT`, and `STORAGE_BINDING` for `rgba8unorm` (for `bgra8unorm` only where the
 * device has `bgra8unorm-storage`).
 *
 * @param format The frame's pixel format.
 * @param device The device.
 * @returns The `GPUTextureUsage` flags.
 *
 * @example RGBA textures are storage textures too
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuFrameUsage, isolateGpu } from "@streamlib/streamlib";
 *
 * const device = await isolateGpu().ready();
 * assert.ok(gpuFrameUsage("RGBA", device) & GPUTextureUsage.STORAGE_BINDING);
 * ```
 */
export function gpuFrameUsage(format: GpuPixelFormat, device: GPUDevice): number {
  const base = GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST |
    GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.RENDER_ATTACHMENT;
  const storage = format === "RGBA" || device.features.has("bgra8unorm-storage");
  return storage ? base | GPUTextureUsage.STORAGE_BINDING : base;
}

/**
 * One texture of the pool, owned by one `OwnedGpuVideoFrame`: a frame payload (`FramePayload` of
 * `core/frames/memory.ts`, which this folder does not import).
 *
 * @example A texture's size and its way back to the pool
 * ```ts
 * import assert from "node:assert/strict";
 * import { isolateGpu, TexturePool } from "@streamlib/streamlib";
 *
 * const pool = new TexturePool();
 * pool.bind(await isolateGpu().ready(), isolateGpu().generation);
 * const memory = pool.allocate({ width: 2, height: 2, format: "BGRA" })!;
 * assert.deepEqual([memory.byteLength, memory.texture.format], [16, "bgra8unorm"]);
 * memory.free();
 * assert.equal(pool.stats().free, 1);
 * pool.close();
 * ```
 */
export class TextureMemory {
  /** The texture. */
  readonly texture: GPUTexture;
  /** Its shape. */
  readonly shape: Readonly<GpuVideoShape>;
  /** `width * height * 4`. */
  readonly byteLength: number;
  /** The device generation it belongs to. */
  readonly generation: number;
  /** The device it was made on. */
  readonly device: GPUDevice;
  readonly #pool: TexturePool;

  /**
   * Wraps a texture of `pool`.
   *
   * @param pool The pool it goes back to.
   * @param texture The texture.
   * @param shape Its shape.
   * @param generation The device generation it was made on.
   * @param device The device it was made on.
   */
  constructor(
    pool: TexturePool,
    texture: GPUTexture,
    shape: GpuVideoShape,
    generation: number,
    device: GPUDevice,
  ) {
    this.#pool = pool;
    this.device = device;
    this.texture = texture;
    this.shape = shape;
    this.byteLength = shape.width * shape.height * 4;
    this.generation = generation;
  }

  /** Textures are never shared between holders of the memory: always `true`. */
  isUnique(): boolean {
    return true;
  }

  /** Gives the texture back to the pool. */
  free(): void {
    this.#pool.give(this);
  }
}

function key(shape: GpuVideoShape): string {
  return `${shape.width}x${shape.height}:${shape.format}`;
}

/**
 * GPU textures for frames, recycled by shape (width, height, format), at most `budgetBytes` of
 * them in use and free together. `allocate` is the hot path: it returns `undefined` when the
 * budget is reached (after destroying free textures of other shapes), never throws.
 *
 * @example Recycle one texture
 * ```ts
 * import assert from "node:assert/strict";
 * import { isolateGpu, TexturePool } from "@streamlib/streamlib";
 *
 * const pool = new TexturePool({ budgetBytes: 16 * 16 * 4 });
 * pool.bind(await isolateGpu().ready(), isolateGpu().generation);
 * const a = pool.allocate({ width: 16, height: 16, format: "RGBA" })!;
 * assert.equal(pool.allocate({ width: 16, height: 16, format: "RGBA" }), undefined); // budget
 * a.free();
 * const b = pool.allocate({ width: 16, height: 16, format: "RGBA" })!;
 * assert.equal(b.texture, a.texture);
 * assert.equal(pool.stats().created, 1);
 * b.free();
 * pool.close();
 * ```
 */
export class TexturePool {
  readonly #budget: number;
  readonly #free = new Map<string, TextureMemory[]>();
  #device: GPUDevice | undefined;
  #generation = 0;
  #inUse = 0;
  #bytesInUse = 0;
  #freeCount = 0;
  #freeBytes = 0;
  #allocated = 0;
  #created = 0;
  #exhausted = 0;
  #waiting: (() => void)[] = [];

  /**
   * Creates an empty pool; it makes textures once bound to a device.
   *
   * @param options `budgetBytes`: the most bytes of textures kept (default 512 MiB).
   */
  constructor(options: { budgetBytes?: number } = {}) {
    this.#budget = options.budgetBytes ?? DEFAULT_GPU_MEMORY_BYTES;
  }

  /** The device textures are made on, once bound. */
  get device(): GPUDevice | undefined {
    return this.#device;
  }

  /**
   * Makes textures on `device` from now on; free textures of an earlier device are destroyed
   * (textures still in use go when their frames die).
   *
   * @param device The isolate's device.
   * @param generation Its generation (`IsolateGpu.generation`).
   */
  bind(device: GPUDevice, generation: number): void {
    if (this.#device === device) return;
    this.trim();
    this.#device = device;
    this.#generation = generation;
  }

  /**
   * A texture of `shape`, or `undefined` when the budget is reached or no device is bound.
   *
   * @param shape Width, height and format (checked by the caller).
   * @returns The texture's memory, owned by the caller until `free()`.
   */
  allocate(shape: GpuVideoShape): TextureMemory | undefined {
    const device = this.#device;
    if (device === undefined) return undefined;
    const bytes = shape.width * shape.height * 4;
    const list = this.#free.get(key(shape));
    let memory = list?.pop();
    if (memory !== undefined) {
      this.#freeCount--;
      this.#freeBytes -= bytes;
    } else {
      if (this.#bytesInUse + this.#freeBytes + bytes > this.#budget) this.trim();
      if (this.#bytesInUse + bytes > this.#budget) {
        this.#exhausted++;
        return undefined;
      }
      const texture = device.createTexture({
        size: [shape.width, shape.height],
        format: gpuTextureFormat(shape.format),
        usage: gpuFrameUsage(shape.format, device),
      });
      memory = new TextureMemory(this, texture, { ...shape }, this.#generation, device);
      this.#created++;
    }
    this.#inUse++;
    this.#bytesInUse += bytes;
    this.#allocated++;
    return memory;
  }

  /**
   * Takes a texture back (its frame died): kept for reuse while its device is current,
   * destroyed otherwise.
   *
   * @param memory A texture this pool handed out.
   */
  give(memory: TextureMemory): void {
    this.#inUse--;
    this.#bytesInUse -= memory.byteLength;
    if (memory.generation === this.#generation && this.#device !== undefined) {
      const k = key(memory.shape);
      let list = this.#free.get(k);
      if (list === undefined) this.#free.set(k, list = []);
      list.push(memory);
      this.#freeCount++;
      this.#freeBytes += memory.byteLength;
    } else memory.texture.destroy();
    const waiting = this.#waiting;
    if (waiting.length === 0) return;
    this.#waiting = [];
    for (const callback of waiting) callback();
  }

  /**
   * Calls `callback` once, the next time a texture is given back.
   *
   * @param callback Called after the texture is back.
   */
  onFree(callback: () => void): void {
    this.#waiting.push(callback);
  }

  /** Destroys every free texture. */
  trim(): void {
    for (const list of this.#free.values()) for (const memory of list) memory.texture.destroy();
    this.#free.clear();
    this.#freeCount = 0;
    this.#freeBytes = 0;
  }

  /** Destroys the free textures and unbinds the device (textures in use go when their frames die). */
  close(): void {
    this.trim();
    this.#device = undefined;
    this.#generation = -1;
  }

  /** The counters. */
  stats(): TexturePoolStats {
    return {
      inUse: this.#inUse,
      bytesInUse: this.#bytesInUse,
      free: this.#freeCount,
      freeBytes: this.#freeBytes,
      budgetBytes: this.#budget,
      allocated: this.#allocated,
      created: this.#created,
      exhausted: this.#exhausted,
    };
  }
}
