/**
 * {@linkcode IsolateGpu}: the one WebGPU device of an isolate, made on first use and made again
 * after a loss.
 *
 * @module
 */

import { chooseGpuBackend, requestGpuAdapter } from "./backend.ts";
import { GpuDeviceLostError, GpuUnavailableError } from "./errors.ts";

/** Where adapters come from: `navigator.gpu` by default; tests inject one with no adapter. */
export interface GpuAdapterSource {
  /** WebGPU's `GPU.requestAdapter()`. */
  requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null>;
}

/**
 * The isolate's GPU device. `ready()` makes it on first use (adapter, then device) and every
 * later call returns the same one, so every processor of the isolate shares it. When the device
 * is lost, `onLost` listeners hear of it and the next `ready()` makes a new one (its
 * `generation` goes up). Optional features the adapter has and GPU frames use
 * (`bgra8unorm-storage`) are asked for.
 *
 * @example One device, shared
 * ```ts
 * import assert from "node:assert/strict";
 * import { IsolateGpu } from "@streamlib/streamlib";
 *
 * const gpu = new IsolateGpu();
 * const [a, b] = await Promise.all([gpu.ready(), gpu.ready()]);
 * assert.equal(a, b);
 * assert.equal(gpu.generation, 1);
 * gpu.close();
 * ```
 */
export class IsolateGpu {
  readonly #source: GpuAdapterSource | undefined;
  readonly #injected: boolean;
  #device: GPUDevice | undefined;
  #pending: Promise<GPUDevice> | undefined;
  #lost: GpuDeviceLostError | undefined;
  #generation = 0;
  #adapter = "";
  readonly #listeners = new Set<(error: GpuDeviceLostError) => void>();

  /**
   * Creates the holder; no device is made until `ready()`.
   *
   * @param source Where adapters come from. Default `navigator.gpu` (absent in a Deno without
   *   WebGPU: `ready()` then rejects with {@linkcode GpuUnavailableError}).
   */
  constructor(source?: GpuAdapterSource) {
    this.#injected = source !== undefined;
    this.#source = source ?? (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  }

  /** The device, when one is ready now. */
  get current(): GPUDevice | undefined {
    return this.#device;
  }

  /** How many devices were made so far (1 after the first `ready()`, 2 after a loss and another). */
  get generation(): number {
    return this.#generation;
  }

  /** The adapter's description (vendor, architecture, device), `""` before the first device. */
  get adapter(): string {
    return this.#adapter;
  }

  /** Why the last device went, until a new one is made. */
  get lost(): GpuDeviceLostError | undefined {
    return this.#lost;
  }

  /**
   * The device, made on the first call (and after a loss); concurrent calls share one request.
   *
   * @returns The isolate's device.
   * @throws {GpuUnavailableError} When there is no WebGPU, no adapter, or no device.
   */
  ready(): Promise<GPUDevice> {
    if (this.#device !== undefined) return Promise.resolve(this.#device);
    return this.#pending ??= this.#create().finally(() => this.#pending = undefined);
  }

  /**
   * Calls `listener` when the current device is lost (not when `close()` destroys it).
   *
   * @param listener Receives the loss as the error the nodes fail with.
   * @returns Unsubscribes.
   */
  onLost(listener: (error: GpuDeviceLostError) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Destroys the device (no loss is reported); the next `ready()` makes a new one. */
  close(): void {
    const device = this.#device;
    this.#device = undefined;
    device?.destroy();
  }

  async #create(): Promise<GPUDevice> {
    const source = this.#source;
    if (source === undefined) {
      throw new GpuUnavailableError("this Deno has no WebGPU (navigator.gpu is undefined)");
    }
    // Deno's own WebGPU: Vulkan alone on Linux unless the user chose, and without libwayland's
    // noise on stderr (./backend.ts says why).
    const backend = this.#injected ? undefined : chooseGpuBackend();
    let adapter: GPUAdapter | null;
    try {
      adapter = this.#injected ? await source.requestAdapter() : await requestGpuAdapter(source);
    } catch (error) {
      throw new GpuUnavailableError(`requestAdapter() failed: ${String(error)}`);
    }
    if (adapter === null) {
      throw new GpuUnavailableError(
        backend === undefined
          ? "navigator.gpu.requestAdapter() found no adapter"
          : `navigator.gpu.requestAdapter() found no adapter with DENO_WEBGPU_BACKEND=${backend} ` +
            "(a machine with OpenGL and no Vulkan driver: set DENO_WEBGPU_BACKEND=gl)",
      );
    }
    const wanted: GPUFeatureName[] = ["bgra8unorm-storage"];
    const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ requiredFeatures });
    } catch (error) {
      throw new GpuUnavailableError(`requestDevice() failed: ${String(error)}`);
    }
    const info = adapter.info;
    this.#adapter = [info.vendor, info.architecture, info.device, info.description]
      .filter((part) => part).join(" ");
    this.#device = device;
    this.#lost = undefined;
    this.#generation++;
    void device.lost.then((info) => this.#onLost(device, info));
    return device;
  }

  #onLost(device: GPUDevice, info: GPUDeviceLostInfo): void {
    if (this.#device !== device) return; // closed by us, or already replaced
    this.#device = undefined;
    const error = this.#lost = new GpuDeviceLostError(info.reason, info.message);
    for (const listener of [...this.#listeners]) {
      try {
        listener(error);
      } catch (thrown) {
        reportError(thrown);
      }
    }
  }
}

let shared: IsolateGpu | undefined;

/**
 * The isolate's shared {@linkcode IsolateGpu} (one per isolate: the runtime's hosts and
 * hand-made process contexts use it unless given another).
 *
 * @returns The holder, made on the first call.
 *
 * @example The same holder every time
 * ```ts
 * import assert from "node:assert/strict";
 * import { isolateGpu } from "@streamlib/streamlib";
 *
 * assert.equal(isolateGpu(), isolateGpu());
 * ```
 */
export function isolateGpu(): IsolateGpu {
  return shared ??= new IsolateGpu();
}
