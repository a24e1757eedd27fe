import assert from "node:assert/strict";
import { FrameMessageBatch } from "../core/frames/message.ts";
import { createNativeRing, FramePool } from "../ffi/mod.ts";

const COUNT = 1_000_000;
const PAYLOAD_BYTES = 1920 * 1080 * 4;

Deno.test("native ring: 1,000,000 fifo messages main isolate -> Worker, none lost or reordered; pool slot shared without a copy", async () => {
  const [producer, consumer] = createNativeRing({ capacity: 1024, policy: "fifo" });
  using pool = FramePool.create({ slotBytes: PAYLOAD_BYTES, slotCount: 2 });
  const worker = new Worker(new URL("./fixtures/ring_consumer_worker.ts", import.meta.url), {
    type: "module",
  });
  const result = new Promise<{
    received: number;
    outOfOrder: number;
    checksum: number;
    digest: number[];
  }>((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(e);
  });
  worker.postMessage({ consumer: consumer.transfer(), pool: pool.share(), count: COUNT });

  const batch = new FrameMessageBatch(256);
  let sent = 0;
  let checksum = 0;
  let stalledSince = performance.now();
  while (sent < COUNT) {
    const n = Math.min(256, COUNT - sent);
    for (let i = 0; i < n; i++) {
      const sequence = sent + i;
      batch.write(i, sequence & 0xffff, 0, 0, 0, sequence * 2, sequence);
    }
    let done = 0;
    while (done < n) {
      // Push what is left of the batch; under fifo a full ring writes nothing and we wait.
      const written = producer.pushBatch(
        done === 0 ? batch : FrameMessageBatch.fromBytes(batch.bytes.subarray(done * 32)),
        n - done,
      );
      done += written;
      if (written > 0) stalledSince = performance.now();
      else if (performance.now() - stalledSince > 20_000) throw new Error("consumer stalled");
    }
    for (let i = 0; i < n; i++) {
      const sequence = sent + i;
      checksum = (checksum * 31 + sequence + sequence * 2 + (sequence & 0xffff)) % 2 ** 32;
    }
    sent += n;
  }

  const slot = pool.acquire();
  const payload = pool.bytes(slot);
  for (let offset = 0; offset < PAYLOAD_BYTES; offset += 65_536) {
    crypto.getRandomValues(payload.subarray(offset, offset + 65_536));
  }
  // The Worker writes 0xab to byte 0; start from another value so seeing it proves the write.
  payload[0] = 0x00;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", payload));
  pool.retain(slot); // one reference travels with the message, one stays here
  batch.write(0, slot, 0, PAYLOAD_BYTES, 0, 0, COUNT);
  while (!producer.push(batch)) { /* wait for room */ }

  const reply = await result;
  worker.terminate();
  producer.close();
  assert.equal(reply.received, COUNT);
  assert.equal(reply.outOfOrder, 0);
  assert.equal(reply.checksum, checksum);
  assert.deepEqual(reply.digest, [...digest], "the Worker read the same bytes");
  assert.equal(payload[0], 0xab, "the Worker's write is visible here: one memory, no copy");
  assert.equal(pool.release(slot), 0);
});
