/**
 * {@linkcode SlotMemorySource}: frame payloads in native frame-pool slots, so frames cross isolates
 * and reach native code by reference.
 *
 * @module
 */

import { FrameTooLargeError } from "../../core/frames/memory.ts";
import type { FrameMemory, FrameMemorySource, FrameMemoryStats } from "../../core/frames/memory.ts";
import { FRAME_HEADER_BYTES } from "./frame_format.ts";
import type { FramePool } from "./frame_pool.ts";

const SLOT_INDEX_MASK = 0xffff;
const PAYLOAD_FLOAT_OFFSET = FRAME_HEADER_BYTES / 4;

/** One slot's payload: the bytes after the slot's 64-byte header, viewed zero-copy. */
class SlotMemory implements FrameMemory {
  slot: number;
  bytes: Uint8Array<ArrayBuffer>;
  floats: Float32Array<ArrayBuffer>;
  byteLength: number;
  readonly #source: SlotMemorySource;

  constructor(source: SlotMemorySource, slot: number, byteLength: number) {
    this.#source = source;
    this.slot = slot;
    this.byteLength = byteLength;
    const pool = source.pool;
    this.bytes = pool.bytes(slot).subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + byteLength);
    this.floats = pool.floats(slot).subarray(
      PAYLOAD_FLOAT_OFFSET,
      PAYLOAD_FLOAT_OFFSET + (byteLength >>> 2),
    );
  }

  isUnique(): boolean {
    // This isolate's frame holds one reference; any more belong to queued messages, other
    // isolates or native code, which may be reading the payload.
    return this.#source.pool.refCount(this.slot) === 1;
  }

  free(): void {
    this.#source.recycle(this);
  }
}

/**
 * Frame memory over a native {@linkcode FramePool}: each payload is one slot (its 64-byte header
 * is the transport's). Its budget is the pool's slot count; a payload larger than a slot is a
 * set-up error ({@linkcode FrameTooLargeError}). Memory objects and their views are kept per slot
 * and reused while the payload size stays the same, so a steady stream allocates nothing but the
 * small frame objects.
 *
 * @example Frames in native memory
 * ```ts
 * import assert from "node:assert/strict";
 * import { NodeFrames } from "../../core/frames/node_frames.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { SlotMemorySource } from "./slot_memory.ts";
 *
 * using pool = FramePool.create({ slotBytes: 64 + 4096, slotCount: 2 });
 * const frames = new NodeFrames("tone", new SlotMemorySource(pool));
 * const block = frames.audio({ channels: 2, sampleRate: 48000, frameCount: 480 })!;
 * assert.equal(pool.refCount(block.slot!), 1);
 * frames.flush();
 * assert.equal(pool.stats().inUse, 0);
 * ```
 */
export class SlotMemorySource implements FrameMemorySource {
  readonly shared = true;
  /** The pool the slots come from. */
  readonly pool: FramePool;
  readonly #cache: (SlotMemory | undefined)[];
  readonly #holdings: Int32Array | undefined;
  readonly #payloadCapacity: number;
  /** Slots `allocateSpare` leaves free. */
  readonly #reserve: number;
  #inUse = 0;
  #bytesInUse = 0;
  #exhausted = 0;
  #allocated = 0;
  #waiters: (() => void)[] = [];

  /**
   * Frame memory over the slots of `pool`.
   *
   * @param pool The pool; it stays the caller's (this source never closes it).
   * @param options `holdings`: a shared ledger of `holdingsBytes(pool.slotCount)` bytes where this
   *   source records, per slot, how many references this isolate holds and the slot's handle, so
   *   that another isolate can give them back if this one dies ({@linkcode reclaimHoldings}).
   */
  constructor(pool: FramePool, options: { holdings?: SharedArrayBuffer } = {}) {
    this.pool = pool;
    if (options.holdings !== undefined) {
      if (options.holdings.byteLength < holdingsBytes(pool.slotCount)) {
        throw new RangeError(
          `Cannot track slot holdings: the ledger needs ${
            holdingsBytes(pool.slotCount)
          } bytes for ${pool.slotCount} slots, got ${options.holdings.byteLength}`,
        );
      }
      this.#holdings = new Int32Array(options.holdings);
    }
    this.#cache = new Array(pool.slotCount).fill(undefined);
    this.#payloadCapacity = pool.slotBytes - FRAME_HEADER_BYTES;
    this.#reserve = Math.max(1, Math.floor(pool.slotCount / 4));
  }

  /** The payload bytes one slot holds. */
  get maxFrameBytes(): number {
    return this.#payloadCapacity;
  }

  allocate(byteLength: number): FrameMemory | undefined {
    return this.#allocate(byteLength, 0);
  }

  /**
   * A slot only while more than a quarter of the pool (at least 1 slot) stays free: the slots a
   * source leaves are there for frames that must be copied into the pool to cross an isolate,
   * so a source filling queues with slot frames never starves the nodes downstream of it.
   */
  allocateSpare(byteLength: number): FrameMemory | undefined {
    return this.#allocate(byteLength, this.#reserve);
  }

