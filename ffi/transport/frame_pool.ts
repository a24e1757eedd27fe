/**
 * The native frame pool: reference-counted payload slots seen from JS as zero-copy views, in any
 * isolate of the process.
 *
 * @module
 */

import type { FramePoolContract, FramePoolStats } from "../../core/transport/pool.ts";
import {
  InvalidArgumentError,
  InvalidHandleError,
  lastNativeError,
  statusError,
} from "../native/errors.ts";
import { libraryPath, loadNativeLibrary } from "../native/load.ts";
import { NativeHandle } from "../native/handle.ts";
import { SL_ERR_POOL_EXHAUSTED } from "../native/status.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * Largest slot, in bytes (256 MiB).
 */
export const MAX_SLOT_BYTES = 268_435_456;
/**
 * Largest number of slots in one pool.
 *
 * @example Ask for one slot too many
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, InvalidArgumentError } from "@streamlib/streamlib/ffi";
 * import { MAX_SLOT_COUNT } from "./frame_pool.ts";
 *
 * try {
 *   FramePool.create({ slotBytes: 64, slotCount: MAX_SLOT_COUNT + 1 });
 * } catch (error) {
 *   if (!(error instanceof InvalidArgumentError)) throw error;
 *   assert.equal(error.valid, "an integer from 1 to 65536");
 * }
 * ```
 */
export const MAX_SLOT_COUNT = 65_536;
/**
 * Largest pool, in bytes (64 GiB).
 *
 * @example How many 4K frames one pool can hold
 * ```ts
 * import assert from "node:assert/strict";
 * import { videoSlotBytes } from "@streamlib/streamlib/ffi";
 * import { MAX_POOL_BYTES } from "./frame_pool.ts";
 *
 * assert.equal(Math.floor(MAX_POOL_BYTES / videoSlotBytes("RGBA", 3840, 2160)), 2071);
 * ```
 */
export const MAX_POOL_BYTES = 64 * 1024 ** 3;

const SLOT_INDEX_MASK = 0xffff;

/**
 * Options for {@linkcode FramePool.create}.
 */
