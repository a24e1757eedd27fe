/**
 * Bind groups remembered by the resources they bind, so a kernel run on the same textures and
 * buffers frame after frame (a pool's) creates no new bind group.
 *
 * @module
 */

/** A weak cache by a list of resources: a bind group lives as long as what it binds. */
export class BindCache {
  readonly #root = new WeakMap<object, unknown>();

  /**
   * The bind group for `keys` (the textures, buffers or views it binds), made by `make` the first
   * time.
   *
   * @param keys The resources, in a fixed order; at least one.
   * @param make Creates the bind group.
   * @returns The bind group.
   */
  get(keys: readonly object[], make: () => GPUBindGroup): GPUBindGroup {
    let level = this.#root;
    for (let i = 0; i < keys.length - 1; i++) {
      let next = level.get(keys[i]) as WeakMap<object, unknown> | undefined;
      if (next === undefined) level.set(keys[i], next = new WeakMap());
      level = next;
    }
    const last = keys[keys.length - 1];
    let group = level.get(last) as GPUBindGroup | undefined;
    if (group === undefined) level.set(last, group = make());
    return group;
  }
}

/** Keeps one small uniform buffer per key (a size, a format), written once. */
export class UniformCache {
  readonly #device: GPUDevice;
  readonly #buffers = new Map<string, GPUBuffer>();

  /**
   * Creates the cache.
   *
   * @param device The device.
   */
  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /**
   * The uniform buffer holding `values` (as 32-bit words), created and written the first time
   * `key` is asked for.
   *
   * @param key What the values depend on.
   * @param values The words, as unsigned integers or floats.
   * @returns The buffer.
   */
  get(key: string, values: () => Uint32Array<ArrayBuffer> | Float32Array<ArrayBuffer>): GPUBuffer {
    let buffer = this.#buffers.get(key);
    if (buffer === undefined) {
      const data = values();
      buffer = this.#device.createBuffer({
        label: key,
        size: Math.max(16, (data.byteLength + 15) & ~15),
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.#device.queue.writeBuffer(buffer, 0, data);
      this.#buffers.set(key, buffer);
    }
    return buffer;
  }

  /** Destroys every buffer; idempotent. */
  close(): void {
    for (const buffer of this.#buffers.values()) buffer.destroy();
    this.#buffers.clear();
  }
}
