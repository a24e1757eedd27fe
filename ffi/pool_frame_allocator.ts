/**
 * A {@linkcode FrameAllocator} over the native frame pool: output frames that cross isolates by
 * handle.
 *
 * @module
 */

import {
  checkVideoGeometry,
  type FrameAllocator,
  packedStride,
  type WritableVideoFrame,
} from "../core/frame_allocator.ts";
import { NO_SLOT } from "../core/frame_message.ts";
import { READER_KEEPS } from "../core/rotating_pool.ts";
import type { FramePoolContract } from "../core/pool_contract.ts";
import { type PixelFormat, videoFrameByteLength } from "../core/video_frame.ts";
import { FrameTooLargeError } from "./frame_codec_errors.ts";
import { FRAME_HEADER_BYTES } from "./frame_format.ts";

type PoolVideoFrame = { -readonly [K in keyof WritableVideoFrame]: WritableVideoFrame[K] };

const SLOT_INDEX_MASK = 0xffff;

/**
 * Options of a {@linkcode PoolFrameAllocator}.
 *
 * @example Keep only the newest frame valid
 * ```ts
 * import { FramePool, PoolFrameAllocator, videoSlotBytes } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 8, 8), slotCount: 4 });
 * using allocator = new PoolFrameAllocator(pool, { hold: 1 });
 * allocator.allocateVideo("RGBA", 8, 8);
 * allocator.allocateVideo("RGBA", 8, 8); // ends the first frame: its slot is free again
 * console.log(allocator.hold, pool.stats().inUse); // 1 1
 * ```
 */
export interface PoolFrameAllocatorOptions {
  /** How many frames stay valid (see {@linkcode FrameAllocator}); at least 1, default 2. */
  hold?: number;
}

/**
 * Allocates output video frames in frame-pool slots: `data` is a zero-copy view of the slot after
 * its 64-byte header and `slot` names it, so writing the frame to a native connection of the same
 * pool object sends only a 32-byte message.
 *
 * Each frame starts with one slot reference, the allocator's, dropped when the frame leaves the
 * window of the last `hold` frames (or on `close()`); each native connection it is written to
 * takes its own reference, which that connection's reader drops. So a frame written to no
 * connection returns to the pool when it leaves the window, and one written to one or two
 * connections when the window and each reader are done with it. Frame objects are kept per slot
 * and reused, so a steady stream allocates nothing.
 *
 * @example Allocate a frame and write it zero-copy
 * ```ts
 * import { createNativeConnection, FramePool, PoolFrameAllocator, videoSlotBytes } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 64, 64), slotCount: 4 });
 * using allocator = new PoolFrameAllocator(pool);
 * const [writer, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const frame = allocator.allocateVideo("RGBA", 64, 64)!;
 * frame.data.fill(7);
 * writer.push(frame);
 * console.log(writer.stats().zeroCopyWrites, reader.pop()?.kind); // 1 video
 * writer.close();
 * reader.close();
 * ```
 */
export class PoolFrameAllocator implements FrameAllocator {
  /** The pool the frames live in. */
  readonly pool: FramePoolContract;
  readonly #window: number[];
  readonly #frames: (PoolVideoFrame | undefined)[];
  #hold: number;
  #next = 0;
  #checked: PixelFormat | undefined;
  #checkedWidth = 0;
  #checkedHeight = 0;

  /**
   * Makes an allocator with an empty window.
   *
   * @param pool The pool; write the frames to connections created with this same object.
   * @param options `hold`.
   * @throws {RangeError} When `hold` is not a positive integer.
   */
  constructor(pool: FramePoolContract, options: PoolFrameAllocatorOptions = {}) {
    const hold = options.hold ?? 2;
    if (!Number.isInteger(hold) || hold < 1) {
      throw new RangeError(
        `Cannot create a frame allocator: hold must be a positive integer, got ${hold}`,
      );
    }
    this.#hold = hold;
    this.pool = pool;
    this.#window = new Array(hold).fill(NO_SLOT);
    this.#frames = new Array(pool.slotCount).fill(undefined);
  }

  /** How many frames stay valid. */
  get hold(): number {
    return this.#hold;
  }

  /**
   * Grows `hold` to at least `capacity + READER_KEEPS + 1`, keeping more of the pool's slots in
   * the window (an allocation then fails sooner when the pool is small).
   *
   * @param capacity The output's `capacity`.
   */
  fit(capacity: number): void {
    const needed = capacity + READER_KEEPS + 1;
    while (this.#hold < needed) this.#window[this.#hold++] = NO_SLOT;
  }

  /**
   * Ends the lifetime of the frame `hold` allocations back, then takes a free slot. Never blocks.
   *
   * @param format The pixel layout.
   * @param width Width in pixels.
   * @param height Height in pixels.
   * @returns The frame, or `undefined` when every slot is in use.
   * @throws {RangeError} When the format is unknown or a dimension is not a positive integer.
   * @throws {FrameTooLargeError} When such a frame does not fit the pool's slots.
   */
  allocateVideo(
    format: PixelFormat,
    width: number,
    height: number,
  ): WritableVideoFrame | undefined {
    if (
      format !== this.#checked || width !== this.#checkedWidth || height !== this.#checkedHeight
    ) {
      this.#check(format, width, height);
    }
    const i = this.#next;
    this.#next = i + 1 >= this.#hold ? 0 : i + 1;
    const expired = this.#window[i];
    if (expired !== NO_SLOT) {
      this.#window[i] = NO_SLOT;
      this.pool.release(expired);
    }
    const slot = this.pool.tryAcquire();
    if (slot === undefined) return undefined;
    this.#window[i] = slot;
    const index = slot & SLOT_INDEX_MASK;
    const old = this.#frames[index];
    if (old && old.format === format && old.width === width && old.height === height) {
      old.slot = slot;
      old.timestampNs = 0;
      old.frameNumber = 0;
      return old;
    }
    const n = videoFrameByteLength(format, width, height);
    const frame: PoolVideoFrame = {
      kind: "video",
      format,
      width,
      height,
      stride: packedStride(format, width),
      timestampNs: 0,
      frameNumber: 0,
      data: this.pool.bytes(slot).subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + n),
      slot,
    };
    this.#frames[index] = frame;
    return frame;
  }

  /** Drops the allocator's reference to every frame in the window. Idempotent. */
  close(): void {
    for (let i = 0; i < this.#hold; i++) {
      const slot = this.#window[i];
      if (slot === NO_SLOT) continue;
      this.#window[i] = NO_SLOT;
      this.pool.release(slot);
    }
  }

  /** Same as {@linkcode PoolFrameAllocator.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #check(format: PixelFormat, width: number, height: number): void {
    checkVideoGeometry(format, width, height);
    const n = videoFrameByteLength(format, width, height);
    if (n + FRAME_HEADER_BYTES > this.pool.slotBytes) {
      throw new FrameTooLargeError("video", n, this.pool.slotBytes);
    }
    this.#checked = format;
    this.#checkedWidth = width;
    this.#checkedHeight = height;
  }
}
