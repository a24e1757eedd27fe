import assert from "node:assert/strict";
import { type AudioFrame, createAudioFrame } from "../../../core/frames/audio_frame.ts";
import type { DataFrame } from "../../../core/frames/data_frame.ts";
import type { EncodedVideoFrame } from "../../../core/frames/encoded_video_frame.ts";
import { AUDIO_CODECS, type EncodedAudioFrame } from "../../../core/frames/encoded_audio_frame.ts";
import { FrameMessageBatch, NO_SLOT } from "../../../core/frames/message.ts";
import {
  PIXEL_FORMATS,
  type VideoFrame,
  videoFrameByteLength,
} from "../../../core/frames/video_frame.ts";
import { FrameDecoder } from "./decoder.ts";
import { FrameTooLargeError, InvalidFrameError } from "./errors.ts";
import { ENCODE_POOL_EXHAUSTED, ENCODED_COPY, ENCODED_ZERO_COPY, FrameEncoder } from "./encoder.ts";
import { FLAG_KEYFRAME, FRAME_HEADER_BYTES, VIDEO_CODECS } from "../frame_format.ts";
import { FramePool } from "../frame_pool.ts";

/**
 * Both halves over one pool, as a connection's writer (the encoder) and its reader in the other
 * isolate (the decoder) hold them.
 */
function halves(pool: FramePool) {
  const encoder = new FrameEncoder(pool);
  const decoder = new FrameDecoder(pool);
  return {
    encode: encoder.encode.bind(encoder),
    decode: decoder.decode.bind(decoder),
  };
}

function pattern(n: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 31 + seed * 7) & 0xff;
  return bytes;
}

