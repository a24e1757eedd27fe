/**
 * The 32-byte frame message that rings carry between processors, isolates and native threads.
 *
 * The payload of a frame lives in a frame-pool slot; the message only names the slot and
 * describes the frame. The layout is part of the native ABI (`docs/native_abi.md`):
 *
 * | offset | type | field         |
 * | ------ | ---- | ------------- |
 * | 0      | u32  | `slot`        |
 * | 4      | u32  | `format`      |
 * | 8      | u32  | `byteLength`  |
 * | 12     | u32  | `flags`       |
 * | 16     | f64  | `timestampNs` |
 * | 24     | f64  | `sequence`    |
 *
 * @module
 */
import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";

/**
 * Size in bytes of one frame message.
 */
export const FRAME_MESSAGE_BYTES = 32;

/**
 * The `slot` value of a message that carries no pool payload.
 *
 * @example Send a message without a payload
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch, NO_SLOT } from "./message.ts";
 *
 * const batch = new FrameMessageBatch(1);
 * batch.write(0, NO_SLOT, 0, 0, 0, 40_000_000, 7); // names no pool slot: nothing to release
 * assert.ok(batch.slot(0) === NO_SLOT);
 * ```
 */
export const NO_SLOT = 0xffff_ffff;

/**
 * One frame message as a plain object (control paths; hot paths use {@linkcode FrameMessageBatch}
 * accessors).
 */
export interface FrameMessage {
  /** Frame-pool slot handle, or {@linkcode NO_SLOT}. */
  slot: number;
  /** Format tag (pixel or sample format). */
  format: number;
  /** Bytes of the slot that hold the payload. */
  byteLength: number;
  /** Bit flags (keyframe, end of stream, ...). */
  flags: number;
  /** Monotonic media-clock time in nanoseconds. */
  timestampNs: number;
  /** Per-connection sequence number. */
  sequence: number;
}

/**
 * Thrown when bytes cannot be read as frame messages because their length is wrong.
 *
 * @example Refuse bytes that are not whole messages
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch, MessageSizeError } from "./message.ts";
 *
 * try {
 *   FrameMessageBatch.fromBytes(new Uint8Array(40));
 * } catch (error) {
 *   assert.equal(error instanceof MessageSizeError && error.byteLength, 40);
 * }
 * ```
 */
export class MessageSizeError extends RangeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "message_too_large";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { byteLength: this.byteLength };
  }
  /** The length that was given, in bytes. */
  readonly byteLength: number;

  /**
   * Creates a batch.
   *
   * @param byteLength The offending length in bytes.
   */
  constructor(byteLength: number) {
    super(
      `Cannot read frame messages: ${byteLength} bytes is not a positive multiple of ${FRAME_MESSAGE_BYTES}`,
    );
    this.name = "MessageSizeError";
    this.byteLength = byteLength;
  }
}

/**
 * A reusable buffer of frame messages: what rings push from and pop into.
 *
 * Allocate one in `setup` and reuse it; the field accessors read and write in place without
 * allocating.
 *
 * @example Fill a batch and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "./message.ts";
 *
 * const batch = new FrameMessageBatch(2);
 * batch.set(1, { slot: 3, format: 0, byteLength: 64, flags: 0, timestampNs: 5, sequence: 9 });
 * assert.equal(batch.sequence(1), 9);
 * ```
 */
export class FrameMessageBatch {
  /** How many messages the batch holds. */
  readonly capacity: number;
  /** The raw bytes, `capacity * 32` long. */
  readonly bytes: Uint8Array;
  readonly #u32: Uint32Array;
  readonly #f64: Float64Array;

