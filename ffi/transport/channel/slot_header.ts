/**
 * Cached typed views of the 64-byte header at the start of each frame-pool slot.
 *
 * @module
 */

import type { Frame } from "../../../core/frames/frame.ts";
import type { FramePoolContract } from "../../../core/transport/pool.ts";
import { FRAME_HEADER_BYTES, FRAME_HEADER_MAGIC, HEADER } from "../frame_format.ts";
import { FramePool, framePoolSlabViews } from "../frame_pool.ts";

const SLOT_INDEX_MASK = 0xffff;

/**
 * Reads and writes slot headers (layout in {@linkcode HEADER}) without allocating: over a native
 * {@linkcode FramePool}, through one `u32` and one `f64` view of the whole slab (a slot's header is
 * one multiply away, with no view object per slot to miss in cache); over another pool contract,
 * through `u32`/`f64` views made once per slot index.
 *
 * @example Write a header and check it
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioFrame } from "@streamlib/streamlib";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { SlotHeaders } from "./slot_header.ts";
 *
 * using pool = FramePool.create({ slotBytes: 4096, slotCount: 1 });
 * const headers = new SlotHeaders(pool);
 * const slot = pool.acquire();
 * const block = createAudioFrame(1, 8000, 16);
 * headers.write(slot, block, 0x0200_0001);
 * assert.ok(headers.isValid(slot, 0x0200_0001));
 * assert.equal(headers.frameCount(slot), 16);
 * pool.release(slot);
 * ```
 */
export class SlotHeaders {
  /** The pool whose slots hold the headers. */
  readonly pool: FramePoolContract;
  /** The whole slab as `u32`s, or `undefined` when viewed slot by slot. */
  readonly #slab32: Uint32Array | undefined;
  readonly #slab64: Float64Array | undefined;
  /** A slot's stride in `u32`s (in `f64`s: half of it) over the slab views. */
  readonly #stride32: number;
  readonly #u32: (Uint32Array | undefined)[];
  readonly #f64: (Float64Array | undefined)[];

  /**
   * Makes the views (the slab's now, or an empty per-slot cache).
   *
   * @param pool The pool.
   */
  constructor(pool: FramePoolContract) {
    this.pool = pool;
    const slab = pool instanceof FramePool ? framePoolSlabViews(pool) : undefined;
    this.#slab32 = slab?.u32;
    this.#slab64 = slab?.f64;
    this.#stride32 = slab === undefined ? 0 : slab.stride / 4;
    this.#u32 = slab === undefined ? new Array(pool.slotCount).fill(undefined) : [];
    this.#f64 = slab === undefined ? new Array(pool.slotCount).fill(undefined) : [];
  }

  /**
   * Whether `slot` carries a header written for `tag`.
   *
   * @param slot A slot handle.
   * @param tag The format tag the message names.
   * @returns `true` when the magic and the tag match.
   */
  isValid(slot: number, tag: number): boolean {
    const u32 = this.#slab32 ?? this.#header32(slot);
    const o = this.#o32(slot);
    return u32[o + HEADER.U32_MAGIC] === FRAME_HEADER_MAGIC && u32[o + HEADER.U32_TAG] === tag;
  }

  /**
   * Whether the header of `slot` already describes `frame` under `tag` (so a zero-copy send need
   * not write it).
   *
   * @param slot A slot handle.
   * @param frame The frame.
   * @param tag Its format tag.
   * @returns `true` when every header field matches.
   */
  matches(slot: number, frame: Frame, tag: number): boolean {
    const u32 = this.#slab32 ?? this.#header32(slot);
    const f64 = this.#slab64 ?? this.#header64(slot);
    const o = this.#o32(slot);
    const o64 = o >>> 1;
    if (u32[o + HEADER.U32_MAGIC] !== FRAME_HEADER_MAGIC || u32[o + HEADER.U32_TAG] !== tag) {
      return false;
    }
    switch (frame.kind) {
      case "video":
        return f64[o64 + HEADER.F64_FRAME_NUMBER] === frame.frameNumber &&
          u32[o + HEADER.U32_WIDTH] === frame.width &&
          u32[o + HEADER.U32_HEIGHT] === frame.height &&
          u32[o + HEADER.U32_STRIDE] === frame.stride;
      case "encoded-video":
        return f64[o64 + HEADER.F64_FRAME_NUMBER] === frame.frameNumber;
      case "audio":
        return f64[o64 + HEADER.F64_FRAME_NUMBER] === frame.frameNumber &&
          u32[o + HEADER.U32_FRAME_COUNT] === frame.frameCount &&
          f64[o64 + HEADER.F64_SAMPLE_RATE] === frame.sampleRate;
      case "encoded-audio": {
        const extra = frame.extradata;
        if (
          f64[o64 + HEADER.F64_FRAME_NUMBER] !== frame.frameNumber ||
          u32[o + HEADER.U32_FRAME_COUNT] !== frame.frameCount ||
          f64[o64 + HEADER.F64_SAMPLE_RATE] !== frame.sampleRate ||
          u32[o + HEADER.U32_CHANNELS] !== frame.channels ||
          u32[o + HEADER.U32_EXTRADATA_BYTES] !== extra.length
        ) return false;
        const stored = this.#extradataView(u32, o, extra.length);
        for (let i = 0; i < extra.length; i++) if (stored[i] !== extra[i]) return false;
        return true;
      }
      default:
        return true;
    }
  }

