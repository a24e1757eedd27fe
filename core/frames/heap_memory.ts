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
} from "./memory.ts";
import type { FrameBudget } from "./frame_budget.ts";

/** The default budget of a runtime's frame memory per isolate: 1 GiB. */
export const DEFAULT_FRAME_MEMORY_BYTES = 1024 * 1024 * 1024;

/** The default largest single frame: 64 MiB (a 4096x4096 RGBA frame; 8K RGBA is refused). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** How often a wait for memory held by other isolates looks again, in ms. */
const SHARED_POLL_MS = 10;

/** Idle memory a source keeps at least, whatever its peak use (16 MiB). */
const IDLE_FLOOR_BYTES = 16 * 1024 * 1024;

/**
 * The capacity a payload of `byteLength` bytes is served from: a multiple of 64 up to 1 KiB, then
 * eight steps per power of two (at most 12.5% unused), so payloads whose sizes vary (encoded
 * access units) share a few free lists instead of one per exact size.
 *
 * @param byteLength The payload size, an integer of 0 or more.
 * @returns The capacity, a multiple of 4 of at least `byteLength`.
 */
export function heapSizeClass(byteLength: number): number {
  if (byteLength <= 1024) return Math.max(64, (byteLength + 63) & ~63);
  const step = 2 ** (Math.floor(Math.log2(byteLength)) - 3);
  return Math.ceil(byteLength / step) * step;
}

class HeapMemory implements FrameMemory {
  bytes: Uint8Array<ArrayBuffer>;
  floats: Float32Array<ArrayBuffer>;
  byteLength: number;
  readonly capacity: number;
  readonly #buffer: ArrayBuffer;
  readonly #source: HeapMemorySource;