  /**
   * Creates a batch.
   *
   * @param capacity Number of messages, a positive integer.
   * @param buffer Optional backing store (for example a `SharedArrayBuffer`); defaults to a new one.
   * @param byteOffset Where the messages start in `buffer`, a multiple of 8.
   * @throws {RangeError} When `capacity` is not a positive integer or the offset is misaligned.
   * @throws {MessageSizeError} When `buffer` is too small for `capacity` messages.
   */
  constructor(capacity: number, buffer?: ArrayBufferLike, byteOffset = 0) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create a frame message batch: capacity ${capacity} is not a positive integer`,
      );
    }
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 8 !== 0) {
      throw new RangeError(
        `Cannot create a frame message batch: byte offset ${byteOffset} is not a multiple of 8`,
      );
    }
    const bytes = capacity * FRAME_MESSAGE_BYTES;
    const backing = buffer ?? new ArrayBuffer(bytes);
    if (backing.byteLength - byteOffset < bytes) {
      throw new MessageSizeError(backing.byteLength - byteOffset);
    }
    this.capacity = capacity;
    this.bytes = new Uint8Array(backing, byteOffset, bytes);
    this.#u32 = new Uint32Array(backing, byteOffset, capacity * 8);
    this.#f64 = new Float64Array(backing, byteOffset, capacity * 4);
  }

  /**
   * Views raw bytes as a batch, without copying.
   *
   * @param bytes A positive multiple of 32 bytes, starting 8-byte aligned.
   * @returns A batch over the same memory.
   * @throws {MessageSizeError} When the length is not a positive multiple of 32.
   *
   * @example View 64 bytes as two messages
   * ```ts
   * import assert from "node:assert/strict";
   * import { FrameMessageBatch } from "./message.ts";
   *
   * const batch = FrameMessageBatch.fromBytes(new Uint8Array(64));
   * assert.equal(batch.capacity, 2);
   * ```
   */
  static fromBytes(bytes: Uint8Array): FrameMessageBatch {
    if (bytes.byteLength === 0 || bytes.byteLength % FRAME_MESSAGE_BYTES !== 0) {
      throw new MessageSizeError(bytes.byteLength);
    }
    return new FrameMessageBatch(
      bytes.byteLength / FRAME_MESSAGE_BYTES,
      bytes.buffer,
      bytes.byteOffset,
    );
  }

  /** Slot handle of message `i`. */
  slot(i: number): number {
    return this.#u32[i * 8];
  }
  /** Format tag of message `i`. */
  format(i: number): number {
    return this.#u32[i * 8 + 1];
  }
  /** Payload length of message `i`. */
  byteLength(i: number): number {
    return this.#u32[i * 8 + 2];
  }
  /** Flags of message `i`. */
  flags(i: number): number {
    return this.#u32[i * 8 + 3];
  }
  /** Timestamp (ns) of message `i`. */
  timestampNs(i: number): number {
    return this.#f64[i * 4 + 2];
  }
  /** Sequence number of message `i`. */
  sequence(i: number): number {
    return this.#f64[i * 4 + 3];
  }

  /**
   * Writes every field of message `i` in place.
   *
   * @param i Message index, `0 <= i < capacity`.
   * @param slot Slot handle.
   * @param format Format tag.
   * @param byteLength Payload length.
   * @param flags Flags.
   * @param timestampNs Timestamp in ns.
   * @param sequence Sequence number.
   */
  write(
    i: number,
    slot: number,
    format: number,
    byteLength: number,
    flags: number,
    timestampNs: number,
    sequence: number,
  ): void {
    const u = i * 8;
    this.#u32[u] = slot;
    this.#u32[u + 1] = format;
    this.#u32[u + 2] = byteLength;
    this.#u32[u + 3] = flags;
    const f = i * 4;
    this.#f64[f + 2] = timestampNs;
    this.#f64[f + 3] = sequence;
  }

  /**
   * Writes message `i` from a plain object (control paths).
   *
   * @param i Message index.
   * @param message The message.
   */
  set(i: number, message: FrameMessage): void {
    this.#checkIndex(i);
    this.write(
      i,
      message.slot,
      message.format,
      message.byteLength,
      message.flags,
      message.timestampNs,
      message.sequence,
    );
  }

  /**
   * Reads message `i` as a new plain object (control paths).
   *
   * @param i Message index.
   * @returns A copy of the message.
   */
  get(i: number): FrameMessage {
    this.#checkIndex(i);
    return {
      slot: this.slot(i),
      format: this.format(i),
      byteLength: this.byteLength(i),
      flags: this.flags(i),
      timestampNs: this.timestampNs(i),
      sequence: this.sequence(i),
    };
  }

  #checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity) {
      throw new RangeError(
        `Cannot access frame message ${i}: valid indices are 0..${this.capacity - 1}`,
      );
    }
  }
}
