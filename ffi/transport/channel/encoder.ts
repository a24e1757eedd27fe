/**
 * The writing half of the frame codec: a frame into a frame-pool slot plus a frame message.
 *
 * @module
 */

import type { AudioFrame } from "../../../core/frames/audio_frame.ts";
import type { DataFrame } from "../../../core/frames/data_frame.ts";
import type { EncodedVideoFrame } from "../../../core/frames/encoded_video_frame.ts";
import {
  AUDIO_CODECS,
  type EncodedAudioFrame,
  MAX_AUDIO_EXTRADATA_BYTES,
} from "../../../core/frames/encoded_audio_frame.ts";
import type { Frame } from "../../../core/frames/frame.ts";
import type { FrameMessageBatch } from "../../../core/frames/message.ts";
import type { FramePoolContract } from "../../../core/transport/pool.ts";
import { PIXEL_FORMATS, type VideoFrame } from "../../../core/frames/video_frame.ts";
import { FrameTooLargeError, InvalidFrameError } from "./errors.ts";
import { FLAG_KEYFRAME, formatTag, FRAME_HEADER_BYTES, VIDEO_CODECS } from "../frame_format.ts";
import { SlotHeaders } from "./slot_header.ts";

/**
 * {@linkcode FrameEncoder.encode} found every slot in use and wrote nothing.
 *
 * @example Encode into a pool with no free slot
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../../core/frames/message.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { ENCODE_POOL_EXHAUSTED, FrameEncoder } from "./encoder.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
 * const encoder = new FrameEncoder(pool);
 * const messages = new FrameMessageBatch(2);
 * const frame = { kind: "data" as const, timestampNs: 0, value: "hello" };
 * encoder.encode(frame, messages, 0, 0); // takes the only slot
 * assert.ok(encoder.encode(frame, messages, 1, 1) === ENCODE_POOL_EXHAUSTED);
 * pool.release(messages.slot(0));
 * ```
 */
export const ENCODE_POOL_EXHAUSTED = 0;
/**
 * {@linkcode FrameEncoder.encode} sent the frame's own slot by handle: no byte copied.
 *
 * @example Send a pool frame by handle
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../../core/frames/message.ts";
 * import { NodeFrames } from "../../../core/frames/node_frames.ts";
 * import { FramePool, videoSlotBytes } from "@streamlib/streamlib/ffi";
 * import { SlotMemorySource } from "../slot_memory.ts";
 * import { ENCODED_ZERO_COPY, FrameEncoder } from "./encoder.ts";
 *
 * using pool = FramePool.create({ slotBytes: videoSlotBytes("RGBA", 16, 16), slotCount: 2 });
 * const frames = new NodeFrames("pattern", new SlotMemorySource(pool));
 * const frame = frames.video({ width: 16, height: 16, format: "RGBA" })!;
 * const message = new FrameMessageBatch(1);
 * assert.equal(new FrameEncoder(pool).encode(frame, message, 0, 0), ENCODED_ZERO_COPY);
 * assert.equal(message.slot(0), frame.slot); // the frame's own slot, retained
 * frames.flush(); // the run's reference
 * pool.release(message.slot(0)); // the message's reference
 * assert.equal(pool.stats().inUse, 0);
 * ```
 */
export const ENCODED_ZERO_COPY = 1;
/**
 * {@linkcode FrameEncoder.encode} copied the payload once into a fresh slot.
 */
