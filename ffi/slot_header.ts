/**
 * Cached typed views of the 64-byte header at the start of each frame-pool slot.
 *
 * @module
 */

import type { Frame } from "../core/frame.ts";
import type { FramePoolContract } from "../core/pool_contract.ts";
import { FRAME_HEADER_BYTES, FRAME_HEADER_MAGIC, HEADER } from "./frame_format.ts";

const SLOT_INDEX_MASK = 0xffff;

/**
 * Reads and writes slot headers (layout in {@linkcode HEADER}) through `u32`/`f64` views made once
 * per slot index, so the hot path allocates nothing.
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
  readonly #u32: (Uint32Array | undefined)[];
  readonly #f64: (Float64Array | undefined)[];

  /**
   * Makes the (empty) view cache.
   *
   * @param pool The pool; views are made lazily, once per slot index.
   */
  constructor(pool: FramePoolContract) {
    this.pool = pool;
    this.#u32 = new Array(pool.slotCount).fill(undefined);
    this.#f64 = new Array(pool.slotCount).fill(undefined);
  }

  /**
   * Whether `slot` carries a header written for `tag`.
   *
   * @param slot A slot handle.
   * @param tag The format tag the message names.
   * @returns `true` when the magic and the tag match.
   */
  isValid(slot: number, tag: number): boolean {
    const u32 = this.#header32(slot);
    return u32[HEADER.U32_MAGIC] === FRAME_HEADER_MAGIC && u32[HEADER.U32_TAG] === tag;
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
    if (!this.isValid(slot, tag)) return false;
    const u32 = this.#header32(slot);
    const f64 = this.#header64(slot);
    switch (frame.kind) {
      case "video":
        return f64[HEADER.F64_FRAME_NUMBER] === frame.frameNumber &&
          u32[HEADER.U32_WIDTH] === frame.width && u32[HEADER.U32_HEIGHT] === frame.height &&
          u32[HEADER.U32_STRIDE] === frame.stride;
      case "encoded-video":
        return f64[HEADER.F64_FRAME_NUMBER] === frame.frameNumber;
      case "audio":
        return f64[HEADER.F64_FRAME_NUMBER] === frame.frameNumber &&
          u32[HEADER.U32_FRAME_COUNT] === frame.frameCount &&
          f64[HEADER.F64_SAMPLE_RATE] === frame.sampleRate;
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
    const u32 = this.#header32(slot);
    const f64 = this.#header64(slot);
    u32[HEADER.U32_MAGIC] = FRAME_HEADER_MAGIC;
    u32[HEADER.U32_TAG] = tag;
    f64[HEADER.F64_FRAME_NUMBER] = frame.kind === "data" ? 0 : frame.frameNumber;
    u32[HEADER.U32_WIDTH] = frame.kind === "video"
      ? frame.width
      : frame.kind === "audio"
      ? frame.frameCount
      : 0;
    u32[HEADER.U32_HEIGHT] = frame.kind === "video" ? frame.height : 0;
    u32[HEADER.U32_STRIDE] = frame.kind === "video" ? frame.stride : 0;
    u32[HEADER.U32_RESERVED] = 0;
    f64[HEADER.F64_SAMPLE_RATE] = frame.kind === "audio" ? frame.sampleRate : 0;
  }

  /** Frame number. */
  frameNumber(slot: number): number {
    return this.#header64(slot)[HEADER.F64_FRAME_NUMBER];
  }
  /** Video width. */
  width(slot: number): number {
    return this.#header32(slot)[HEADER.U32_WIDTH];
  }
  /** Video height. */
  height(slot: number): number {
    return this.#header32(slot)[HEADER.U32_HEIGHT];
  }
  /** Video stride. */
  stride(slot: number): number {
    return this.#header32(slot)[HEADER.U32_STRIDE];
  }
  /** Audio frame count (samples per channel). */
  frameCount(slot: number): number {
    return this.#header32(slot)[HEADER.U32_FRAME_COUNT];
  }
  /** Audio sample rate. */
  sampleRate(slot: number): number {
    return this.#header64(slot)[HEADER.F64_SAMPLE_RATE];
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