export interface FramePoolOptions {
  /** Usable bytes per slot, 1 to 268,435,456 (3840x2160 RGBA is 33,177,600). */
  slotBytes: number;
  /** Number of slots, 1 to 65,536. */
  slotCount: number;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

/**
 * A pool in a form that can be posted to a Worker, where {@linkcode FramePool.attach} opens it.
 *
 * @example Share a pool and attach it
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { type SharedFramePool } from "./frame_pool.ts";
 *
 * using pool = FramePool.create({ slotBytes: 64, slotCount: 2 });
 * const shared: SharedFramePool = structuredClone(pool.share()); // as posted to a Worker
 * using attached = FramePool.attach(shared); // what the Worker does with it
 * const slot = pool.acquire();
 * pool.bytes(slot)[0] = 9;
 * assert.equal(attached.bytes(slot)[0], 9); // the same memory
 * pool.release(slot);
 * ```
 */
export interface SharedFramePool {
  /** A live pool handle in the sharing isolate. */
  handle: number;
  /** The library file that issued it. */
  libraryPath: string;
}

/** Views handed out by one pool handle, by slot index (shared by the pool and its finalizer). */
interface ViewCache {
  bytes: (Uint8Array<ArrayBuffer> | undefined)[];
  floats: (Float32Array<ArrayBuffer> | undefined)[];
  /** The whole-slab view of {@linkcode framePoolSlabViews}, once made (its `u32`). */
  slab: (Uint32Array<ArrayBuffer> | undefined)[];
}

/**
 * Detaches every view's buffer (it becomes length 0 and writes to it are no-ops) and empties the
 * cache, so that no view outlives the native memory it points at.
 */
function detachViews(views: ViewCache): void {
  for (const list of [views.bytes, views.floats, views.slab]) {
    for (const view of list) {
      if (view !== undefined && !view.buffer.detached) view.buffer.transfer(0);
    }
    list.fill(undefined);
  }
}

let slabBase: (pool: FramePool) => Deno.PointerObject;
let slabViews: (pool: FramePool) => FramePoolSlabViews | undefined;

/** Largest slab {@linkcode framePoolSlabViews} views whole (larger pools get none). */
const MAX_SLAB_VIEW_BYTES = 2 ** 32;

/**
 * One `u32` and one `f64` view over a pool's whole slab (see {@linkcode framePoolSlabViews}).
 */
export interface FramePoolSlabViews {
  /** The slab as `u32`s; slot `i` starts at `i * stride / 4`. */
  readonly u32: Uint32Array<ArrayBuffer>;
  /** The slab as `f64`s (same memory); slot `i` starts at `i * stride / 8`. */
  readonly f64: Float64Array<ArrayBuffer>;
  /** Bytes from one slot's start to the next's, a multiple of 8. */
  readonly stride: number;
}

/**
 * A pool of frame payload slots in native memory.
 *
 * Slots are acquired by handle, viewed without copying through {@linkcode FramePool.bytes} /
 * {@linkcode FramePool.floats}, passed through rings by handle, and released when the last holder
 * is done. Each isolate opens the pool with its own handle ({@linkcode FramePool.attach}); the
 * memory lives until every handle is closed.
 *
 * @example Write into a slot and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 4096, slotCount: 4 });
 * const slot = pool.acquire();
 * pool.bytes(slot)[0] = 42;
 * assert.equal(pool.bytes(slot)[0], 42);
 * pool.release(slot);
 * ```
 */
export class FramePool extends NativeHandle implements FramePoolContract {
  /** Usable bytes per slot. */
  readonly slotBytes: number;
  /** Number of slots. */
  readonly slotCount: number;
  readonly #stride: number;
  readonly #base: Deno.PointerObject;
  readonly #views: ViewCache;
  readonly #bytes: (Uint8Array<ArrayBuffer> | undefined)[];
  readonly #floats: (Float32Array<ArrayBuffer> | undefined)[];
  readonly #stats = new Float64Array(6);
  /** The whole-slab views: `undefined` until asked for, `null` when the slab cannot have them. */
  #slab: FramePoolSlabViews | null | undefined;