Deno.test("FrameEncoder.encode() then FrameDecoder.decode() round-trips video frames of every pixel format byte-exactly", () => {
  using pool = FramePool.create({ slotBytes: 4096, slotCount: 2 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  for (const [i, format] of PIXEL_FORMATS.entries()) {
    const width = 6;
    const height = 5;
    const data = pattern(videoFrameByteLength(format, width, height), i);
    const frame: VideoFrame = {
      kind: "video",
      width,
      height,
      format,
      stride: format === "RGBA" || format === "BGRA" ? width * 4 : width,
      timestampNs: 1_000_000 + i,
      frameNumber: 2 ** 40 + i,
      data,
    };
    assert.equal(codec.encode(frame, message, 0, 77), ENCODED_COPY);
    assert.equal(message.byteLength(0), data.byteLength);
    assert.equal(message.sequence(0), 77);
    const back = codec.decode(message, 0);
    assert.ok(back?.kind === "video");
    const { data: got, slot, ...fields } = back;
    const { data: _, ...expected } = frame;
    assert.deepEqual(fields, expected);
    assert.equal(slot, message.slot(0));
    assert.deepEqual(got, data);
    assert.equal(got.buffer, pool.bytes(slot).buffer, "a view of the slot, not a copy");
    assert.equal(got.byteOffset, FRAME_HEADER_BYTES);
    assert.equal(pool.release(message.slot(0)), 0);
  }
});

Deno.test("FrameEncoder.encode() then FrameDecoder.decode() round-trips audio blocks sample-exactly with all header fields", () => {
  using pool = FramePool.create({ slotBytes: 8192, slotCount: 1 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  for (const channels of [1, 2, 6]) {
    const block = createAudioFrame(channels, 44_100.5, 37) as AudioFrame & {
      timestampNs: number;
      frameNumber: number;
    };
    for (let i = 0; i < block.samples.length; i++) block.samples[i] = Math.sin(i) * (i + 1);
    block.timestampNs = 123_456_789;
    block.frameNumber = 41;
    assert.equal(codec.encode(block, message, 0, 0), ENCODED_COPY);
    assert.equal(message.format(0), 0x0200_0000 | channels);
    const back = codec.decode(message, 0);
    assert.ok(back?.kind === "audio");
    assert.equal(back.channels, channels);
    assert.equal(back.sampleRate, 44_100.5);
    assert.equal(back.frameCount, 37);
    assert.equal(back.timestampNs, 123_456_789);
    assert.equal(back.frameNumber, 41);
    assert.deepEqual(back.samples, block.samples);
    assert.equal(back.samples.buffer, pool.bytes(message.slot(0)).buffer);
    pool.release(message.slot(0));
  }
});

Deno.test("FrameEncoder.encode() then FrameDecoder.decode() round-trips encoded video with codec and keyframe flag", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  for (const [i, c] of VIDEO_CODECS.entries()) {
    const frame: EncodedVideoFrame = {
      kind: "encoded-video",
      codec: c,
      keyframe: i % 2 === 0,
      timestampNs: i * 1000,
      frameNumber: i,
      data: pattern(100 + i, i),
    };
    assert.equal(codec.encode(frame, message, 0, i), ENCODED_COPY);
    assert.equal(message.flags(0), frame.keyframe ? FLAG_KEYFRAME : 0);
    const back = codec.decode(message, 0);
    assert.ok(back?.kind === "encoded-video");
    assert.equal(back.codec, c);
    assert.equal(back.keyframe, frame.keyframe);
    assert.equal(back.timestampNs, frame.timestampNs);
    assert.equal(back.frameNumber, i);
    assert.deepEqual(back.data, frame.data);
    pool.release(message.slot(0));
  }
});

Deno.test("FrameEncoder.encode() then FrameDecoder.decode() round-trips encoded audio with its stream fields and extradata", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  for (const [i, c] of AUDIO_CODECS.entries()) {
    const frame: EncodedAudioFrame = {
      kind: "encoded-audio",
      codec: c,
      timestampNs: 5_000 + i,
      frameNumber: 2 ** 33 + i,
      sampleRate: 44_100 + i,
      channels: 2 - i,
      frameCount: c === "aac" ? 1024 : 960,
      extradata: c === "aac" ? new Uint8Array([0x12, 0x10]) : pattern(19, i), // 19: an OpusHead
      data: pattern(300 + i, i),
    };
    assert.equal(codec.encode(frame, message, 0, i), ENCODED_COPY);
    const back = codec.decode(message, 0);
    assert.ok(back?.kind === "encoded-audio");
    const { data, extradata, slot: _, ...fields } = back;
    const { data: d, extradata: e, ...expected } = frame;
    assert.deepEqual(fields, expected);
    assert.deepEqual(data, d);
    assert.deepEqual(extradata, e);
    pool.release(message.slot(0));
  }
  const tooLong = {
    kind: "encoded-audio" as const,
    codec: "aac" as const,
    timestampNs: 0,
    frameNumber: 0,
    sampleRate: 48_000,
    channels: 2,
    frameCount: 1024,
    extradata: new Uint8Array(25),
    data: new Uint8Array(4),
  };
  assert.throws(
    () => codec.encode(tooLong, message, 0, 0),
    (e) => e instanceof InvalidFrameError && /extradata.length 25/.test(e.message),
  );
});

Deno.test("FrameEncoder.encode() then FrameDecoder.decode() round-trips DataFrame values as JSON, undefined as an empty payload", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  const values = [{ boxes: [{ x: 1, label: "chat ✓" }] }, "text", 0, null, [1, 2], undefined];
  for (const value of values) {
    const frame: DataFrame = { kind: "data", timestampNs: 9, value };
    assert.equal(codec.encode(frame, message, 0, 0), ENCODED_COPY);
    assert.deepEqual(codec.decode(message, 0), frame);
    pool.release(message.slot(0));
  }
});

Deno.test("FrameEncoder.encode() sends a pool-backed frame by handle: one retain, no copy", () => {
  using pool = FramePool.create({ slotBytes: FRAME_HEADER_BYTES + 16, slotCount: 2 });
  const codec = halves(pool);
  const slot = pool.acquire();
  const data = pool.bytes(slot).subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + 16);
  data.fill(5);
  const frame: VideoFrame = {
    kind: "video",
    width: 2,
    height: 2,
    format: "RGBA",
    stride: 8,
    timestampNs: 3,
    frameNumber: 1,
    data,
    slot,
  };
  const message = new FrameMessageBatch(2);
  assert.equal(codec.encode(frame, message, 0, 0), ENCODED_ZERO_COPY);
  assert.equal(message.slot(0), slot);
  assert.equal(pool.stats().inUse, 1, "no second slot");
  assert.equal(codec.encode(frame, message, 1, 1), ENCODED_ZERO_COPY, "fan-out");
  assert.equal(pool.retain(slot), 4, "ours, two messages, this retain");
  pool.release(slot);
  const back = codec.decode(message, 1);
  assert.ok(back?.kind === "video");
  assert.equal(back.data.buffer, data.buffer, "the same memory");
  assert.deepEqual(back.data, data);
  assert.equal(back.frameNumber, 1);
  for (let i = 0; i < 3; i++) pool.release(slot);
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("FrameEncoder.encode() copies a shared pool frame whose header would change", () => {
  using pool = FramePool.create({ slotBytes: FRAME_HEADER_BYTES + 16, slotCount: 2 });
  const codec = halves(pool);
  const slot = pool.acquire();
  const data = pool.bytes(slot).subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + 16);
  const frame: VideoFrame = {
    kind: "video",
    width: 2,
    height: 2,
    format: "RGBA",
    stride: 8,
    timestampNs: 0,
    frameNumber: 7,
    data,
    slot,
  };
  const message = new FrameMessageBatch(2);
  assert.equal(codec.encode(frame, message, 0, 0), ENCODED_ZERO_COPY, "sole owner: header written");
  // Message 0 is unread; a frame with another frame number over the same slot must not rewrite it.
  assert.equal(codec.encode({ ...frame, frameNumber: 8 }, message, 1, 1), ENCODED_COPY);
  assert.notEqual(message.slot(1), slot);
  assert.equal((codec.decode(message, 0) as VideoFrame).frameNumber, 7);
  assert.equal((codec.decode(message, 1) as VideoFrame).frameNumber, 8);
  pool.release(message.slot(1));
  pool.release(slot);
  // With message 0 gone, the owner may rewrite the header in place.
  assert.equal(codec.encode({ ...frame, frameNumber: 9 }, message, 0, 2), ENCODED_ZERO_COPY);
  assert.equal((codec.decode(message, 0) as VideoFrame).frameNumber, 9);
  pool.release(slot);
  pool.release(slot);
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("FrameEncoder.encode() copies a frame whose slot belongs to another pool object", () => {
  using pool = FramePool.create({ slotBytes: FRAME_HEADER_BYTES + 4, slotCount: 2 });
  using other = FramePool.attach(pool.share());
  const codec = halves(pool);
  const slot = other.acquire();
  const frame: EncodedVideoFrame = {
    kind: "encoded-video",
    codec: "vp9",
    keyframe: false,
    timestampNs: 0,
    frameNumber: 0,
    data: other.bytes(slot).subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + 4),
    slot,
  };
  const message = new FrameMessageBatch(1);
  assert.equal(codec.encode(frame, message, 0, 0), ENCODED_COPY);
  pool.release(message.slot(0));
  other.release(slot);
});

Deno.test("FrameEncoder.encode() names the sizes of a frame too large for the slots", () => {
  using pool = FramePool.create({ slotBytes: 1000, slotCount: 1 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  const big = createAudioFrame(2, 48_000, 480);
  assert.throws(
    () => codec.encode(big, message, 0, 0),
    (e: unknown) =>
      e instanceof FrameTooLargeError && e.payloadBytes === 3840 && e.slotBytes === 1000 &&
      e.requiredSlotBytes === 3904 && /payload is 3840 bytes, a slot holds 936/.test(e.message),
  );
  assert.throws(
    () => codec.encode({ kind: "data", timestampNs: 0, value: "x".repeat(2000) }, message, 0, 0),
    (e: unknown) => e instanceof FrameTooLargeError && e.payloadBytes === 2002,
  );
  assert.equal(pool.stats().inUse, 0, "the slot taken for the JSON went back");
});

Deno.test("FrameEncoder.encode() reports an exhausted pool without throwing or taking a slot", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 1 });
  const codec = halves(pool);
  const held = pool.acquire();
  const message = new FrameMessageBatch(1);
  message.write(0, NO_SLOT, 0, 0, 0, 0, 0);
  assert.equal(codec.encode(createAudioFrame(1, 8000, 8), message, 0, 0), ENCODE_POOL_EXHAUSTED);
  assert.equal(message.slot(0), NO_SLOT, "nothing written");
  pool.release(held);
});

Deno.test("FrameEncoder.encode() refuses frames it has no encoding for", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 1 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  const video = {
    kind: "video",
    width: 1,
    height: 1,
    format: "RGB",
    stride: 3,
    timestampNs: 0,
    frameNumber: 0,
    data: new Uint8Array(3),
  } as unknown as VideoFrame;
  assert.throws(() => codec.encode(video, message, 0, 0), /format RGB is invalid, expected one/);
  const short = { ...createAudioFrame(2, 8000, 4), frameCount: 5 };
  assert.throws(() => codec.encode(short, message, 0, 0), InvalidFrameError);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(
    () => codec.encode({ kind: "data", timestampNs: 0, value: cyclic }, message, 0, 0),
    InvalidFrameError,
  );
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("FrameDecoder.decode() rejects messages that do not describe a slot payload", () => {
  using pool = FramePool.create({ slotBytes: 256, slotCount: 1 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  message.write(0, NO_SLOT, 0x0100_0000, 0, 0, 0, 0);
  assert.equal(codec.decode(message, 0), undefined, "no slot");
  codec.encode({ kind: "data", timestampNs: 0, value: 1 }, message, 0, 0);
  const slot = message.slot(0);
  message.write(0, slot, 0x0100_0000, 1, 0, 0, 0);
  assert.equal(codec.decode(message, 0), undefined, "header written for another tag");
  message.write(0, slot, 0x0400_0000, 10_000, 0, 0, 0);
  assert.equal(codec.decode(message, 0), undefined, "longer than a slot");
  pool.bytes(slot)[FRAME_HEADER_BYTES] = 0x7b; // "{": unparsable JSON
  message.write(0, slot, 0x0400_0000, 1, 0, 0, 0);
  assert.equal(codec.decode(message, 0), undefined, "bad JSON");
  pool.release(slot);
});

Deno.test("FrameDecoder.decode() reuses two frame objects per kind and cached payload views", () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 1 });
  const codec = halves(pool);
  const message = new FrameMessageBatch(1);
  const block = createAudioFrame(2, 8000, 16);
  codec.encode(block, message, 0, 0);
  const a = codec.decode(message, 0);
  const b = codec.decode(message, 0);
  const c = codec.decode(message, 0);
  assert.notEqual(a, b);
  assert.equal(a, c);
  assert.equal((a as AudioFrame).samples, (b as AudioFrame).samples, "view cached per slot");
  pool.release(message.slot(0));
});
