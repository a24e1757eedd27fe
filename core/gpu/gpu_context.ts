/**
 * `ctx.gpu`: how a processor gets the isolate's GPU device, and the isolate's GPU resources
 * behind it (the device holder and the texture pool).
 *
 * @module
 */

import { type IsolateGpu, isolateGpu } from "./device.ts";
import { GpuDeviceLostError, GpuNotReadyError } from "./errors.ts";
import { TexturePool, type TexturePoolStats } from "./texture_pool.ts";

/**
 * `ctx.gpu`: the isolate's one WebGPU device, shared by every processor in it.
 *
 * For a node with a `GpuVideoFrame` port the runtime makes the device before `setup()`, so
 * `ctx.gpu.device` works in `setup()` (make pipelines there) and in every `process()`. A node
 * without GPU ports that wants the device awaits `ctx.gpu.ready()` in its setup. When the device
 * is lost the node fails (`gpu_device_lost`); set up again (the `restart` policy) it gets a new
 * device, so pipelines made in `setup()` are made again on it.
 *
 * @example Compile a shader in setup
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 *
 * const ctx = createProcessContext("fx");
 * const device = await ctx.gpu.ready();
 * const module = device.createShaderModule({ code: "@compute @workgroup_size(1) fn main() {}" });
 * assert.equal(ctx.gpu.device, device);
 * assert.ok(module);
 * ```
 */
export interface GpuContext {
  /**
   * The device.
   *
   * @throws {GpuNotReadyError} Before the node's device is ready (no GPU port, no `ready()`).
   * @throws {GpuDeviceLostError} After the device the node set up on was lost.
   */
  readonly device: GPUDevice;
  /** Whether `device` is ready for this node now (it would not throw). */
  readonly available: boolean;
  /**
   * Makes the isolate's device if there is none yet (the first user makes it; later ones share
   * it) and makes it this node's.
   *
   * @returns The device.
   * @throws {GpuUnavailableError} When the isolate has no WebGPU adapter or device.
   */
  ready(): Promise<GPUDevice>;
}

/** The GPU part of `rt.stats()`: the main isolate's device and texture pool. */
export interface GpuStats extends TexturePoolStats {
  /** Whether the isolate has a device now. */
  device: boolean;
  /** The adapter's description (`""` before the first device). */
  adapter: string;
  /** Devices made so far (goes up after a loss). */
  generation: number;
}

/**
 * One isolate's GPU resources, as a runtime host holds them: the device holder (shared by every
 * host of the isolate) and a texture pool sized by the runtime's `gpuMemoryBytes`.
 *
 * @example A node's ctx.gpu and a texture from the pool
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuResources } from "@streamlib/streamlib";
 *
 * const gpu = new GpuResources({ budgetBytes: 1 << 20 });
 * const ctx = gpu.context("fx");
 * assert.equal(ctx.available, false);
 * await ctx.ready();
 * const texture = gpu.textures.allocate({ width: 4, height: 4, format: "RGBA" })!;
 * assert.equal(gpu.stats().inUse, 1);
 * texture.free();
 * assert.deepEqual([gpu.stats().inUse, gpu.stats().free], [0, 1]);
 * gpu.close();
 * ```
 */
export class GpuResources {
  /** The device holder. */
  readonly gpu: IsolateGpu;
  /** The texture pool. */
  readonly textures: TexturePool;

  /**
   * Creates the resources; no device is made until a node asks.
   *
   * @param options `gpu`: the device holder (default the isolate's, {@linkcode isolateGpu});
   *   `budgetBytes`: the texture pool's budget (default 512 MiB).
   */
  constructor(options: { gpu?: IsolateGpu; budgetBytes?: number } = {}) {
    this.gpu = options.gpu ?? isolateGpu();
    this.textures = new TexturePool({ budgetBytes: options.budgetBytes });
  }

  /**
   * The device, made on first use, with the pool bound to it.
   *
   * @returns The device.
   * @throws {GpuUnavailableError} When there is none.
   */
  async ready(): Promise<GPUDevice> {
    const device = await this.gpu.ready();
    this.textures.bind(device, this.gpu.generation);
    return device;
  }

  /**
   * The `ctx.gpu` of one node.
   *
   * @param node The node's id (named by errors).
   * @returns Its context.
   */
  context(node: string): NodeGpu {
    return new NodeGpu(node, this);
  }

  /** The device's and the pool's counters. */
  stats(): GpuStats {
    return {
      device: this.gpu.current !== undefined,
      adapter: this.gpu.adapter,
      generation: this.gpu.generation,
      ...this.textures.stats(),
    };
  }

  /** Destroys the pool's free textures (the device stays: the isolate shares it). */
  close(): void {
    this.textures.close();
  }
}

/**
 * The {@linkcode GpuContext} of one node: remembers the device generation the node was set up
 * on, so a node whose device was lost and replaced fails rather than use objects of the old one.
 *
 * @example A node's device before and after ready()
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuNotReadyError, GpuResources } from "@streamlib/streamlib";
 *
 * const ctx = new GpuResources().context("fx");
 * assert.throws(() => ctx.device, GpuNotReadyError);
 * const device = await ctx.ready();
 * assert.equal(ctx.device, device);
 * ctx.reset(); // torn down: the next setup takes the isolate's device again
 * assert.equal(ctx.used, false);
 * ```
 */
export class NodeGpu implements GpuContext {
  readonly #node: string;
  readonly #resources: GpuResources;
  #generation = 0;

  /**
   * Creates the context.
   *
   * @param node The node's id.
   * @param resources The isolate's GPU resources.
   */
  constructor(node: string, resources: GpuResources) {
    this.#node = node;
    this.#resources = resources;
  }

  /** Whether the node took the device (`ready()` resolved for it since the last `reset()`). */
  get used(): boolean {
    return this.#generation !== 0;
  }

  get available(): boolean {
    const gpu = this.#resources.gpu;
    return this.#generation !== 0 && gpu.current !== undefined &&
      gpu.generation === this.#generation;
  }

  get device(): GPUDevice {
    const gpu = this.#resources.gpu;
    if (this.#generation === 0) throw new GpuNotReadyError(this.#node);
    const device = gpu.current;
    if (device === undefined || gpu.generation !== this.#generation) {
      throw gpu.lost ?? new GpuDeviceLostError("unknown", "the device was replaced");
    }
    return device;
  }

  /**
   * The texture pool, for `ctx.frames.gpuVideo()`.
   *
   * @returns The pool, bound to this node's device.
   * @throws {GpuNotReadyError} Before the node's device is ready.
   * @throws {GpuDeviceLostError} After it was lost.
   */
  textures(): TexturePool {
    void this.device; // throws when the node has no live device
    return this.#resources.textures;
  }

  async ready(): Promise<GPUDevice> {
    const device = await this.#resources.ready();
    this.#generation = this.#resources.gpu.generation;
    return device;
  }

  /** Forgets the device (the node is torn down): the next setup takes the current one. */
  reset(): void {
    this.#generation = 0;
  }
}
