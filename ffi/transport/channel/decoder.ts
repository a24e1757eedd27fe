/**
 * The reading half of the frame codec: a frame message plus its slot back into a frame whose
 * payload is a zero-copy view of the slot.
 *
 * @module
 */

import type { AudioFrame } from "../../../core/frames/audio_frame.ts";
import type { DataFrame } from "../../../core/frames/data_frame.ts";
import type { EncodedVideoFrame } from "../../../core/frames/encoded_video_frame.ts";
import { AUDIO_CODECS, type EncodedAudioFrame } from "../../../core/frames/encoded_audio_frame.ts";
import type { Frame } from "../../../core/frames/frame.ts";
import { type FrameMessageBatch, NO_SLOT } from "../../../core/frames/message.ts";
import type { FramePoolContract } from "../../../core/transport/pool.ts";
import { PIXEL_FORMATS, type VideoFrame } from "../../../core/frames/video_frame.ts";
import {
  FLAG_KEYFRAME,
  FRAME_HEADER_BYTES,
  FRAME_KIND_TAGS,
  tagKind,
  tagValue,
  VIDEO_CODECS,
} from "../frame_format.ts";
import { SlotHeaders } from "./slot_header.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const SLOT_INDEX_MASK = 0xffff;
const PAYLOAD_FLOAT_OFFSET = FRAME_HEADER_BYTES / 4;
const VIDEO = FRAME_KIND_TAGS.video;
const AUDIO = FRAME_KIND_TAGS.audio;
const ENCODED = FRAME_KIND_TAGS["encoded-video"];
const DATA = FRAME_KIND_TAGS.data;
const ENCODED_AUDIO = FRAME_KIND_TAGS["encoded-audio"];
const decoder = new TextDecoder();

/**
 * Reads frames out of frame-pool slots without copying their payloads.
 *
 * {@linkcode FrameDecoder.decode} touches no reference count: the frame it returns is valid while
 * its caller holds the message's slot reference. Video, encoded-video and audio frames are two
 * objects per kind used in turn (so a decode changes the object returned two decodes of that
 * kind before), and their payload views are cached per slot, so steady-state reading allocates
 * nothing (an encoded audio frame's extradata, a few bytes, is copied out of the slot header). Decoded video and encoded-video frames keep their `slot`, so writing one on to
 * another connection of the same pool object is zero-copy. `DataFrame`s are parsed from JSON
 * (a new object each time).
 *
 * @example Decode what an encoder wrote
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../../core/frames/message.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { FrameDecoder } from "./decoder.ts";
 * import { FrameEncoder } from "./encoder.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
 * const message = new FrameMessageBatch(1);
 * new FrameEncoder(pool).encode({ kind: "data", timestampNs: 5, value: { on: true } }, message, 0, 0);
 * const frame = new FrameDecoder(pool).decode(message, 0);
 * assert.deepEqual(frame?.kind === "data" && frame.value, { on: true });
 * pool.release(message.slot(0));
 * ```
 */
