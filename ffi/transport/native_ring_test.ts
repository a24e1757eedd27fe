import assert from "node:assert/strict";
import { FrameMessageBatch } from "../../core/frames/message.ts";
import { InvalidArgumentError, InvalidHandleError } from "../native/errors.ts";
import { FramePool } from "./frame_pool.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { createNativeRing, NativeRingConsumer, NativeRingProducer } from "./native_ring.ts";
import { SL_ERR_INVALID_HANDLE, SL_ERR_WRONG_ENDPOINT } from "../native/status.ts";

function fill(batch: FrameMessageBatch, from: number, count: number): void {
  for (let i = 0; i < count; i++) batch.write(i, i, 1, 64, 0, (from + i) * 1000, from + i);
}

Deno.test("createNativeRing() fifo ring keeps order and reports full without blocking", () => {
  const [producer, consumer] = createNativeRing({ capacity: 4, policy: "fifo" });
  const batch = new FrameMessageBatch(8);
  fill(batch, 0, 8);
  assert.equal(producer.pushBatch(batch, 8), 4);
  assert.equal(producer.isFull(), true);
  assert.equal(producer.push(batch), false);
  assert.equal(consumer.slots(), 4);
  assert.equal(consumer.popBatch(batch, 8), 4);
  assert.deepEqual([0, 1, 2, 3].map((i) => batch.sequence(i)), [0, 1, 2, 3]);
  assert.equal(consumer.isEmpty(), true);
  assert.equal(consumer.pop(batch), false);
  const stats = consumer.stats();
  assert.equal(stats.policy, "fifo");
  assert.equal(stats.capacity, 4);
  assert.equal(stats.written, 4);
  assert.equal(stats.read, 4);
  assert.equal(stats.dropped, 0);
  assert.equal(stats.fullRejections, 5, "4 messages of the batch, then 1 push");
  producer.close();
  consumer.close();
});

Deno.test("createNativeRing() latest ring rolls off the oldest and counts drops", () => {
  const [producer, consumer] = createNativeRing({ capacity: 3, policy: "latest" });
  const batch = new FrameMessageBatch(10);
  fill(batch, 0, 10);
  assert.equal(producer.pushBatch(batch, 10), 10);
  assert.equal(producer.push(batch), true, "a latest ring never refuses");
  assert.equal(consumer.popBatch(batch, 10), 3);
  // The batch pushed 0..9 then message 0 of the batch again (sequence 0).
  assert.deepEqual([0, 1, 2].map((i) => batch.sequence(i)), [8, 9, 0]);
  const stats = producer.stats();
  assert.equal(stats.written, 11);
  assert.equal(stats.read, 3);
  assert.equal(stats.dropped, 8);
  assert.equal(stats.read + stats.dropped, stats.written);
  producer.close();
  consumer.close();
});

Deno.test("NativeRingConsumer.popLatest() returns the newest and drops the rest", () => {
  const [producer, consumer] = createNativeRing({ capacity: 8, policy: "fifo" });
  const batch = new FrameMessageBatch(5);
  fill(batch, 100, 5);
  producer.pushBatch(batch, 5);
  assert.equal(consumer.popLatest(batch), true);
  assert.equal(batch.sequence(0), 104);
  assert.equal(batch.timestampNs(0), 104_000);
  assert.equal(consumer.popLatest(batch), false);
  assert.equal(consumer.stats().dropped, 4);
  producer.close();
  consumer.close();
});

function sequences(batch: FrameMessageBatch, count: number): number[] {
  return Array.from({ length: count }, (_, i) => batch.sequence(i));
}

