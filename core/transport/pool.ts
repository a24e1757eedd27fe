/**
 * The contract of a frame pool: reference-counted slots of memory for frame payloads, handed
 * out by slot handle and seen as zero-copy views.
 *
 * `core/` declares it; the native pool in `ffi/` implements it.
 *
 * @module
 */

/**
 * Counters of one frame pool.
 */
export interface FramePoolStats {
  /** Usable bytes per slot. */
  slotBytes: number;
  /** Distance between slot starts (slot bytes rounded up to 64). */
  slotStride: number;
  /** Number of slots. */
  slotCount: number;
  /** Slots currently acquired. */
  inUse: number;
  /** Successful acquisitions since creation. */
  acquiredTotal: number;
  /** Acquisitions refused because every slot was in use. */
  exhaustedTotal: number;
}

/**
 * A pool of frame payload slots.
 *
 * `tryAcquire` is the hot path: it returns `undefined` when the pool is exhausted rather than
 * throwing, and never blocks.
 */
export interface FramePoolContract extends Disposable {
  /** Usable bytes per slot. */
  readonly slotBytes: number;
  /** Number of slots. */
  readonly slotCount: number;
  /** Acquires a free slot (reference count 1), or `undefined` when all are in use. */
  tryAcquire(): number | undefined;
  /** Adds a reference to `slot`; returns the new count. */
  retain(slot: number): number;
  /**
   * Adds a reference to `slot` if it is live; returns the new count, or 0 (nothing taken) when
   * it is free, stale or a handle of another pool. One call where `refCount` then `retain` are two.
   */
  tryRetain(slot: number): number;
  /** Drops a reference to `slot`; returns the remaining count (0: back in the pool). */
  release(slot: number): number;
  /** The references `slot` has now; 0 when it is free, stale or a handle of another pool. */
  refCount(slot: number): number;
  /** A zero-copy byte view of `slot`. */
  bytes(slot: number): Uint8Array<ArrayBuffer>;
  /** A zero-copy `Float32Array` view of `slot` (audio). */
  floats(slot: number): Float32Array<ArrayBuffer>;
  /** The pool's counters. */
  stats(): FramePoolStats;
  /** Frees this handle to the pool; idempotent. */
  close(): void;
}