export const ENCODED_COPY = 2;
/**
 * {@linkcode FrameEncoder.encode}, asked for an unretained message, named the frame's own slot
 * without taking the message's reference: the push takes it (`NativeRingProducer.pushRetain()`).
 *
 * @example Let the push take the reference
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../../core/frames/message.ts";
 * import { NodeFrames } from "../../../core/frames/node_frames.ts";
 * import { createNativeRing, FramePool, slotBytesFor } from "@streamlib/streamlib/ffi";
 * import { SlotMemorySource } from "../slot_memory.ts";
 * import { ENCODED_UNRETAINED, ENCODED_ZERO_COPY, FrameEncoder } from "./encoder.ts";
 *
 * using pool = FramePool.create({ slotBytes: slotBytesFor(64), slotCount: 2 });
 * const frames = new NodeFrames("tone", new SlotMemorySource(pool));
 * const block = frames.audio({ channels: 1, sampleRate: 48_000, frameCount: 16 })!;
 * const encoder = new FrameEncoder(pool);
 * const message = new FrameMessageBatch(1);
 * // The first send writes the slot's header (and retains it): the header did not match yet.
 * assert.equal(encoder.encode(block, message, 0, 0, true), ENCODED_ZERO_COPY);
 * pool.release(message.slot(0));
 * // Sent on unchanged, the header matches: the message names the slot, the push retains it.
 * assert.equal(encoder.encode(block, message, 0, 1, true), ENCODED_UNRETAINED);
 * const [producer, consumer] = createNativeRing({ capacity: 1, policy: "fifo" });
 * assert.equal(producer.pushRetain(message, pool.share().handle), 1);
 * assert.equal(pool.refCount(block.slot!), 2);
 * frames.flush();
 * consumer.close(); // a closed ring's queued message releases nothing: release it here
 * pool.release(message.slot(0));
 * producer.close();
 * ```
 */
export const ENCODED_UNRETAINED = 3;

const SLOT_INDEX_MASK = 0xffff;
const PAYLOAD_FLOAT_OFFSET = FRAME_HEADER_BYTES / 4;
const encoder = new TextEncoder();

/**
 * Puts frames into frame-pool slots. A successful {@linkcode FrameEncoder.encode} leaves the
 * message owning one reference to its slot; whoever ends up with the message releases it.
 *
 * Zero copy: a video, encoded-video or encoded-audio frame whose `slot` is set and whose `data` is this pool
 * object's view of that slot at offset {@linkcode FRAME_HEADER_BYTES} travels by handle (one
 * `retain`). The slot header is written then only if it differs from the frame and no one but the
 * caller holds the slot; a frame whose header would change under other readers is copied instead.
 * Everything else is copied once into a fresh slot; `DataFrame` values are JSON-encoded (which
 * allocates: they are control messages).
 *
 * @example Encode a video frame by copy
 * ```ts
 * import assert from "node:assert/strict";
 * import { type VideoFrame } from "@streamlib/streamlib";
 * import { FrameMessageBatch } from "../../../core/frames/message.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { ENCODED_COPY, FrameEncoder } from "./encoder.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
 * const frame: VideoFrame = {
 *   kind: "video", width: 2, height: 2, format: "RGBA", stride: 8,
 *   timestampNs: 0, frameNumber: 0, data: new Uint8Array(16).fill(9),
 * };
 * const message = new FrameMessageBatch(1);
 * assert.ok(new FrameEncoder(pool).encode(frame, message, 0, 0) === ENCODED_COPY);
 * pool.release(message.slot(0));
 * ```
 */
export class FrameEncoder {
  /** The pool whose slots carry the payloads. */
  readonly pool: FramePoolContract;
  /** Payload bytes a slot holds after the header. */
  readonly payloadCapacity: number;
  readonly #headers: SlotHeaders;
  /**
   * The pool's views of each slot index, taken once (`pool.bytes()` checks the slot is live with
   * a native call; the encoder looks only at slots it has just found live or holds a reference
   * to, and the pool's views of an index never change).
   */
  readonly #bytes: (Uint8Array | undefined)[];
  readonly #floats: (Float32Array | undefined)[];
  /** Each seen slot's buffer, and where its payload starts in it. */
  readonly #buffers: (ArrayBufferLike | undefined)[];
  readonly #payloadOffsets: Float64Array;

