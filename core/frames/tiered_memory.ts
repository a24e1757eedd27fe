/**
 * {@linkcode TieredMemorySource}: shared (native) frame memory when there is some to spare,
 * JavaScript memory otherwise.
 *
 * @module
 */

import type { FrameMemory, FrameMemorySource, FrameMemoryStats } from "./memory.ts";

/**
 * Allocates from the shared source (the native frame pool, once the graph has one) and falls back
 * to the local source when the shared one is absent, exhausted or too small for the frame. So a
 * processor never waits for pool slots while JavaScript memory is within its budget, and frames
 * that can cross isolates without a copy do whenever slots are free; a frame in local memory that
 * crosses is copied once. `allocate` returns `undefined` only when both are exhausted.
 *
 * @example Falls back when the shared source is absent
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeapMemorySource } from "./heap_memory.ts";
 * import { TieredMemorySource } from "./tiered_memory.ts";
 *
 * const memory = new TieredMemorySource(() => undefined, new HeapMemorySource());
 * assert.equal(memory.allocate(16)?.byteLength, 16);
 * assert.equal(memory.shared, false);
 * ```
 */
export class TieredMemorySource implements FrameMemorySource {
  readonly #shared: () => FrameMemorySource | undefined;
  readonly #local: FrameMemorySource;

  /**
   * @param shared The shared source, looked up on each allocation (it may appear later, when the
   *   first Worker starts); `undefined` while there is none.
   * @param local The fallback.
   */
  constructor(shared: () => FrameMemorySource | undefined, local: FrameMemorySource) {
    this.#shared = shared;
    this.#local = local;
  }

  get shared(): boolean {
    return this.#shared() !== undefined;
  }

  /**
   * Shared memory while its reserve stays free (`allocateSpare`), else local memory. A frame here
   * can always fall back to local memory, so it never takes the shared source's last slots: those
   * are for the copies of local frames that cross an isolate, which have nowhere else to go. (A
   * transform that took them would park them in the queues of its own isolate, behind nodes that
   * wait for a slot to cross: a wait only the pool's give-up time ended, 200 ms a frame.)
   */
  allocate(byteLength: number): FrameMemory | undefined {
    const shared = this.#shared();
    if (shared !== undefined && byteLength <= (shared.maxFrameBytes ?? Infinity)) {
      const memory = shared.allocateSpare
        ? shared.allocateSpare(byteLength)
        : shared.allocate(byteLength);
      if (memory !== undefined) return memory;
    }
    return this.#local.allocate(byteLength);
  }

  /** Shared memory only while its reserve stays free (`allocateSpare`), else local memory. */
  allocateSpare(byteLength: number): FrameMemory | undefined {
    const shared = this.#shared();
    if (shared !== undefined && byteLength <= (shared.maxFrameBytes ?? Infinity)) {
      const memory = shared.allocateSpare
        ? shared.allocateSpare(byteLength)
        : shared.allocate(byteLength);
      if (memory !== undefined) return memory;
    }
    const local = this.#local;
    return local.allocateSpare ? local.allocateSpare(byteLength) : local.allocate(byteLength);
  }

  onFree(callback: () => void): void {
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      callback();
    };
    this.#local.onFree(once);
    this.#shared()?.onFree(once);
  }

  stats(): FrameMemoryStats {
    const local = this.#local.stats();
    const shared = this.#shared()?.stats();
    if (!shared) return local;
    return {
      inUse: local.inUse + shared.inUse,
      bytesInUse: local.bytesInUse + shared.bytesInUse,
      budgetBytes: local.budgetBytes + shared.budgetBytes,
      exhausted: local.exhausted,
      allocated: local.allocated + shared.allocated,
      ...(local.idleBytes === undefined ? {} : { idleBytes: local.idleBytes }),
    };
  }
}
