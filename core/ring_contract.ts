/**
 * The contract of a frame ring: a bounded single-producer single-consumer queue of
 * {@linkcode FrameMessageBatch} messages with a delivery policy.
 *
 * `core/` declares it; the native rings in `ffi/` implement it. The vocabulary follows `rtrb`:
 * `[producer, consumer]` pairs, `push`/`pop`, `slots()`, `isFull`/`isEmpty`/`isAbandoned`.
 *
 * @module
 */

import type { FrameMessageBatch } from "./frame_message.ts";

/**
 * How a connection delivers when its buffer is full.
 *
 * - `latest`: the writer never blocks; the oldest messages roll off (counted as dropped), so the
 *   reader can always get the newest.
 * - `fifo`: lossless; a push into a full ring writes nothing and the writer must wait.
 *
 * @example A preview connection that keeps only the newest frame
 * ```ts
 * import { LocalConnection } from "./local_connection.ts";
 * import { type DeliveryPolicy } from "./ring_contract.ts";
 *
 * const policy: DeliveryPolicy = "latest";
 * const preview = new LocalConnection<string>({ capacity: 1, policy });
 * preview.push("frame 1");
 * preview.push("frame 2"); // frame 1 rolls off instead of blocking the writer
 * console.log(preview.pop(), preview.dropped); // frame 2 1
 * ```
 */
export type DeliveryPolicy = "latest" | "fifo";

/**
 * The delivery policies, in ABI order (`fifo` is 0, `latest` is 1).
 *
 * @example Check a policy read from JSON
 * ```ts
 * import { DELIVERY_POLICIES, type DeliveryPolicy } from "./ring_contract.ts";
 *
 * function isDeliveryPolicy(value: unknown): value is DeliveryPolicy {
 *   return DELIVERY_POLICIES.includes(value as DeliveryPolicy);
 * }
 * console.log(isDeliveryPolicy("fifo"), isDeliveryPolicy("newest")); // true false
 * console.log(DELIVERY_POLICIES.indexOf("latest")); // 1, its code in the native ABI
 * ```
 */
export const DELIVERY_POLICIES: readonly DeliveryPolicy[] = ["fifo", "latest"];

/**
 * Largest ring capacity, in messages.
 *
 * @example Capacities above it are refused
 * ```ts
 * import { connectionOptionsProblem } from "./connection_defaults.ts";
 * import { MAX_RING_CAPACITY } from "./ring_contract.ts";
 *
 * console.log(connectionOptionsProblem({ capacity: MAX_RING_CAPACITY })); // undefined
 * console.log(connectionOptionsProblem({ capacity: MAX_RING_CAPACITY + 1 }) !== undefined); // true
 * ```
 */
export const MAX_RING_CAPACITY = 16_777_216;

/**
 * Counters of one ring, readable from either endpoint.
 *
 * @example Read the counters of a native ring
 * ```ts
 * import { FrameMessageBatch } from "./frame_message.ts";
 * import { type RingStats } from "./ring_contract.ts";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 *
 * const [producer, consumer] = createNativeRing({ capacity: 2, policy: "latest" });
 * const message = new FrameMessageBatch(1);
 * for (let i = 0; i < 3; i++) {
 *   message.write(0, i, 0, 0, 0, i * 1000, i);
 *   producer.push(message); // the third push rolls the first message off
 * }
 * const stats: RingStats = consumer.stats();
 * console.log(stats.written, stats.dropped, stats.queued); // 3 1 2
 * producer.close();
 * consumer.close();
 * ```
 */
export interface RingStats {
  /** Capacity in messages. */
  capacity: number;
  /** Messages waiting to be read. */
  queued: number;
  /** Messages accepted by pushes. */
  written: number;
  /** Messages handed to the reader. */
  read: number;
  /** Messages rolled off (`latest`) or skipped by `popLatest`. */
  dropped: number;
  /** Messages that `fifo` pushes could not write because the ring was full. */
  fullRejections: number;
  /** The ring's policy. */
  policy: DeliveryPolicy;
  /** Whether the other endpoint has been closed. */
  abandoned: boolean;
}

/**
 * The writing end of a ring. Hot-path methods never throw on a full ring and never block.
 *
 * @example Write through the contract
 * ```ts
 * import { FrameMessageBatch } from "./frame_message.ts";
 * import { type FrameRingProducer } from "./ring_contract.ts";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 *
 * function send(producer: FrameRingProducer, batch: FrameMessageBatch): boolean {
 *   return !producer.isAbandoned() && producer.push(batch);
 * }
 * const [producer, consumer] = createNativeRing({ capacity: 1, policy: "fifo" });
 * const message = new FrameMessageBatch(1);
 * console.log(send(producer, message), send(producer, message)); // true false: fifo and full
 * consumer.close();
 * console.log(producer.isAbandoned()); // true
 * producer.close();
 * ```
 */
export interface FrameRingProducer extends Disposable {
  /** Pushes message 0 of `batch`; returns whether it was written (`fifo` may be full). */
  push(batch: FrameMessageBatch): boolean;
  /** Pushes the first `count` messages of `batch`; returns how many were written. */
  pushBatch(batch: FrameMessageBatch, count: number): number;
  /** Free slots. */
  slots(): number;
  /** Whether a `fifo` push would find no room. */
  isFull(): boolean;
  /** Whether the consumer has been closed. */
  isAbandoned(): boolean;
  /** The ring's counters. */
  stats(): RingStats;
  /** Frees this endpoint; idempotent. */
  close(): void;
}

/**
 * The reading end of a ring. Hot-path methods never throw on an empty ring and never block.
 *
 * @example Drain everything queued, a batch at a time
 * ```ts
 * import { FrameMessageBatch } from "./frame_message.ts";
 * import { type FrameRingConsumer } from "./ring_contract.ts";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 *
 * function drain(consumer: FrameRingConsumer, batch: FrameMessageBatch): number {
 *   let total = 0;
 *   for (let n; (n = consumer.popBatch(batch, batch.capacity)) > 0;) total += n;
 *   return total;
 * }
 * const [producer, consumer] = createNativeRing({ capacity: 8, policy: "fifo" });
 * producer.pushBatch(new FrameMessageBatch(5), 5);
 * console.log(drain(consumer, new FrameMessageBatch(2)), consumer.isEmpty()); // 5 true
 * producer.close();
 * consumer.close();
 * ```
 */
export interface FrameRingConsumer extends Disposable {
  /** Pops the oldest message into message 0 of `batch`; returns whether there was one. */
  pop(batch: FrameMessageBatch): boolean;
  /** Pops up to `max` messages, in order, into `batch`; returns how many. */
  popBatch(batch: FrameMessageBatch, max: number): number;
  /** Pops the newest message into message 0 of `batch`, discarding older ones as dropped. */
  popLatest(batch: FrameMessageBatch): boolean;
  /** Messages ready to read. */
  slots(): number;
  /** Whether there is nothing to read. */
  isEmpty(): boolean;
  /** Whether the producer has been closed. */
  isAbandoned(): boolean;
  /** The ring's counters. */
  stats(): RingStats;
  /** Frees this endpoint; idempotent. */
  close(): void;
}