  #allocate(byteLength: number, reserve: number): FrameMemory | undefined {
    if (byteLength > this.#payloadCapacity) {
      throw new FrameTooLargeError(byteLength, this.#payloadCapacity);
    }
    const slot = reserve === 0 ? this.pool.tryAcquire() : this.pool.tryAcquireKeeping(reserve);
    if (slot === undefined) {
      this.#exhausted++;
      return undefined;
    }
    this.#allocated++;
    return this.adopt(slot, byteLength);
  }

  /**
   * Wraps a slot reference this isolate already holds (a message popped from a native
   * connection) as frame memory; its `free()` releases that reference.
   *
   * @param slot The slot handle.
   * @param byteLength The payload's length.
   * @returns The memory.
   */
  adopt(slot: number, byteLength: number): FrameMemory {
    const index = slot & SLOT_INDEX_MASK;
    let memory = this.#cache[index];
    if (memory !== undefined && memory.byteLength === byteLength) {
      memory.slot = slot; // same views: the index and length did not change, the generation may have
    } else {
      memory = this.#cache[index] = new SlotMemory(this, slot, byteLength);
    }
    this.#inUse++;
    this.#bytesInUse += byteLength;
    const holdings = this.#holdings;
    if (holdings !== undefined) {
      // Plain writes: only another isolate reads the ledger, after this one died (its end is
      // what orders them), and an atomic read-modify-write per frame and hop was a full fence.
      holdings[2 * index + 1] = slot;
      holdings[2 * index]++;
    }
    return memory;
  }

  /** Takes freed memory back (from `FrameMemory.free()`). */
  recycle(memory: FrameMemory): void {
    this.#inUse--;
    this.#bytesInUse -= memory.byteLength;
    const slot = memory.slot!;
    if (this.#holdings !== undefined) this.#holdings[2 * (slot & SLOT_INDEX_MASK)]--;
    this.pool.release(slot);
    if (this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  onFree(callback: () => void): void {
    this.#waiters.push(callback);
    // Slots also come back when another isolate or native code releases them, which this
    // isolate does not hear of: look again every millisecond while someone waits.
    this.#poll ??= setTimeout(this.#check, 1);
  }

  #poll: ReturnType<typeof setTimeout> | undefined;

  #check = (): void => {
    this.#poll = undefined;
    if (this.#waiters.length === 0) return;
    const stats = this.pool.stats();
    if (stats.inUse < stats.slotCount) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter();
    } else {
      this.#poll = setTimeout(this.#check, 1);
    }
  };

  stats(): FrameMemoryStats {
    return {
      inUse: this.#inUse,
      bytesInUse: this.#bytesInUse,
      budgetBytes: this.pool.slotCount * this.#payloadCapacity,
      exhausted: this.#exhausted,
      allocated: this.#allocated,
    };
  }
}

/**
 * The size of a holdings ledger for a pool of `slotCount` slots (two 32-bit words per slot).
 *
 * @param slotCount The pool's slot count.
 * @returns Bytes.
 */
export function holdingsBytes(slotCount: number): number {
  return slotCount * 8;
}

/**
 * Gives back every slot reference a dead isolate held, as recorded in its holdings ledger (see
 * {@linkcode SlotMemorySource}), and clears the ledger.
 *
 * @param pool A handle of the same pool in a live isolate.
 * @param holdings The dead isolate's ledger.
 * @returns How many references were released.
 *
 * @example An isolate's frames come back when it is gone
 * ```ts
 * import assert from "node:assert/strict";
 * import { NodeFrames } from "../../core/frames/node_frames.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { holdingsBytes, reclaimHoldings, SlotMemorySource } from "./slot_memory.ts";
 *
 * using pool = FramePool.create({ slotBytes: 64 + 1024, slotCount: 4 });
 * const holdings = new SharedArrayBuffer(holdingsBytes(pool.slotCount));
 * const frames = new NodeFrames("lost", new SlotMemorySource(pool, { holdings }));
 * frames.keep(frames.video({ width: 8, height: 8, format: "RGBA" })!); // never released
 * frames.flush();
 * assert.equal(pool.stats().inUse, 1);
 * assert.equal(reclaimHoldings(pool, holdings), 1); // its isolate died
 * assert.equal(pool.stats().inUse, 0);
 * ```
 */
export function reclaimHoldings(pool: FramePool, holdings: SharedArrayBuffer): number {
  const words = new Int32Array(holdings);
  let released = 0;
  for (let i = 0; i + 1 < words.length; i += 2) {
    const count = Atomics.exchange(words, i, 0);
    const slot = Atomics.load(words, i + 1) >>> 0;
    for (let n = 0; n < count; n++) {
      if (pool.refCount(slot) === 0) break; // already free: nothing of ours is left in it
      pool.release(slot);
      released++;
    }
  }
  return released;
}
