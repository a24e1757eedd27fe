import assert from "node:assert/strict";
import { FRAME_MESSAGE_BYTES, FrameMessageBatch, MessageSizeError } from "./message.ts";

Deno.test("FrameMessageBatch.write() lays fields out at the ABI offsets", () => {
  const batch = new FrameMessageBatch(2);
  batch.write(1, 0xdead_beef, 7, 1024, 3, 123_456_789, 42);
  const view = new DataView(batch.bytes.buffer, FRAME_MESSAGE_BYTES);
  assert.equal(view.getUint32(0, true), 0xdead_beef);
  assert.equal(view.getUint32(4, true), 7);
  assert.equal(view.getUint32(8, true), 1024);
  assert.equal(view.getUint32(12, true), 3);
  assert.equal(view.getFloat64(16, true), 123_456_789);
  assert.equal(view.getFloat64(24, true), 42);
  assert.deepEqual(batch.get(1), {
    slot: 0xdead_beef,
    format: 7,
    byteLength: 1024,
    flags: 3,
    timestampNs: 123_456_789,
    sequence: 42,
  });
});

Deno.test("FrameMessageBatch.fromBytes() rejects lengths that are not multiples of 32", () => {
  for (const length of [0, 1, 31, 33, 65]) {
    assert.throws(
      () => FrameMessageBatch.fromBytes(new Uint8Array(length)),
      (e: unknown) => e instanceof MessageSizeError && e.byteLength === length,
    );
  }
  assert.equal(FrameMessageBatch.fromBytes(new Uint8Array(96)).capacity, 3);
});

Deno.test("FrameMessageBatch.fromBytes() views the same memory without copying", () => {
  const bytes = new Uint8Array(128);
  const batch = FrameMessageBatch.fromBytes(bytes.subarray(32, 96));
  batch.write(0, 9, 0, 0, 0, 0, 0);
  assert.equal(new DataView(bytes.buffer).getUint32(32, true), 9);
});

Deno.test("FrameMessageBatch rejects bad capacities and indices", () => {
  for (const capacity of [0, -1, 1.5, NaN]) {
    assert.throws(() => new FrameMessageBatch(capacity), RangeError);
  }
  const batch = new FrameMessageBatch(1);
  assert.throws(() => batch.get(1), /valid indices are 0..0/);
  assert.throws(() => new FrameMessageBatch(2, new ArrayBuffer(32)), MessageSizeError);
});