Deno.test("NativeRingProducer.pushEvict() returns the oldest unread messages, in order", () => {
  using producer = createNativeRing({ capacity: 4, policy: "latest" })[0];
  const batch = new FrameMessageBatch(8);
  const evicted = new FrameMessageBatch(8);
  fill(batch, 0, 4);
  assert.equal(producer.pushEvict(batch, 4, evicted), 0, "room for all four");
  fill(batch, 4, 3);
  assert.equal(producer.pushEvict(batch, 3, evicted), 3);
  assert.deepEqual(sequences(evicted, 3), [0, 1, 2]);
  assert.equal(evicted.timestampNs(2), 2000, "whole messages come back");
  fill(batch, 7, 1);
  assert.equal(producer.pushEvict(batch, 1, evicted), 1);
  assert.equal(evicted.sequence(0), 3);
});

Deno.test("NativeRingProducer.pushEvict() returns messages of its own batch beyond capacity", () => {
  const [producer, consumer] = createNativeRing({ capacity: 3, policy: "latest" });
  const batch = new FrameMessageBatch(10);
  const evicted = new FrameMessageBatch(10);
  fill(batch, 0, 1);
  producer.pushEvict(batch, 1, evicted);
  fill(batch, 1, 9);
  assert.equal(producer.pushEvict(batch, 9, evicted), 7);
  assert.deepEqual(sequences(evicted, 7), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(consumer.popBatch(batch, 10), 3);
  assert.deepEqual(sequences(batch, 3), [7, 8, 9]);
  producer.close();
  consumer.close();
});

Deno.test("NativeRingProducer.pushEvict() accounts every message: read + dropped == written", () => {
  using pool = FramePool.create({ slotBytes: 64, slotCount: 8 });
  const [producer, consumer] = createNativeRing({ capacity: 4, policy: "latest" });
  const frames = new FrameMessageBatch(3);
  const evicted = new FrameMessageBatch(3);
  const out = new FrameMessageBatch(2);
  let sequence = 0;
  let read = 0;
  let evictedTotal = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 3; i++) frames.write(i, pool.acquire(), 0, 64, 0, 0, sequence++);
    const n = producer.pushEvict(frames, 3, evicted);
    for (let i = 0; i < n; i++) pool.release(evicted.slot(i));
    evictedTotal += n;
    if (round % 2 === 0) {
      const m = consumer.popBatch(out, 2); // reads 2 of every 6: the ring overflows
      for (let i = 0; i < m; i++) pool.release(out.slot(i));
      read += m;
    }
  }
  const stats = consumer.stats();
  assert.equal(stats.written, 150);
  assert.equal(stats.read, read);
  assert.equal(stats.dropped, evictedTotal);
  assert.equal(stats.read + stats.dropped + stats.queued, stats.written);
  assert.equal(pool.stats().inUse, stats.queued, "only the queued frames still hold a slot");
  const rest = new FrameMessageBatch(4);
  const left = consumer.popBatch(rest, 4);
  for (let i = 0; i < left; i++) pool.release(rest.slot(i));
  assert.equal(pool.stats().inUse, 0);
  producer.close();
  consumer.close();
});

Deno.test("NativeRingProducer.pushEvict() refuses a fifo ring with a typed error", () => {
  const [producer, consumer] = createNativeRing({ capacity: 4, policy: "fifo" });
  const batch = new FrameMessageBatch(2);
  const evicted = new FrameMessageBatch(2);
  fill(batch, 0, 2);
  assert.throws(
    () => producer.pushEvict(batch, 2, evicted),
    (e: unknown) =>
      e instanceof InvalidArgumentError && e.argument === "ring policy" && e.value === "fifo" &&
      /fifo rings never evict, use pushBatch\(\)/.test(e.message),
  );
  assert.equal(producer.stats().written, 0, "nothing was written");
  producer.close();
  consumer.close();
  assert.throws(() => producer.pushEvict(batch, 2, evicted), InvalidHandleError);
});

