/**
 * The frame codec: any {@linkcode Frame} into a frame-pool slot plus a 32-byte frame message, and
 * back as zero-copy views. The slot layout and format tags are in `frame_format.ts` and
 * `docs/cross_isolate.md`; the two halves are {@linkcode FrameEncoder} and
 * {@linkcode FrameDecoder}.
 *
 * @module
 */

import type { Frame } from "../../core/frames/frame.ts";
import type { FrameMessageBatch } from "../../core/frames/message.ts";
import type { FramePoolContract } from "../../core/transport/pool.ts";
import { FrameDecoder } from "./frame_decoder.ts";
import { FrameEncoder } from "./frame_encoder.ts";

/**
 * Both halves of the codec over one pool: what a test or a same-isolate tool uses. Connection
 * writers hold only a {@linkcode FrameEncoder}, readers only a {@linkcode FrameDecoder}.
 *
 * Ownership: a successful `encode` leaves the message owning one reference to its slot; `decode`
 * touches no reference count, and the frame it returns is valid while that reference is held.
 *
 * @example Round-trip an audio block
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioFrame } from "@streamlib/streamlib";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { FramePool, slotBytesFor } from "@streamlib/streamlib/ffi";
 * import { FrameCodec } from "./frame_codec.ts";
 *
 * using pool = FramePool.create({ slotBytes: slotBytesFor(4 * 2 * 480), slotCount: 2 });
 * const codec = new FrameCodec(pool);
 * const block = createAudioFrame(2, 48_000, 480);
 * block.samples[1] = 0.5;
 * const message = new FrameMessageBatch(1);
 * codec.encode(block, message, 0, 0); // ENCODED_COPY
 * const copy = codec.decode(message, 0);
 * assert.equal(copy?.kind === "audio" && copy.samples[1], 0.5);
 * pool.release(message.slot(0));
 * ```
 */
export class FrameCodec {
  /** The pool whose slots carry the payloads. */
  readonly pool: FramePoolContract;
  /** The writing half. */
  readonly encoder: FrameEncoder;
  /** The reading half. */
  readonly decoder: FrameDecoder;

  /**
   * Makes both halves over `pool`.
   *
   * @param pool The pool; its slots must be larger than the 64-byte header.
   * @throws {RangeError} When the pool's slots cannot hold the header and a payload.
   */
  constructor(pool: FramePoolContract) {
    this.pool = pool;
    this.encoder = new FrameEncoder(pool);
    this.decoder = new FrameDecoder(pool);
  }

  /** Payload bytes a slot holds after the header. */
  get payloadCapacity(): number {
    return this.encoder.payloadCapacity;
  }

  /**
   * Writes `frame` as message `index` of `batch` (see {@linkcode FrameEncoder.encode}).
   *
   * @param frame The frame.
   * @param batch Where to write the message.
   * @param index Which message of `batch`.
   * @param sequence The message's sequence number.
   * @returns `ENCODED_ZERO_COPY`, `ENCODED_COPY` or `ENCODE_POOL_EXHAUSTED`.
   * @throws {FrameTooLargeError} When the payload does not fit a slot.
   * @throws {InvalidFrameError} When the frame has no encoding.
   */
  encode(frame: Frame, batch: FrameMessageBatch, index: number, sequence: number): number {
    return this.encoder.encode(frame, batch, index, sequence);
  }

  /**
   * Reads message `index` of `batch` as a frame (see {@linkcode FrameDecoder.decode}).
   *
   * @param batch The message source.
   * @param index Which message.
   * @returns The frame, or `undefined` when the message describes no valid payload.
   */
  decode(batch: FrameMessageBatch, index: number): Frame | undefined {
    return this.decoder.decode(batch, index);
  }
}