  /**
   * Makes an encoder over `pool`.
   *
   * @param pool The pool to take slots from; its slots must be larger than the header.
   * @throws {RangeError} When the pool's slots cannot hold the header and a payload.
   */
  constructor(pool: FramePoolContract) {
    if (pool.slotBytes <= FRAME_HEADER_BYTES) {
      throw new RangeError(
        `Cannot encode frames into a pool of ${pool.slotBytes}-byte slots: they cannot hold the ` +
          `${FRAME_HEADER_BYTES}-byte header and a payload`,
      );
    }
    this.pool = pool;
    this.payloadCapacity = pool.slotBytes - FRAME_HEADER_BYTES;
    this.#headers = new SlotHeaders(pool);
    this.#bytes = new Array(pool.slotCount).fill(undefined);
    this.#floats = new Array(pool.slotCount).fill(undefined);
    this.#buffers = new Array(pool.slotCount).fill(undefined);
    this.#payloadOffsets = new Float64Array(pool.slotCount);
  }

  /**
   * Writes `frame` as message `index` of `batch`. Never blocks.
   *
   * @param frame The frame.
   * @param batch Where to write the message.
   * @param index Which message of `batch`.
   * @param sequence The message's sequence number.
   * @param unretained Whether a frame sent by handle whose slot header already describes it may
   *   be written without taking the message's reference ({@linkcode ENCODED_UNRETAINED}): the
   *   caller's push takes it (`NativeRingProducer.pushRetain()`, one native call where a retain
   *   and a push are two). The slot is not checked live then: if the push refuses it, encode
   *   again without this flag (which copies a frame whose slot is gone).
   * @returns {@linkcode ENCODED_ZERO_COPY}, {@linkcode ENCODED_COPY},
   * {@linkcode ENCODED_UNRETAINED} (only when asked for), or {@linkcode ENCODE_POOL_EXHAUSTED}
   * (nothing written, no reference taken).
   * @throws {FrameTooLargeError} When the payload does not fit a slot.
   * @throws {InvalidFrameError} When the frame has no encoding (bad format, codec, channels).
   */
  encode(
    frame: Frame,
    batch: FrameMessageBatch,
    index: number,
    sequence: number,
    unretained = false,
  ): number {
    const tag = formatTag(frame);
    if (tag < 0) throw invalidTag(frame);
    switch (frame.kind) {
      case "video":
        return this.#encodeBytes(frame, tag, 0, batch, index, sequence, unretained);
      case "encoded-video":
        return this.#encodeBytes(
          frame,
          tag,
          frame.keyframe ? FLAG_KEYFRAME : 0,
          batch,
          index,
          sequence,
          unretained,
        );
      case "encoded-audio":
        return this.#encodeBytes(frame, tag, 0, batch, index, sequence, unretained);
      case "audio":
        return this.#encodeAudio(frame, tag, batch, index, sequence, unretained);
      default:
        return this.#encodeData(frame, tag, batch, index, sequence);
    }
  }

  /**
   * Whether `frame` would travel by handle (its `data` is this pool's view of its `slot`).
   *
   * @param frame The frame.
   * @returns `true` for a pool-backed video or encoded-video frame of this pool.
   */
  isZeroCopy(frame: Frame): boolean {
    if (frame.kind === "audio") {
      return frame.slot !== undefined && this.#isSlotFloats(frame.slot, frame.samples) &&
        this.pool.refCount(frame.slot) > 0;
    }
    return (frame.kind === "video" || frame.kind === "encoded-video" ||
      frame.kind === "encoded-audio") &&
      frame.slot !== undefined && this.#isSlotView(frame.slot, frame.data) &&
      this.pool.refCount(frame.slot) > 0;
  }

  #encodeBytes(
    frame: VideoFrame | EncodedVideoFrame | EncodedAudioFrame,
    tag: number,
    flags: number,
    batch: FrameMessageBatch,
    index: number,
    sequence: number,
    unretained: boolean,
  ): number {
    const data = frame.data;
    const n = data.byteLength;
    if (n > this.payloadCapacity) {
      throw new FrameTooLargeError(frame.kind, n, this.pool.slotBytes);
    }
    const own = frame.slot;
    const view = own !== undefined && this.#isSlotView(own, data);
    if (view && unretained && this.#headerMatches(own, frame, tag)) {
      batch.write(index, own, tag, n, flags, frame.timestampNs, sequence);
      return ENCODED_UNRETAINED;
    }
    // A view of this pool's slot, still live (tryRetain takes the message's reference then).
    const count = view ? this.pool.tryRetain(own) : 0;
    if (count > 0 && own !== undefined) {
      // Count 2 after the retain: the caller's reference and the message's, nobody else can be
      // reading the header, so it may be rewritten. Otherwise a differing header means a copy.
      // (Asked for an unretained message, the header was found differing already.)
      const matches = !unretained && this.#headers.matches(own, frame, tag);
      if (matches || count === 2) {
        if (!matches) this.#headers.write(own, frame, tag);
        batch.write(index, own, tag, n, flags, frame.timestampNs, sequence);
        return ENCODED_ZERO_COPY;
      }
      this.pool.release(own);
    }
    const slot = this.pool.tryAcquire();
    if (slot === undefined) return ENCODE_POOL_EXHAUSTED;
    this.#headers.write(slot, frame, tag);
    this.#slotBytes(slot).set(data, FRAME_HEADER_BYTES);
    batch.write(index, slot, tag, n, flags, frame.timestampNs, sequence);
    return ENCODED_COPY;
  }

  #encodeAudio(
    frame: AudioFrame,
    tag: number,
    batch: FrameMessageBatch,
    index: number,
    sequence: number,
    unretained: boolean,
  ): number {
    const count = frame.frameCount * frame.channels;
    const samples = frame.samples;
    if (!Number.isInteger(frame.frameCount) || frame.frameCount < 0 || samples.length < count) {
      throw new InvalidFrameError(
        "audio",
        "samples.length",
        samples.length,
        `at least frameCount * channels = ${count}, with a whole frameCount`,
      );
    }
    const n = count * 4;
    if (n > this.payloadCapacity) throw new FrameTooLargeError("audio", n, this.pool.slotBytes);
    const own = frame.slot;
    const view = own !== undefined && this.#isSlotFloats(own, samples);
    if (view && unretained && this.#headerMatches(own, frame, tag)) {
      batch.write(index, own, tag, n, 0, frame.timestampNs, sequence);
      return ENCODED_UNRETAINED;
    }
    const refs = view ? this.pool.tryRetain(own) : 0;
    if (refs > 0 && own !== undefined) {
      // As for video: by reference when the header matches or nobody else can be reading it.
      const matches = !unretained && this.#headers.matches(own, frame, tag);
      if (matches || refs === 2) {
        if (!matches) this.#headers.write(own, frame, tag);
        batch.write(index, own, tag, n, 0, frame.timestampNs, sequence);
        return ENCODED_ZERO_COPY;
      }
      this.pool.release(own);
    }
    const slot = this.pool.tryAcquire();
    if (slot === undefined) return ENCODE_POOL_EXHAUSTED;
    this.#headers.write(slot, frame, tag);
    this.#slotFloats(slot).set(
      samples.length === count ? samples : samples.subarray(0, count),
      PAYLOAD_FLOAT_OFFSET,
    );
    batch.write(index, slot, tag, n, 0, frame.timestampNs, sequence);
    return ENCODED_COPY;
  }

  #encodeData(
    frame: DataFrame,
    tag: number,
    batch: FrameMessageBatch,
    index: number,
    sequence: number,
  ): number {
    let json: string | undefined;
    try {
      json = frame.value === undefined ? undefined : JSON.stringify(frame.value);
    } catch (error) {
      throw new InvalidFrameError("data", "value", error, "a value JSON.stringify accepts");
    }
    const slot = this.pool.tryAcquire();
    if (slot === undefined) return ENCODE_POOL_EXHAUSTED;
    let n = 0;
    if (json !== undefined) {
      const payload = this.pool.bytes(slot).subarray(FRAME_HEADER_BYTES);
      const { read, written } = encoder.encodeInto(json, payload);
      if (read < json.length) {
        this.pool.release(slot);
        throw new FrameTooLargeError("data", encoder.encode(json).byteLength, this.pool.slotBytes);
      }
      n = written;
    }
    this.#headers.write(slot, frame, tag);
    batch.write(index, slot, tag, n, 0, frame.timestampNs, sequence);
    return ENCODED_COPY;
  }

  /**
   * `SlotHeaders.matches()` of a slot not known to be live (an unretained message's): `false`
   * where a pool without slab views refuses to view a free slot.
   */
  #headerMatches(slot: number, frame: Frame, tag: number): boolean {
    try {
      return this.#headers.matches(slot, frame, tag);
    } catch {
      return false;
    }
  }

  // A frame's `slot` may be a handle of another pool (a capture's, a plugin's), or a slot released
  // since: no error here, only "not a live view of this pool". These check the view alone (no
  // native call once the index was seen live); `tryRetain` then checks the slot is live.
  #isSlotFloats(slot: number, samples: Float32Array): boolean {
    return this.#isSlotPayload(slot, samples.buffer, samples.byteOffset);
  }

  #isSlotView(slot: number, data: Uint8Array): boolean {
    return this.#isSlotPayload(slot, data.buffer, data.byteOffset);
  }

  /**
   * Whether `buffer` at `byteOffset` is the payload of the index of `slot` in this pool. Compares
   * with the slot view's buffer and offset kept in arrays, so the view object itself (one of
   * thousands, likely cold in cache) is not read per frame.
   */
  #isSlotPayload(slot: number, buffer: ArrayBufferLike, byteOffset: number): boolean {
    const i = slot & SLOT_INDEX_MASK;
    if (i >= this.pool.slotCount) return false;
    if (this.#buffers[i] === undefined) {
      if (this.pool.refCount(slot) === 0) return false; // never seen live: no view yet
      const bytes = this.#slotBytes(slot);
      this.#buffers[i] = bytes.buffer;
      this.#payloadOffsets[i] = bytes.byteOffset + FRAME_HEADER_BYTES;
    }
    return buffer === this.#buffers[i] && byteOffset === this.#payloadOffsets[i];
  }

  /** The pool's bytes of `slot`, a live slot (checked once per index, by `pool.bytes()`). */
  #slotBytes(slot: number): Uint8Array {
    const i = slot & SLOT_INDEX_MASK;
    return this.#bytes[i] ?? (this.#bytes[i] = this.pool.bytes(slot));
  }

  #slotFloats(slot: number): Float32Array {
    const i = slot & SLOT_INDEX_MASK;
    return this.#floats[i] ?? (this.#floats[i] = this.pool.floats(slot));
  }
}

