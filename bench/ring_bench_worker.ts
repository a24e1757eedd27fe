/// <reference lib="deno.worker" />
// The consumer side of bench/ring_bench.ts: pops batches, checks order, sums a checksum, and
// reports when it has seen every message.

import { FrameMessageBatch } from "../core/frames/message.ts";
import { NativeRingConsumer, type TransferredRingEndpoint } from "../ffi/mod.ts";
import { SabRing } from "./sab_ring.ts";

/** A job posted by the bench: which ring, how many messages, what batch size. */
export interface RingBenchJob {
  ring: { native: TransferredRingEndpoint } | { sab: SharedArrayBuffer };
  messages: number;
  batch: number;
  /** `"message"`: check every message's sequence; `"batch"`: only each batch's last one. */
  check: "message" | "batch";
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
  const { ring, messages, batch: size, check } = event.data;
  const batch = new FrameMessageBatch(size);
  const native = "native" in ring ? NativeRingConsumer.adopt(ring.native) : undefined;
  const sab = "sab" in ring ? new SabRing(ring.sab) : undefined;
  self.postMessage("ready");
  let received = 0;
  let outOfOrder = 0;
  let checksum = 0;
  while (received < messages) {
    const n = native ? native.popBatch(batch, size) : sab!.popBatch(batch, size);
    if (check === "message") {
      for (let i = 0; i < n; i++) {
        const sequence = batch.sequence(i);
        if (sequence !== received + i) outOfOrder++;
        checksum += sequence;
      }
    } else if (n > 0) {
      // The producer stamps each batch's last message; batches arrive whole, so it must match.
      if (batch.sequence(n - 1) !== received + n - 1) outOfOrder++;
    }
    received += n;
  }
  const doneAt = performance.timeOrigin + performance.now();
  native?.close();
  self.postMessage({ received, outOfOrder, checksum, doneAt } satisfies RingBenchReply);
};