Deno.test("NativeRingProducer.pushEvict() refuses a small or overlapping evicted batch", () => {
  using producer = createNativeRing({ capacity: 2, policy: "latest" })[0];
  const batch = new FrameMessageBatch(4);
  assert.throws(
    () => producer.pushEvict(batch, 4, new FrameMessageBatch(3)),
    (e: unknown) =>
      e instanceof InvalidArgumentError && e.argument === "evicted.capacity" &&
      /evicted.capacity 3 is invalid, expected at least count \(4\)/.test(e.message),
  );
  assert.throws(() => producer.pushEvict(batch, 5, new FrameMessageBatch(5)), /count 5/);
  assert.throws(
    () => producer.pushEvict(batch, 2, FrameMessageBatch.fromBytes(batch.bytes.subarray(64))),
    /evicted a view overlapping batch is invalid/,
  );
  assert.equal(producer.stats().written, 0);
});

Deno.test("createNativeRing() names the bad capacity or policy and the valid range", () => {
  for (const capacity of [0, -1, 1.5, NaN, 16_777_217, 2 ** 40]) {
    assert.throws(
      () => createNativeRing({ capacity }),
      (e: unknown) =>
        e instanceof InvalidArgumentError && e.argument === "capacity" &&
        /an integer from 1 to 16777216/.test(e.message),
    );
  }
  assert.throws(
    // @ts-expect-error: an invalid policy on purpose
    () => createNativeRing({ capacity: 4, policy: "newest" }),
    /policy newest is invalid, expected one of fifo,latest/,
  );
});

Deno.test("NativeRingProducer.close() is idempotent and the other side sees abandonment", () => {
  const [producer, consumer] = createNativeRing({ capacity: 2 });
  const batch = new FrameMessageBatch(1);
  assert.equal(consumer.isAbandoned(), false);
  producer.close();
  producer.close();
  assert.equal(consumer.isAbandoned(), true);
  assert.throws(() => producer.push(batch), InvalidHandleError);
  assert.throws(() => producer.stats(), /this ring producer is closed/);
  assert.throws(
    () => producer.transfer(),
    /transfer ring producer: this ring producer is closed .*create a new ring with createNativeRing\(\)/,
  );
  consumer[Symbol.dispose]();
  assert.throws(() => consumer.pop(batch), InvalidHandleError);
  assert.throws(() => consumer.pop(batch), /use an open endpoint: create a new ring/);
});

Deno.test("native ring wrappers refuse a fake or too small batch before native code writes", () => {
  const [producer, consumer] = createNativeRing({ capacity: 8 });
  using _producer = producer;
  using _consumer = consumer;
  const full = new FrameMessageBatch(4);
  for (let i = 0; i < 4; i++) full.write(i, 0, 0, 0, 0, i, i);
  assert.equal(producer.pushBatch(full, 4), 4);
  // Bytes just past a 4-byte view: a pop through it would overwrite them if it got through.
  const backing = new Uint8Array(64).fill(0xee);
  const fake = { capacity: 4, bytes: backing.subarray(0, 4) } as unknown as FrameMessageBatch;
  const refused = (argument: string, count: number) => (e: unknown) =>
    e instanceof InvalidArgumentError && e.argument === argument &&
    e.valid === `a FrameMessageBatch with room for ${count} message(s) (${count * 32} bytes)` &&
    e.message.includes("not a FrameMessageBatch");
  assert.throws(() => consumer.pop(fake), refused("batch", 1));
  assert.throws(() => consumer.popLatest(fake), refused("batch", 1));
  assert.throws(() => consumer.popBatch(fake, 4), refused("batch", 4));
  assert.throws(() => producer.push(fake), refused("batch", 1));
  assert.throws(() => producer.pushBatch(fake, 4), refused("batch", 4));
  assert.throws(() => producer.pushEvict(full, 1, fake), refused("evicted", 1));
  assert.deepEqual([...new Set(backing.subarray(4))], [0xee], "nothing written past the view");
  assert.equal(consumer.slots(), 4, "nothing was popped");
  // A real batch whose buffer went to another isolate has no bytes left.
  const moved = new FrameMessageBatch(1);
  structuredClone(moved.bytes.buffer, { transfer: [moved.bytes.buffer as ArrayBuffer] });
  assert.throws(
    () => consumer.pop(moved),
    (e: unknown) =>
      e instanceof InvalidArgumentError && /a FrameMessageBatch of 0 bytes/.test(e.message),
  );
  assert.equal(consumer.popBatch(full, 4), 4);
});

