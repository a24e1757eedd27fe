import { FrameMessageBatch } from "../../core/frames/message.ts";
import { FramePool } from "./frame_pool.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { createNativeRing } from "./native_ring.ts";

const [producer, consumer] = createNativeRing({ capacity: 1024, policy: "fifo" });
const [latestProducer, latestConsumer] = createNativeRing({ capacity: 1024, policy: "latest" });
const [evictProducer, evictConsumer] = createNativeRing({ capacity: 1024, policy: "latest" });
const [fullProducer] = createNativeRing({ capacity: 256, policy: "latest" });
const one = new FrameMessageBatch(1);
const batch = new FrameMessageBatch(256);
const evicted = new FrameMessageBatch(256);
const pool = FramePool.create({ slotBytes: 4096, slotCount: 16 });
const lib = loadNativeLibrary();

Deno.bench("NativeRingProducer.push() + NativeRingConsumer.pop(), fifo, 1 message", {
  group: "single",
  baseline: true,
}, () => {
  producer.push(one);
  consumer.pop(one);
});

Deno.bench("NativeRingProducer.push() + NativeRingConsumer.pop(), latest, 1 message", {
  group: "single",
}, () => {
  latestProducer.push(one);
  latestConsumer.pop(one);
});

Deno.bench("NativeRingProducer.pushBatch() + popBatch(), fifo, 256 messages", {
  group: "batch",
  baseline: true,
}, () => {
  producer.pushBatch(batch, 256);
  consumer.popBatch(batch, 256);
});

Deno.bench("NativeRingProducer.pushBatch() + popBatch(), latest, 256 messages", {
  group: "batch",
}, () => {
  latestProducer.pushBatch(batch, 256);
  latestConsumer.popBatch(batch, 256);
});

Deno.bench("NativeRingProducer.pushEvict() + popBatch(), latest, 256 messages", {
  group: "batch",
}, () => {
  evictProducer.pushEvict(batch, 256, evicted);
  evictConsumer.popBatch(batch, 256);
});

Deno.bench("NativeRingProducer.pushEvict(), latest, 256 messages into a full ring (evicts 256)", {
  group: "batch",
}, () => {
  fullProducer.pushEvict(batch, 256, evicted);
});

Deno.bench("NativeRingConsumer.slots()", { group: "query" }, () => {
  consumer.slots();
});

Deno.bench(
  "sl_abi_version() (raw symbol, no arguments)",
  { group: "query", baseline: true },
  () => {
    lib.symbols.sl_abi_version();
  },
);

Deno.bench("FramePool.acquire() + release()", { group: "pool" }, () => {
  pool.release(pool.acquire());
});

Deno.bench("FramePool.acquire() + bytes() + release()", { group: "pool" }, () => {
  const slot = pool.acquire();
  pool.bytes(slot)[0] = 1;
  pool.release(slot);
});
