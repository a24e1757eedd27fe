/**
 * The contract of a frame ring: a bounded single-producer single-consumer queue of
 * {@linkcode FrameMessageBatch} messages with a delivery policy.
 *
 * `core/` declares it; the native rings in `ffi/` implement it. The vocabulary follows `rtrb`:
 * `[producer, consumer]` pairs, `push`/`pop`, `slots()`, `isFull`/`isEmpty`/`isAbandoned`.
 *
 * @module
 */

import type { FrameMessageBatch } from "../frames/message.ts";

/**
 * How a connection delivers when its buffer is full.
 *
 * - `latest`: the writer never blocks; the oldest messages roll off (counted as dropped), so the
 *   reader can always get the newest.
 * - `fifo`: lossless; a push into a full ring writes nothing and the writer must wait.
 */
export type DeliveryPolicy = "latest" | "fifo";

/**
 * The delivery policies, in ABI order (`fifo` is 0, `latest` is 1).
 */
export const DELIVERY_POLICIES: readonly DeliveryPolicy[] = ["fifo", "latest"];

/**
 * Largest ring capacity, in messages.
 *
 * @example Capacities above it are refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionOptionsProblem } from "../graph/connection_defaults.ts";
 * import { MAX_RING_CAPACITY } from "./ring.ts";
 *
 * assert.equal(connectionOptionsProblem({ capacity: MAX_RING_CAPACITY }), undefined);
 * assert.ok(connectionOptionsProblem({ capacity: MAX_RING_CAPACITY + 1 }) !== undefined);
 * ```
 */
export const MAX_RING_CAPACITY = 16_777_216;

/**
 * Counters of one ring, readable from either endpoint.
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