export class FrameDecoder {
  /** The pool whose slots carry the payloads. */
  readonly pool: FramePoolContract;
  /** Payload bytes a slot holds after the header. */
  readonly payloadCapacity: number;
  readonly #headers: SlotHeaders;
  readonly #byteViews: (Uint8Array | undefined)[];
  readonly #floatViews: (Float32Array | undefined)[];
  readonly #turns = new Uint8Array(8);
  readonly #video: Mutable<VideoFrame>[] = [0, 1].map(() => ({
    kind: "video" as const,
    width: 0,
    height: 0,
    format: "RGBA" as const,
    stride: 0,
    timestampNs: 0,
    frameNumber: 0,
    data: new Uint8Array(0),
    slot: NO_SLOT,
  }));
  readonly #audio: Mutable<AudioFrame>[] = [0, 1].map(() => ({
    kind: "audio" as const,
    channels: 1,
    sampleRate: 0,
    frameCount: 0,
    samples: new Float32Array(0),
    timestampNs: 0,
    frameNumber: 0,
    slot: NO_SLOT,
  }));
  readonly #encodedAudio: Mutable<EncodedAudioFrame>[] = [0, 1].map(() => ({
    kind: "encoded-audio" as const,
    codec: "aac" as const,
    timestampNs: 0,
    frameNumber: 0,
    sampleRate: 0,
    channels: 1,
    frameCount: 0,
    extradata: new Uint8Array(0),
    data: new Uint8Array(0),
    slot: NO_SLOT,
  }));
  readonly #encoded: Mutable<EncodedVideoFrame>[] = [0, 1].map(() => ({
    kind: "encoded-video" as const,
    codec: "h264" as const,
    keyframe: false,
    timestampNs: 0,
    frameNumber: 0,
    data: new Uint8Array(0),
    slot: NO_SLOT,
  }));

  /**
   * Makes a decoder with its frame objects; payload views are made as slots are first seen.
   *
   * @param pool The pool whose slots the messages name.
   */
  constructor(pool: FramePoolContract) {
    this.pool = pool;
    this.payloadCapacity = Math.max(0, pool.slotBytes - FRAME_HEADER_BYTES);
    this.#headers = new SlotHeaders(pool);
    this.#byteViews = new Array(pool.slotCount).fill(undefined);
    this.#floatViews = new Array(pool.slotCount).fill(undefined);
  }

  /**
   * Reads message `index` of `batch` as a frame. Never throws.
   *
   * @param batch The message source.
   * @param index Which message.
   * @returns The frame, or `undefined` when the message does not describe a valid payload (no
   * slot, a header that does not match its format tag, an unknown tag, unparsable JSON).
   */
  decode(batch: FrameMessageBatch, index: number): Frame | undefined {
    const slot = batch.slot(index);
    const tag = batch.format(index);
    const n = batch.byteLength(index);
    if (slot === NO_SLOT || (slot & SLOT_INDEX_MASK) >= this.pool.slotCount) return undefined;
    if (n > this.payloadCapacity || !this.#headers.isValid(slot, tag)) return undefined;
    const headers = this.#headers;
    const timestampNs = batch.timestampNs(index);
    const kind = tagKind(tag);
    switch (kind) {
      case VIDEO: {
        const format = PIXEL_FORMATS[tagValue(tag)];
        if (format === undefined) return undefined;
        const frame = this.#video[this.#turns[kind] ^= 1];
        frame.format = format;
        frame.width = headers.width(slot);
        frame.height = headers.height(slot);
        frame.stride = headers.stride(slot);
        frame.timestampNs = timestampNs;
        frame.frameNumber = headers.frameNumber(slot);
        frame.data = this.#bytesView(slot, n);
        frame.slot = slot;
        return frame;
      }
      case ENCODED: {
        const codec = VIDEO_CODECS[tagValue(tag)];
        if (codec === undefined) return undefined;
        const frame = this.#encoded[this.#turns[kind] ^= 1];
        frame.codec = codec;
        frame.keyframe = (batch.flags(index) & FLAG_KEYFRAME) !== 0;
        frame.timestampNs = timestampNs;
        frame.frameNumber = headers.frameNumber(slot);
        frame.data = this.#bytesView(slot, n);
        frame.slot = slot;
        return frame;
      }
      case ENCODED_AUDIO: {
        const codec = AUDIO_CODECS[tagValue(tag)];
        const extradata = headers.extradata(slot);
        const channels = headers.channels(slot);
        if (codec === undefined || extradata === undefined || channels === 0) return undefined;
        const frame = this.#encodedAudio[this.#turns[kind] ^= 1];
        frame.codec = codec;
        frame.sampleRate = headers.sampleRate(slot);
        frame.channels = channels;
        frame.frameCount = headers.frameCount(slot);
        frame.extradata = extradata;
        frame.timestampNs = timestampNs;
        frame.frameNumber = headers.frameNumber(slot);
        frame.data = this.#bytesView(slot, n);
        frame.slot = slot;
        return frame;
      }
      case AUDIO: {
        const channels = tagValue(tag);
        const frameCount = headers.frameCount(slot);
        if (channels === 0 || n !== frameCount * channels * 4) return undefined;
        const frame = this.#audio[this.#turns[kind] ^= 1];
        frame.channels = channels;
        frame.sampleRate = headers.sampleRate(slot);
        frame.frameCount = frameCount;
        frame.timestampNs = timestampNs;
        frame.frameNumber = headers.frameNumber(slot);
        frame.samples = this.#floatsView(slot, n / 4);
        frame.slot = slot;
        return frame;
      }
      case DATA:
        return tagValue(tag) === 0 ? this.#decodeData(slot, n, timestampNs) : undefined;
      default:
        return undefined;
    }
  }

  #decodeData(slot: number, n: number, timestampNs: number): DataFrame | undefined {
    let value: unknown = undefined;
    if (n > 0) {
      const bytes = this.pool.bytes(slot);
      try {
        value = JSON.parse(
          decoder.decode(bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + n)),
        );
      } catch {
        return undefined;
      }
    }
    return { kind: "data", timestampNs, value };
  }

  #bytesView(slot: number, n: number): Uint8Array {
    const i = slot & SLOT_INDEX_MASK;
    const cached = this.#byteViews[i];
    if (cached !== undefined && cached.byteLength === n) return cached;
    const view = this.pool.bytes(slot).subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + n);
    this.#byteViews[i] = view;
    return view;
  }

  #floatsView(slot: number, length: number): Float32Array {
    const i = slot & SLOT_INDEX_MASK;
    const cached = this.#floatViews[i];
    if (cached !== undefined && cached.length === length) return cached;
    const view = this.pool.floats(slot).subarray(
      PAYLOAD_FLOAT_OFFSET,
      PAYLOAD_FLOAT_OFFSET + length,
    );
    this.#floatViews[i] = view;
    return view;
  }
}