  constructor(byteLength: number, capacity: number, source: HeapMemorySource) {
    // A multiple of 4 bytes, so the same buffer also serves as 32-bit floats.
    this.#buffer = new ArrayBuffer(capacity);
    this.capacity = capacity;
    this.#source = source;
    this.byteLength = byteLength;
    this.bytes = new Uint8Array(this.#buffer, 0, byteLength);
    this.floats = new Float32Array(this.#buffer, 0, byteLength >>> 2);
  }

  /** Serves a payload of another size of the same class (only while no frame owns it). */
  resize(byteLength: number): void {
    if (byteLength === this.byteLength) return;
    this.byteLength = byteLength;
    this.bytes = new Uint8Array(this.#buffer, 0, byteLength);
    this.floats = new Float32Array(this.#buffer, 0, byteLength >>> 2);
  }

  isUnique(): boolean {
    return true; // JavaScript memory never leaves this isolate
  }

  free(): void {
    this.#source.recycle(this);
  }
}

/**
 * Frame payloads in ordinary `ArrayBuffer`s. A freed payload goes on a free list for its size
 * class ({@linkcode heapSizeClass}) and is handed out again, so a steady stream allocates nothing,
 * even when its payloads vary in size; payloads in use are bounded by `budgetBytes`, past which
 * `allocate` returns `undefined` (the runtime treats it as back-pressure). Idle memory is bounded
 * by the most the source ever had in use (at least 16 MiB): beyond that, idle payloads of the sizes
 * used least recently are left to the garbage collector first, then the freed payload itself, so a
 * stream that changes frame size recycles at its new size.
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
  /** What `allocateSpare()` leaves free: a quarter of the budget. */
  readonly #spareLimit: number;
  readonly #maxFrame: number;
  #inUse = 0;
  #bytesInUse = 0;
  #idleBytes = 0;
  /** Capacity (size classes) of the payloads in use, and its highest value. */
  #capacityInUse = 0;
  #peakCapacity = 0;
  /** The class most recently allocated from (last in `#free`'s order). */
  #recentClass = -1;
  /** `#free`'s list of `#recentClass` (no map lookup per frame of a steady stream). */
  #recentList: HeapMemory[] = [];
  #exhausted = 0;
  #allocated = 0;
  #waiters: (() => void)[] = [];
  #shared: FrameBudget | undefined;
  #poll: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param options `budgetBytes`: the most payload bytes in use at once (default
   *   {@linkcode DEFAULT_FRAME_MEMORY_BYTES}); `maxFrameBytes`: the largest single payload (default
   *   {@linkcode DEFAULT_MAX_FRAME_BYTES}, at most the budget); `shared`: a budget shared with
   *   other isolates (a runtime's `frameMemoryBytes`), which every payload is reserved in first
   *   (its size is then the budget, and `budgetBytes` is ignored).
   * @throws {RangeError} When either is not a positive integer.
   */
  constructor(
    options: { budgetBytes?: number; maxFrameBytes?: number; shared?: FrameBudget } = {},
  ) {
    this.#shared = options.shared;
    const budget = options.shared?.budgetBytes ?? options.budgetBytes ??
      DEFAULT_FRAME_MEMORY_BYTES;
    const maxFrame = options.maxFrameBytes ?? Math.min(DEFAULT_MAX_FRAME_BYTES, budget);
    for (const [name, value] of [["budgetBytes", budget], ["maxFrameBytes", maxFrame]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(
          `Cannot create frame memory: ${name} must be a positive integer, got ${value}`,
        );
      }
    }
    this.#budget = budget;
    this.#spareLimit = budget - Math.floor(budget / 4);
    this.#maxFrame = Math.min(maxFrame, budget);
  }

  /**
   * Draws from `budget` from now on (the runtime's first Worker started: its budget is now
   * shared): what is in use now is counted in it. Until then a source with no other isolate pays
   * no atomic operation per frame. Calling it again does nothing.
   *
   * @param budget The shared budget (of the same size as this source's).
   */
  shareBudget(budget: FrameBudget): void {
    if (this.#shared) return;
    budget.add(this.#bytesInUse);
    this.#shared = budget;
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
    const shared = this.#shared;
    if (shared ? !shared.tryReserve(byteLength) : this.#bytesInUse + byteLength > this.#budget) {
      this.#exhausted++;
      return undefined;
    }
    const capacity = heapSizeClass(byteLength);
    let list = this.#recentList;
    if (capacity !== this.#recentClass) {
      // The free lists are kept least recently used first: move this class to the end.
      list = this.#free.get(capacity) ?? [];
      this.#recentClass = capacity;
      this.#recentList = list;
      this.#free.delete(capacity);
      this.#free.set(capacity, list);
    }
    let memory = list.pop();
    if (memory !== undefined) {
      this.#idleBytes -= capacity;
      memory.resize(byteLength);
    } else {
      memory = new HeapMemory(byteLength, capacity, this);
    }
    this.#inUse++;
    this.#bytesInUse += byteLength;
    this.#capacityInUse += capacity;
    if (this.#capacityInUse > this.#peakCapacity) this.#peakCapacity = this.#capacityInUse;
    this.#allocated++;
    return memory;
  }

  /**
   * Like {@linkcode HeapMemorySource.allocate}, for a source: only while a quarter of the budget
   * stays free (or nothing is in use), so that the frames a source queues can never take the
   * memory the transforms downstream need to finish them.
   *
   * @param byteLength The payload size.
   * @returns The memory, or `undefined` (back-pressure: try again once memory is freed).
   * @throws {FrameTooLargeError} As `allocate()`.
   */
  allocateSpare(byteLength: number): FrameMemory | undefined {
    const limit = this.#spareLimit;
    const used = this.#shared?.bytesInUse ?? this.#bytesInUse;
    if (used > 0 && used + byteLength > limit) {
      if (byteLength > this.#maxFrame) throw new FrameTooLargeError(byteLength, this.#maxFrame);
      this.#exhausted++;
      return undefined;
    }
    return this.allocate(byteLength);
  }

  /** Takes freed memory back (from `FrameMemory.free()`). */
  recycle(memory: FrameMemory): void {
    this.#inUse--;
    this.#bytesInUse -= memory.byteLength;
    this.#shared?.release(memory.byteLength);
    // Keep idle memory for reuse up to the most ever in use (at least the floor), counted in
    // capacities like the idle memory itself, so everything in use at the peak fits back on the
    // free lists; beyond that, idle memory of the sizes used least recently goes to the GC first
    // (a stream that changed size keeps recycling), then this payload itself.
    const { capacity } = memory as HeapMemory;
    this.#capacityInUse -= capacity;
    const keep = Math.max(IDLE_FLOOR_BYTES, this.#peakCapacity);
    if (this.#idleBytes + capacity > keep) this.#evictOtherThan(capacity, keep - capacity);
    if (this.#idleBytes + capacity <= keep) {
      let list = capacity === this.#recentClass ? this.#recentList : this.#free.get(capacity);
      if (list === undefined) this.#free.set(capacity, list = []);
      list.push(memory as HeapMemory);
      this.#idleBytes += capacity;
    }
    this.#wakeWaiters();
  }

  #wakeWaiters(): void {
    if (this.#poll !== undefined) {
      clearTimeout(this.#poll);
      this.#poll = undefined;
    }
    if (this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  /** Drops idle memory of classes other than `capacity`, least recently used first, to `target`. */
  #evictOtherThan(capacity: number, target: number): void {
    for (const [size, list] of this.#free) {
      if (size === capacity) continue;
      while (list.length > 0 && this.#idleBytes > target) {
        list.pop();
        this.#idleBytes -= size;
      }
      if (list.length === 0) {
        this.#free.delete(size);
        if (size === this.#recentClass) this.#recentClass = -1; // its list is gone
      }
      if (this.#idleBytes <= target) return;
    }
  }

  onFree(callback: () => void): void {
    this.#waiters.push(callback);
    // Memory other isolates hold is freed there, where no callback of ours runs: look again
    // shortly (only while some of the shared budget is held elsewhere).
    const shared = this.#shared;
    if (shared && this.#poll === undefined && shared.bytesInUse > this.#bytesInUse) {
      this.#armPoll();
    }
  }

  #armPoll(): void {
    const poll = this.#poll = setTimeout(this.#polled, SHARED_POLL_MS);
    Deno.unrefTimer(poll as unknown as number);
  }

  #polled = (): void => {
    this.#poll = undefined;
    const shared = this.#shared!;
    if (shared.bytesInUse < shared.budgetBytes) this.#wakeWaiters();
    else if (this.#waiters.length > 0) {
      this.#armPoll();
    }
  };

  stats(): FrameMemoryStats {
    return {
      inUse: this.#inUse,
      bytesInUse: this.#bytesInUse,
      budgetBytes: this.#budget,
      ...(this.#shared && { sharedBytesInUse: this.#shared.bytesInUse }),
      exhausted: this.#exhausted,
      allocated: this.#allocated,
      idleBytes: this.#idleBytes,
    };
  }
}
