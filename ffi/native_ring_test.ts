import assert from "node:assert/strict";
import { FrameMessageBatch } from "../core/frame_message.ts";
import { InvalidArgumentError, InvalidHandleError } from "./errors.ts";
import { loadNativeLibrary } from "./load.ts";
import { createNativeRing, NativeRingConsumer, NativeRingProducer } from "./native_ring.ts";
import { SL_ERR_INVALID_HANDLE, SL_ERR_WRONG_ENDPOINT } from "./status.ts";

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
  consumer[Symbol.dispose]();
  assert.throws(() => consumer.pop(batch), InvalidHandleError);
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
  const message = new Uint8Array(32);
  assert.equal(lib.symbols.sl_ring_push(c, message), SL_ERR_WRONG_ENDPOINT);
  assert.equal(lib.symbols.sl_ring_pop(p, message), SL_ERR_WRONG_ENDPOINT);
  assert.equal(lib.symbols.sl_ring_free(p), 0);
  assert.equal(lib.symbols.sl_ring_free(p), SL_ERR_INVALID_HANDLE, "double free");
  assert.equal(lib.symbols.sl_ring_push(p, message), SL_ERR_INVALID_HANDLE, "use after free");
  assert.equal(lib.symbols.sl_ring_free(c), 0);
  assert.equal(lib.symbols.sl_ring_slots(0xffff_fff0), SL_ERR_INVALID_HANDLE, "never issued");
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