  /**
   * Writes the header of `frame` into `slot`.
   *
   * @param slot A slot handle the caller holds a reference to and no one else reads.
   * @param frame The frame.
   * @param tag Its format tag.
   */
  write(slot: number, frame: Frame, tag: number): void {
    const u32 = this.#slab32 ?? this.#header32(slot);
    const f64 = this.#slab64 ?? this.#header64(slot);
    const o = this.#o32(slot);
    const o64 = o >>> 1;
    u32[o + HEADER.U32_MAGIC] = FRAME_HEADER_MAGIC;
    u32[o + HEADER.U32_TAG] = tag;
    f64[o64 + HEADER.F64_FRAME_NUMBER] = frame.kind === "data" ? 0 : frame.frameNumber;
    u32[o + HEADER.U32_WIDTH] = frame.kind === "video"
      ? frame.width
      : frame.kind === "audio"
      ? frame.frameCount
      : 0;
    u32[o + HEADER.U32_HEIGHT] = frame.kind === "video" ? frame.height : 0;
    u32[o + HEADER.U32_STRIDE] = frame.kind === "video" ? frame.stride : 0;
    u32[o + HEADER.U32_RESERVED] = 0;
    f64[o64 + HEADER.F64_SAMPLE_RATE] = frame.kind === "audio" ? frame.sampleRate : 0;
    if (frame.kind === "encoded-audio") {
      const extra = frame.extradata;
      u32[o + HEADER.U32_FRAME_COUNT] = frame.frameCount;
      u32[o + HEADER.U32_CHANNELS] = frame.channels;
      u32[o + HEADER.U32_EXTRADATA_BYTES] = extra.length;
      f64[o64 + HEADER.F64_SAMPLE_RATE] = frame.sampleRate;
      const stored = this.#extradataView(u32, o, FRAME_HEADER_BYTES - HEADER.BYTE_EXTRADATA);
      stored.fill(0);
      stored.set(extra);
    }
  }

  /** Encoded audio channels. */
  channels(slot: number): number {
    return this.#u32At(slot, HEADER.U32_CHANNELS);
  }

  /**
   * A copy of the encoded audio extradata of `slot` (the frame keeps it past the slot's reuse).
   *
   * @param slot A slot handle the caller holds a reference to.
   * @returns The bytes, or `undefined` when the header's length is out of range.
   */
  extradata(slot: number): Uint8Array | undefined {
    const n = this.#u32At(slot, HEADER.U32_EXTRADATA_BYTES);
    if (n > FRAME_HEADER_BYTES - HEADER.BYTE_EXTRADATA) return undefined;
    const u32 = this.#slab32 ?? this.#header32(slot);
    return this.#extradataView(u32, this.#o32(slot), n).slice();
  }

  #extradataView(u32: Uint32Array, o: number, n: number): Uint8Array {
    return new Uint8Array(u32.buffer, u32.byteOffset + o * 4 + HEADER.BYTE_EXTRADATA, n);
  }

  /** Frame number. */
  frameNumber(slot: number): number {
    return this.#f64At(slot, HEADER.F64_FRAME_NUMBER);
  }
  /** Video width. */
  width(slot: number): number {
    return this.#u32At(slot, HEADER.U32_WIDTH);
  }
  /** Video height. */
  height(slot: number): number {
    return this.#u32At(slot, HEADER.U32_HEIGHT);
  }
  /** Video stride. */
  stride(slot: number): number {
    return this.#u32At(slot, HEADER.U32_STRIDE);
  }
  /** Audio frame count (samples per channel). */
  frameCount(slot: number): number {
    return this.#u32At(slot, HEADER.U32_FRAME_COUNT);
  }
  /** Audio sample rate. */
  sampleRate(slot: number): number {
    return this.#f64At(slot, HEADER.F64_SAMPLE_RATE);
  }

  /** Where the header of `slot` starts in its `u32` view (the slab's, or the slot's own). */
  #o32(slot: number): number {
    return (slot & SLOT_INDEX_MASK) * this.#stride32;
  }

  #u32At(slot: number, field: number): number {
    const slab = this.#slab32;
    return slab === undefined
      ? this.#header32(slot)[field]
      : slab[(slot & SLOT_INDEX_MASK) * this.#stride32 + field];
  }

  #f64At(slot: number, field: number): number {
    const slab = this.#slab64;
    return slab === undefined
      ? this.#header64(slot)[field]
      : slab[((slot & SLOT_INDEX_MASK) * this.#stride32 >>> 1) + field];
  }

  #header32(slot: number): Uint32Array {
    const i = slot & SLOT_INDEX_MASK;
    return this.#u32[i] ?? (this.#u32[i] = this.#view(Uint32Array, slot, FRAME_HEADER_BYTES / 4));
  }

  #header64(slot: number): Float64Array {
    const i = slot & SLOT_INDEX_MASK;
    return this.#f64[i] ?? (this.#f64[i] = this.#view(Float64Array, slot, FRAME_HEADER_BYTES / 8));
  }

  #view<V>(
    View: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => V,
    slot: number,
    length: number,
  ): V {
    const bytes = this.pool.bytes(slot);
    return new View(bytes.buffer, bytes.byteOffset, length);
  }
}
