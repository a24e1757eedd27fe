/// <reference lib="deno.worker" />
// The consumer side of bench/ring_bench.ts: pops batches, checks order, sums a checksum, and
// reports when it has seen every message.

import { FrameMessageBatch } from "../core/frame_message.ts";
import { NativeRingConsumer, type TransferredRingEndpoint } from "../ffi/mod.ts";
import { SabRing } from "./sab_ring.ts";

/** A job posted by the bench: which ring, how many messages, what batch size. */
export interface RingBenchJob {
  ring: { native: TransferredRingEndpoint } | { sab: SharedArrayBuffer };
  messages: number;
  batch: number;
}

/** What the Worker posts back. */
export interface RingBenchReply {
  received: number;
  outOfOrder: number;
  checksum: number;
  /** `performance.timeOrigin + performance.now()` when the last message was read. */
  doneAt: number;
}

self.onmessage = (event: MessageEvent<RingBenchJob>) => {
  const { ring, messages, batch: size } = event.data;
  const batch = new FrameMessageBatch(size);
  const native = "native" in ring ? NativeRingConsumer.adopt(ring.native) : undefined;
  const sab = "sab" in ring ? new SabRing(ring.sab) : undefined;
  self.postMessage("ready");
  let received = 0;
  let outOfOrder = 0;
  let checksum = 0;
  while (received < messages) {
    const n = native ? native.popBatch(batch, size) : sab!.popBatch(batch, size);
    for (let i = 0; i < n; i++) {
      const sequence = batch.sequence(i);
      if (sequence !== received + i) outOfOrder++;
      checksum = (checksum + sequence + batch.timestampNs(i)) % 4_294_967_296;
    }
    received += n;
  }
  const doneAt = performance.timeOrigin + performance.now();
  native?.close();
  self.postMessage({ received, outOfOrder, checksum, doneAt } satisfies RingBenchReply);
};
