/**
 * {@linkcode HeapMemorySource}: frame payloads in JavaScript memory, recycled by size, bounded by a
 * budget.
 *
 * @module
 */

import {
  type FrameMemory,
  type FrameMemorySource,
  type FrameMemoryStats,
  FrameTooLargeError,
} from "./frame_memory.ts";

/** The default budget of a runtime's frame memory per isolate: 1 GiB. */
export const DEFAULT_FRAME_MEMORY_BYTES = 1024 * 1024 * 1024;

/** The default largest single frame: 64 MiB (a 4096x4096 RGBA frame; 8K RGBA is refused). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

class HeapMemory implements FrameMemory {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly floats: Float32Array<ArrayBuffer>;
  readonly byteLength: number;
  readonly #source: HeapMemorySource;

  constructor(byteLength: number, source: HeapMemorySource) {
    // Rounded up to 4 bytes so the same buffer also serves as 32-bit floats.
    const buffer = new ArrayBuffer((byteLength + 3) & ~3);
    this.bytes = new Uint8Array(buffer, 0, byteLength);
    this.floats = new Float32Array(buffer, 0, byteLength >>> 2);
    this.byteLength = byteLength;
    this.#source = source;
  }

  isUnique(): boolean {
    return true; // JavaScript memory never leaves this isolate
  }

  free(): void {
    this.#source.recycle(this);
  }
}

/**
 * Frame payloads in ordinary `ArrayBuffer`s. A freed payload goes on a free list for its size and
 * is handed out again, so a steady stream allocates nothing; payloads in use are bounded by
 * `budgetBytes`, past which `allocate` returns `undefined` (the runtime treats it as
 * back-pressure).
 *
 * @example Memory comes back when freed, and the budget holds
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeapMemorySource } from "./heap_memory.ts";
 *
 * const source = new HeapMemorySource({ budgetBytes: 1000 });
 * const a = source.allocate(600)!;
 * assert.equal(source.allocate(600), undefined); // over budget
 * a.free();
 * assert.equal(source.allocate(600), a); // the same memory, recycled
 * assert.equal(source.stats().exhausted, 1);
 * ```
 */
export class HeapMemorySource implements FrameMemorySource {
  readonly shared = false;
  readonly #free = new Map<number, HeapMemory[]>();
  readonly #budget: number;
  readonly #maxFrame: number;
  #inUse = 0;
  #bytesInUse = 0;
  #idleBytes = 0;
  #exhausted = 0;
  #allocated = 0;
  #waiters: (() => void)[] = [];

  /**
   * @param options `budgetBytes`: the most payload bytes in use at once (default
   *   {@linkcode DEFAULT_FRAME_MEMORY_BYTES}); `maxFrameBytes`: the largest single payload (default
   *   {@linkcode DEFAULT_MAX_FRAME_BYTES}, at most the budget).
   * @throws {RangeError} When either is not a positive integer.
   */
  constructor(options: { budgetBytes?: number; maxFrameBytes?: number } = {}) {
    const budget = options.budgetBytes ?? DEFAULT_FRAME_MEMORY_BYTES;
    const maxFrame = options.maxFrameBytes ?? Math.min(DEFAULT_MAX_FRAME_BYTES, budget);
    for (const [name, value] of [["budgetBytes", budget], ["maxFrameBytes", maxFrame]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(
          `Cannot create frame memory: ${name} must be a positive integer, got ${value}`,
        );
      }
    }
    this.#budget = budget;
    this.#maxFrame = Math.min(maxFrame, budget);
  }

  /** The largest single payload. */
  get maxFrameBytes(): number {
    return this.#maxFrame;
  }

  /**
   * Hands out `byteLength` bytes, or `undefined` while the budget is used up.
   *
   * @param byteLength The payload size.
   * @returns The memory, or `undefined` (back-pressure: try again once memory is freed).
   * @throws {FrameTooLargeError} When one payload of this size exceeds `maxFrameBytes` (it could
   *   never be served; a set-up mistake such as an 8K RGBA pattern, refused before it can starve
   *   the rest of the graph).
   */
  allocate(byteLength: number): FrameMemory | undefined {
    if (byteLength > this.#maxFrame) throw new FrameTooLargeError(byteLength, this.#maxFrame);
    if (this.#bytesInUse + byteLength > this.#budget) {
      this.#exhausted++;
      return undefined;
    }
    let memory = this.#free.get(byteLength)?.pop();
    if (memory !== undefined) this.#idleBytes -= byteLength;
    else memory = new HeapMemory(byteLength, this);
    this.#inUse++;
    this.#bytesInUse += byteLength;
    this.#allocated++;
    return memory;
  }

  /** Takes freed memory back (from `FrameMemory.free()`). */
  recycle(memory: FrameMemory): void {
    this.#inUse--;
    this.#bytesInUse -= memory.byteLength;
    // Keep idle memory for reuse while it fits the budget; beyond that, leave it to the GC.
    if (this.#idleBytes + memory.byteLength <= this.#budget) {
      let list = this.#free.get(memory.byteLength);
      if (list === undefined) this.#free.set(memory.byteLength, list = []);
      list.push(memory as HeapMemory);
      this.#idleBytes += memory.byteLength;
    }
    if (this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  onFree(callback: () => void): void {
    this.#waiters.push(callback);
  }

  stats(): FrameMemoryStats {
    return {
      inUse: this.#inUse,
      bytesInUse: this.#bytesInUse,
      budgetBytes: this.#budget,
      exhausted: this.#exhausted,
      allocated: this.#allocated,
    };
  }
}