function invalidTag(frame: Frame): InvalidFrameError {
  switch (frame.kind) {
    case "video":
      return new InvalidFrameError("video", "format", frame.format, `one of ${PIXEL_FORMATS}`);
    case "audio":
      return new InvalidFrameError("audio", "channels", frame.channels, "an integer 1..65535");
    case "encoded-video":
      return new InvalidFrameError("encoded-video", "codec", frame.codec, `one of ${VIDEO_CODECS}`);
    case "encoded-audio":
      return !AUDIO_CODECS.includes(frame.codec)
        ? new InvalidFrameError("encoded-audio", "codec", frame.codec, `one of ${AUDIO_CODECS}`)
        : !(frame.extradata?.length <= MAX_AUDIO_EXTRADATA_BYTES)
        ? new InvalidFrameError(
          "encoded-audio",
          "extradata.length",
          frame.extradata?.length,
          `at most ${MAX_AUDIO_EXTRADATA_BYTES}`,
        )
        : new InvalidFrameError("encoded-audio", "channels", frame.channels, "an integer 1..65535");
    default: {
      const kind = String((frame as { kind: unknown }).kind);
      return new InvalidFrameError(
        kind,
        "kind",
        kind,
        "video, audio, encoded-video, encoded-audio or data",
      );
    }
  }
}