Deno.test("NativeRingProducer.pushBatch() refuses a count beyond the batch", () => {
  using producer = createNativeRing({ capacity: 2 })[0];
  const batch = new FrameMessageBatch(2);
  assert.throws(() => producer.pushBatch(batch, 3), /count 3 is invalid, expected an integer 0..2/);
  assert.throws(() => producer.pushBatch(batch, -1), InvalidArgumentError);
});

Deno.test("native ring symbols reject stale handles and the wrong endpoint without crashing", () => {
  const lib = loadNativeLibrary();
  const [producer, consumer] = createNativeRing({ capacity: 2 });
  const { handle: p } = producer.transfer();
  const { handle: c } = consumer.transfer();
  const bytes = new Uint8Array(32);
  const message = Deno.UnsafePointer.of(bytes);
  assert.equal(lib.symbols.sl_ring_push(c, message), SL_ERR_WRONG_ENDPOINT);
  assert.equal(lib.symbols.sl_ring_pop(p, message), SL_ERR_WRONG_ENDPOINT);
  assert.equal(lib.symbols.sl_ring_free(p), 0);
  assert.equal(lib.symbols.sl_ring_free(p), SL_ERR_INVALID_HANDLE, "double free");
  assert.equal(lib.symbols.sl_ring_push(p, message), SL_ERR_INVALID_HANDLE, "use after free");
  assert.equal(lib.symbols.sl_ring_free(c), 0);
  assert.equal(lib.symbols.sl_ring_slots(0xffff_fff0), SL_ERR_INVALID_HANDLE, "never issued");
  assert.ok(bytes.byteLength === 32, "the message memory lived through the calls");
});

Deno.test("NativeRingProducer.transfer() hands over ownership once", () => {
  const [producer, consumer] = createNativeRing({ capacity: 2 });
  const moved = NativeRingProducer.adopt(producer.transfer());
  assert.equal(producer.closed, true);
  assert.throws(() => producer.transfer(), InvalidHandleError);
  assert.throws(
    () => NativeRingConsumer.adopt({ ...moved.transfer(), kind: "producer" }),
    /Cannot adopt a ring consumer/,
  );
  consumer.close();
});

Deno.test("ring wrappers follow the batch they are given: offsets, switching, detached buffers", () => {
  const [producer, consumer] = createNativeRing({ capacity: 8 });
  using _producer = producer;
  using _consumer = consumer;
  const a = new FrameMessageBatch(2);
  const backing = new ArrayBuffer(32 * 4);
  const b = FrameMessageBatch.fromBytes(new Uint8Array(backing, 64, 64)); // at an offset
  a.write(0, 1, 0, 0, 0, 10, 1);
  b.write(0, 2, 0, 0, 0, 20, 2);
  b.write(1, 3, 0, 0, 0, 30, 3);
  assert.equal(producer.push(a), true);
  assert.equal(producer.pushBatch(b, 2), 2);
  assert.equal(producer.push(a), true);
  const out = new FrameMessageBatch(4);
  const other = new FrameMessageBatch(1);
  assert.equal(consumer.pop(other), true);
  assert.equal(other.sequence(0), 1);
  assert.equal(consumer.popBatch(out, 4), 3);
  assert.deepEqual([out.sequence(0), out.sequence(1), out.sequence(2)], [2, 3, 1]);
  assert.deepEqual([...new Uint8Array(backing, 0, 64)], new Array(64).fill(0), "b's offset kept");
  structuredClone(out.bytes.buffer, { transfer: [out.bytes.buffer as ArrayBuffer] });
  assert.throws(() => consumer.popBatch(out, 1), /a FrameMessageBatch of 0 bytes/);
  assert.equal(consumer.popBatch(out, 0), 0, "a count of 0 touches no memory");
});