  static {
    slabBase = (pool) => {
      pool.checkOpen("read a frame pool's slab address");
      return pool.#base;
    };
    slabViews = (pool) => {
      pool.checkOpen("view a frame pool's slab");
      if (pool.#slab === undefined) pool.#slab = pool.#makeSlabViews();
      return pool.#slab ?? undefined;
    };
  }

  private constructor(lib: NativeLibrary, handle: number) {
    const views: ViewCache = { bytes: [], floats: [], slab: [] };
    super(lib, handle, (lib, handle) => {
      // A view can outlive its pool object: detach it before its memory may go.
      detachViews(views);
      lib.symbols.sl_pool_free(handle);
    });
    this.#views = views;
    const stats = this.stats();
    this.slotBytes = stats.slotBytes;
    this.slotCount = stats.slotCount;
    this.#stride = stats.slotStride;
    const base = lib.symbols.sl_pool_base(handle);
    if (base === null) throw statusError(lib, -2, "open a frame pool");
    this.#base = base;
    this.#bytes = views.bytes = new Array(this.slotCount).fill(undefined);
    this.#floats = views.floats = new Array(this.slotCount).fill(undefined);
  }

  /**
   * Allocates a pool. All memory is reserved now; acquiring and releasing never allocate.
   *
   * @param options Slot size and count.
   * @returns The pool, owned by this isolate.
   * @throws {InvalidArgumentError} When a size or count is out of range.
   */
  static create(options: FramePoolOptions): FramePool {
    const { slotBytes, slotCount } = options;
    const operation = "create a frame pool";
    if (!Number.isInteger(slotBytes) || slotBytes < 1 || slotBytes > MAX_SLOT_BYTES) {
      throw new InvalidArgumentError(
        operation,
        "slotBytes",
        slotBytes,
        `an integer from 1 to ${MAX_SLOT_BYTES}`,
      );
    }
    if (!Number.isInteger(slotCount) || slotCount < 1 || slotCount > MAX_SLOT_COUNT) {
      throw new InvalidArgumentError(
        operation,
        "slotCount",
        slotCount,
        `an integer from 1 to ${MAX_SLOT_COUNT}`,
      );
    }
    if (slotBytes * slotCount > MAX_POOL_BYTES) {
      throw new InvalidArgumentError(
        operation,
        "slotBytes * slotCount",
        slotBytes * slotCount,
        `at most ${MAX_POOL_BYTES} bytes (64 GiB)`,
      );
    }
    const lib = options.library ?? loadNativeLibrary();
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_pool_create(slotBytes, slotCount, out);
    if (r < 0) throw statusError(lib, r, operation);
    return new FramePool(lib, out[0]);
  }

  /**
   * Opens, in this isolate, a pool shared by another one.
   *
   * @param shared What {@linkcode FramePool.share} returned there.
   * @returns A new handle to the same memory.
   */
  static attach(shared: SharedFramePool): FramePool {
    if (!Number.isInteger(shared?.handle) || typeof shared?.libraryPath !== "string") {
      throw new TypeError(
        `Cannot attach a frame pool: expected the result of FramePool.share(), got ${
          JSON.stringify(shared)
        }`,
      );
    }
    const lib = loadNativeLibrary({ path: shared.libraryPath });
    const out = new Uint32Array(1);
    const r = lib.symbols.sl_pool_attach(shared.handle, out);
    if (r < 0) throw statusError(lib, r, "attach a frame pool");
    return new FramePool(lib, out[0]);
  }

  /**
   * Describes this pool for {@linkcode FramePool.attach} in another isolate.
   *
   * @returns A plain object to post to the Worker.
   */
  share(): SharedFramePool {
    this.checkOpen("share a frame pool");
    return { handle: this.nativeHandle, libraryPath: libraryPath(this.lib) };
  }

  /**
   * Acquires a free slot with reference count 1. Never blocks.
   *
   * @returns The slot handle, or `undefined` when every slot is in use.
   */
  tryAcquire(): number | undefined {
    const r = this.symbols.sl_pool_acquire(this.nativeHandle);
    if (r >= 0) return r;
    if (r === SL_ERR_POOL_EXHAUSTED) return undefined;
    return this.fail(r, "acquire a frame pool slot");
  }

  /**
   * Acquires a free slot with reference count 1, but only while more than `reserve` slots would
   * stay free: for frames that can live elsewhere (a source's, in JavaScript memory), so the
   * last slots stay for copies that cannot (a frame crossing an isolate). Never blocks.
   *
   * @param reserve Slots to leave free (a snapshot: kept approximately under concurrency).
   * @returns The slot handle, or `undefined` when `reserve` or fewer slots are free.
   */
  tryAcquireKeeping(reserve: number): number | undefined {
    const r = this.symbols.sl_pool_acquire_keeping(this.nativeHandle, reserve);
    if (r >= 0) return r;
    if (r === SL_ERR_POOL_EXHAUSTED) return undefined;
    return this.fail(r, "acquire a frame pool slot");
  }

  /**
   * Acquires a free slot with reference count 1.
   *
   * @returns The slot handle.
   * @throws {PoolExhaustedError} When every slot is in use.
   */
  acquire(): number {
    const r = this.symbols.sl_pool_acquire(this.nativeHandle);
    return r >= 0 ? r : this.fail(r, "acquire a frame pool slot");
  }

  /**
   * Adds a reference to `slot` (for example before fanning a frame out to two connections).
   *
   * @param slot A live slot handle.
   * @returns The new reference count.
   * @throws {InvalidHandleError} When the slot is free or stale.
   */
  retain(slot: number): number {
    const r = this.symbols.sl_pool_retain(this.nativeHandle, slot);
    return r >= 0 ? r : this.fail(r, `retain frame pool slot ${slot}`);
  }

  /**
   * Adds a reference to `slot` if it is live (one numeric native call, where `refCount()` then
   * `retain()` are two): for a frame whose `slot` may name a slot of another pool, or one released
   * since.
   *
   * @param slot A slot handle.
   * @returns The new reference count, or 0 when the slot is free, stale or out of range (no
   * reference taken).
   * @throws {InvalidHandleError} When the pool is closed.
   *
   * @example Retain a live slot, not a released one
   * ```ts
   * import assert from "node:assert/strict";
   * import { FramePool } from "@streamlib/streamlib/ffi";
   *
   * using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
   * const slot = pool.acquire();
   * assert.equal(pool.tryRetain(slot), 2);
   * pool.release(slot);
   * pool.release(slot);
   * assert.equal(pool.tryRetain(slot), 0);
   * ```
   */
  tryRetain(slot: number): number {
    const r = this.symbols.sl_pool_retain(this.nativeHandle, slot);
    if (r > 0) return r;
    this.checkOpen(`retain frame pool slot ${slot}`);
    return 0;
  }

  /**
   * Drops a reference to `slot`; at 0 it returns to the pool.
   *
   * @param slot A live slot handle.
   * @returns The remaining reference count.
   * @throws {InvalidHandleError} When the slot is already free or stale.
   */
  release(slot: number): number {
    const r = this.symbols.sl_pool_release(this.nativeHandle, slot);
    return r >= 0 ? r : this.fail(r, `release frame pool slot ${slot}`);
  }

  /**
   * A zero-copy view of a slot's bytes. Views are cached per slot index; their contents belong to
   * whoever holds a reference to the slot. When this pool handle closes (or is collected), every
   * view it handed out is detached: its length becomes 0 and writes to it do nothing.
   *
   * @param slot A live slot handle: acquired (here or in another isolate) and not yet released
   *   to 0.
   * @returns `slotBytes` bytes of native memory.
   * @throws {InvalidHandleError} When the pool is closed, or the slot is free, stale or out of
   *   range.
   */
  bytes(slot: number): Uint8Array<ArrayBuffer> {
    this.#checkLive(slot, "view frame pool slot");
    const index = slot & SLOT_INDEX_MASK;
    return this.#bytes[index] ?? this.#makeBytes(index);
  }

  /**
   * A zero-copy `Float32Array` view of a slot (audio samples), over the same memory as
   * {@linkcode FramePool.bytes} and detached with it.
   *
   * @param slot A live slot handle.
   * @returns `floor(slotBytes / 4)` floats of native memory.
   * @throws {InvalidHandleError} When the pool is closed, or the slot is free, stale or out of
   *   range.
   */
  floats(slot: number): Float32Array<ArrayBuffer> {
    this.#checkLive(slot, "view frame pool slot");
    const index = slot & SLOT_INDEX_MASK;
    return this.#floats[index] ??
      (this.#floats[index] = new Float32Array(
        (this.#bytes[index] ?? this.#makeBytes(index)).buffer,
        0,
        Math.floor(this.slotBytes / 4),
      ));
  }

  /**
   * The pool's counters.
   *
   * @returns A fresh snapshot.
   */
  stats(): FramePoolStats {
    const s = this.#stats;
    const r = this.symbols.sl_pool_stats(this.nativeHandle, s);
    if (r < 0) this.fail(r, "read frame pool stats");
    return {
      slotBytes: s[0],
      slotStride: s[1],
      slotCount: s[2],
      inUse: s[3],
      acquiredTotal: s[4],
      exhaustedTotal: s[5],
    };
  }

  /**
   * Closes this isolate's handle. Idempotent. Every view this handle handed out is detached first
   * (length 0, writes do nothing), so none can reach the memory after it may be freed.
   */
  override close(): void {
    super.close();
  }

  /**
   * Detaches every view, then frees the handle `close()` detached.
   *
   * @param handle The handle.
   * @throws {NativeError} When the library refuses it.
   */
  protected override free(handle: number): void {
    detachViews(this.#views);
    const r = this.symbols.sl_pool_free(handle);
    if (r < 0) throw statusError(this.lib, r, "close a frame pool");
  }

  /**
   * The references `slot` has now, across every isolate (0 when free, stale or the pool is
   * closed). One numeric native call.
   *
   * @param slot A slot handle.
   * @returns The count.
   */
  refCount(slot: number): number {
    const r = this.symbols.sl_pool_refcount(this.nativeHandle, slot);
    return r > 0 ? r : 0;
  }

  #checkLive(slot: number, operation: string): void {
    const r = this.symbols.sl_pool_refcount(this.nativeHandle, slot);
    if (r > 0) return;
    this.checkOpen(operation);
    throw new InvalidHandleError(
      `${operation} ${slot}`,
      `${lastNativeError(this.lib)}; valid: a handle from acquire() or tryAcquire() (in any ` +
        `isolate) of a slot not yet released to 0, with an index below ${this.slotCount}`,
    );
  }

  #makeBytes(index: number): Uint8Array<ArrayBuffer> {
    const pointer = Deno.UnsafePointer.offset(this.#base, index * this.#stride);
    // SAFETY: the slot lies inside the slab, which lives while this handle is open.
    const view = new Uint8Array(
      Deno.UnsafePointerView.getArrayBuffer(pointer as Deno.PointerObject, this.slotBytes),
    );
    this.#bytes[index] = view;
    return view;
  }

  #makeSlabViews(): FramePoolSlabViews | null {
    const bytes = this.#stride * this.slotCount;
    if (this.#stride % 8 !== 0 || bytes > MAX_SLAB_VIEW_BYTES) return null;
    // SAFETY: the slab spans slotCount strides from its base and lives while this handle is open;
    // close() detaches this buffer (with the per-slot views) before the handle is freed.
    const buffer = Deno.UnsafePointerView.getArrayBuffer(this.#base, bytes);
    const u32 = new Uint32Array(buffer);
    this.#views.slab.push(u32);
    return { u32, f64: new Float64Array(buffer), stride: this.#stride };
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this frame pool is closed";
  }
}

/**
 * Where a pool's slab starts (internal: {@linkcode poolSlabAddress} is the public form).
 *
 * @param pool An open pool.
 * @returns The slab's first byte.
 * @throws {InvalidHandleError} When the pool is closed.
 *
 * @example Two handles of one pool share a slab
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, framePoolSlabBase } from "./frame_pool.ts";
 *
 * using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
 * using other = FramePool.attach(pool.share());
 * const address = (p: FramePool) => Deno.UnsafePointer.value(framePoolSlabBase(p));
 * assert.ok(address(pool) === address(other));
 * ```
 */
export function framePoolSlabBase(pool: FramePool): Deno.PointerObject {
  return slabBase(pool);
}

/**
 * One `u32` and one `f64` view over the whole slab of `pool`, made once per pool handle and
 * detached with its other views when it closes: what the frame codec reads and writes slot
 * headers through, with one multiply per slot instead of a view object per slot (cold in cache
 * when frames cycle through thousands of slots). The caller must only touch slots it holds a
 * reference to.
 *
 * @param pool An open pool.
 * @returns The views, or `undefined` for a slab over 4 GiB (the codec then views slot by slot).
 * @throws {InvalidHandleError} When the pool is closed.
 *
 * @example Slot 1's first byte through the slab views
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, framePoolSlabViews } from "./frame_pool.ts";
 *
 * using pool = FramePool.create({ slotBytes: 64, slotCount: 2 });
 * const first = pool.acquire();
 * const second = pool.acquire();
 * pool.bytes(second)[0] = 7;
 * const slab = framePoolSlabViews(pool)!;
 * assert.equal(slab.u32[(second & 0xffff) * slab.stride / 4] & 0xff, 7);
 * pool.release(first);
 * pool.release(second);
 * ```
 */
export function framePoolSlabViews(pool: FramePool): FramePoolSlabViews | undefined {
  return slabViews(pool);
}
