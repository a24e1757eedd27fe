/**
 * Native lock-free SPSC rings of frame messages, shared by isolates and native threads.
 *
 * @module
 */

import type { FrameMessageBatch } from "../../core/frames/message.ts";
import {
  DELIVERY_POLICIES,
  type DeliveryPolicy,
  type FrameRingConsumer,
  type FrameRingProducer,
  MAX_RING_CAPACITY,
} from "../../core/transport/ring.ts";
import { InvalidArgumentError, statusError } from "../native/errors.ts";
import { SL_ERR_INVALID_ARGUMENT } from "../native/status.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { BatchPointer } from "../native/batch_pointer.ts";
import { adoptLibrary, RingEndpoint, type TransferredRingEndpoint } from "./ring_endpoint.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * Options for {@linkcode createNativeRing}.
 */
export interface NativeRingOptions {
  /** Capacity in messages, 1 to 16,777,216. */
  capacity: number;
  /** Delivery policy; `fifo` by default. */
  policy?: DeliveryPolicy;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

/** Throws the count error (callers test `count > batch?.capacity || count < 0` inline first). */
function checkCount(operation: string, batch: FrameMessageBatch, count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > batch.capacity) {
    throw new InvalidArgumentError(operation, "count", count, `an integer 0..${batch.capacity}`);
  }
}

/** Whether two byte views share any memory. */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * The writing end of a native ring.
 *
 * @example Fill a fifo ring in one call
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 *
 * const [producer, consumer] = createNativeRing({ capacity: 4, policy: "fifo" });
 * const batch = new FrameMessageBatch(8);
 * for (let i = 0; i < 8; i++) batch.write(i, 0, 0, 0, 0, i * 1000, i);
 * assert.equal(producer.pushBatch(batch, 8), 4);
 * assert.ok(producer.isFull());
 * assert.equal(producer.slots(), 0);
 * producer.close();
 * consumer.close();
 * ```
 */
export class NativeRingProducer extends RingEndpoint implements FrameRingProducer {
  /** Always `"producer"`. */
  readonly kind = "producer" as const;
  readonly #batch = new BatchPointer();
  readonly #evicted = new BatchPointer();

  /** @internal Use {@linkcode createNativeRing} or {@linkcode NativeRingProducer.adopt}. */
  constructor(lib: NativeLibrary, handle: number) {
    super(lib, handle);
  }

  /**
   * Takes up a producer transferred from another isolate.
   *
   * @param transfer What `transfer()` returned there.
   * @returns The producer, owned by this isolate.
   */
  static adopt(transfer: TransferredRingEndpoint): NativeRingProducer {
    return new NativeRingProducer(adoptLibrary(transfer, "producer"), transfer.handle);
  }

  /**
   * Pushes message 0 of `batch`.
   *
   * @param batch The message source.
   * @returns Whether it was written (`false`: a `fifo` ring is full).
   * @throws {InvalidArgumentError} When `batch` is not a {@linkcode FrameMessageBatch} with room
   *   for one message.
   * @throws {InvalidHandleError} When this endpoint is closed or transferred.
   */
  push(batch: FrameMessageBatch): boolean {
    const pointer = this.#batch.of(batch, 1, "push to ring", "batch");
    const r = this.symbols.sl_ring_push(this.nativeHandle, pointer);
    return r < 0 ? this.fail(r, "push to ring") : r === 1;
  }

  /**
   * Retains, in `pool`, the frame-pool slot that message 0 of `batch` names, then pushes the
   * message, in one native call (a `fifo` ring). For a writer sending a frame's own slot, which
   * otherwise calls `FramePool.retain()` and then {@linkcode NativeRingProducer.push}. Never
   * throws.
   *
   * @param batch The message source.
   * @param pool The native handle of the pool (`FramePool.share().handle`, of this isolate).
   * @returns 1 written (the message owns the new reference), 0 full (nothing changed), or a
   *   negative status with nothing changed: the slot is free or was reused (send a copy), the
   *   ring is `latest`, or an endpoint or the pool is closed.
   *
   * @example Send a slot by handle
   * ```ts
   * import assert from "node:assert/strict";
   * import { FrameMessageBatch } from "../../core/frames/message.ts";
   * import { createNativeRing, FramePool } from "@streamlib/streamlib/ffi";
   *
   * using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
   * const [producer, consumer] = createNativeRing({ capacity: 1, policy: "fifo" });
   * const message = new FrameMessageBatch(1);
   * const slot = pool.acquire();
   * message.write(0, slot, 0, 0, 0, 0, 0);
   * assert.equal(producer.pushRetain(message, pool.share().handle), 1);
   * assert.equal(producer.pushRetain(message, pool.share().handle), 0); // full
   * assert.equal(pool.refCount(slot), 2); // the caller's and the queued message's
   * pool.release(slot);
   * assert.ok(consumer.pop(message));
   * pool.release(message.slot(0));
   * assert.ok(producer.pushRetain(message, pool.share().handle) < 0); // the slot is free now
   * producer.close();
   * consumer.close();
   * ```
   */
  pushRetain(batch: FrameMessageBatch, pool: number): number {
    const pointer = this.#batch.of(batch, 1, "push to ring", "batch");
    return this.symbols.sl_ring_push_retain(this.nativeHandle, pool, pointer);
  }

  /**
   * Pushes the first `count` messages of `batch` in one native call.
   *
   * @param batch The message source.
   * @param count How many, `0..batch.capacity`.
   * @returns How many were written: all of them under `latest` (messages rolled off are dropped,
   *   with their pool slots: use {@linkcode NativeRingProducer.pushEvict} for pooled frames); as
   *   many as fit under `fifo`.
   * @throws {InvalidArgumentError} When `count` is out of range or `batch` is not a
   *   {@linkcode FrameMessageBatch}.
   */
  pushBatch(batch: FrameMessageBatch, count: number): number {
    if (count > batch?.capacity || count < 0) checkCount("push to ring", batch, count);
    const pointer = this.#batch.of(batch, count, "push to ring", "batch");
    const r = this.symbols.sl_ring_push_batch(this.nativeHandle, pointer, count);
    return r < 0 ? this.fail(r, "push to ring") : r;
  }

  /**
   * Pushes the first `count` messages of `batch` to a `latest` ring in one native call and hands
   * back every message this call rolls off: unread ones from the ring, or ones of `batch` itself
   * when `count` exceeds the capacity. They are copied to the front of `evicted`, oldest first;
   * the caller now owns them and must release their frame-pool slots. Nothing is lost: each
   * message pushed is either read by the consumer or returned here.
   *
   * @param batch The message source.
   * @param count How many, `0..batch.capacity`.
   * @param evicted Where the rolled-off messages go: room for `count` messages, not overlapping
   *   `batch`.
   * @returns How many messages were evicted, `0..count`.
   * @throws {InvalidArgumentError} When `count` is out of range, `evicted` is too small or
   *   overlaps `batch`, or the ring is `fifo` (fifo rings never evict; use `pushBatch()`).
   *
   * @example Release the pool slots of frames that rolled off
   * ```ts
   * import assert from "node:assert/strict";
   * import { FrameMessageBatch } from "../../core/frames/message.ts";
   * import { createNativeRing, FramePool } from "@streamlib/streamlib/ffi";
   *
   * using pool = FramePool.create({ slotBytes: 64, slotCount: 4 });
   * using producer = createNativeRing({ capacity: 2, policy: "latest" })[0];
   * const frames = new FrameMessageBatch(3);
   * for (let i = 0; i < 3; i++) frames.write(i, pool.acquire(), 0, 64, 0, i * 1000, i);
   * const evicted = new FrameMessageBatch(3);
   * const n = producer.pushEvict(frames, 3, evicted);
   * for (let i = 0; i < n; i++) pool.release(evicted.slot(i));
   * assert.equal(n, 1);
   * assert.equal(evicted.sequence(0), 0);
   * ```
   */
  pushEvict(batch: FrameMessageBatch, count: number, evicted: FrameMessageBatch): number {
    const operation = "push to ring with eviction";
    if (count > batch?.capacity || count < 0) checkCount(operation, batch, count);
    const source = this.#batch.of(batch, count, operation, "batch");
    if (evicted?.capacity < count) {
      throw new InvalidArgumentError(
        operation,
        "evicted.capacity",
        evicted.capacity,
        `at least count (${count})`,
      );
    }
    const target = this.#evicted.of(evicted, count, operation, "evicted");
    if (overlaps(batch.bytes, evicted.bytes)) {
      throw new InvalidArgumentError(
        operation,
        "evicted",
        "a view overlapping batch",
        "a batch of its own",
      );
    }
    const r = this.symbols.sl_ring_push_evict(this.nativeHandle, source, count, target);
    if (r >= 0) return r;
    // Every other argument was checked above, so an invalid argument here is the ring's policy.
    if (r === SL_ERR_INVALID_ARGUMENT && !this.closed) {
      throw new InvalidArgumentError(
        operation,
        "ring policy",
        "fifo",
        "latest (fifo rings never evict, use pushBatch())",
      );
    }
    return this.fail(r, operation);
  }

  /**
   * Whether a `fifo` push would find no room.
   *
   * @returns `true` when there are no free slots.
   */
  isFull(): boolean {
    return this.slots() === 0;
  }
}

/**
 * The reading end of a native ring.
 *
 * @example Drain a ring whose producer is gone
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 *
 * const [producer, consumer] = createNativeRing({ capacity: 4 });
 * const batch = new FrameMessageBatch(4);
 * for (let i = 0; i < 3; i++) batch.write(i, 0, 0, 0, 0, i * 1000, i);
 * producer.pushBatch(batch, 3);
 * producer.close();
 * assert.ok(consumer.isAbandoned());
 * assert.equal(consumer.popBatch(batch, 4), 3);
 * assert.ok(consumer.isEmpty());
 * consumer.close();
 * ```
 */
export class NativeRingConsumer extends RingEndpoint implements FrameRingConsumer {
  /** Always `"consumer"`. */
  readonly kind = "consumer" as const;
  readonly #batch = new BatchPointer();

  /** @internal Use {@linkcode createNativeRing} or {@linkcode NativeRingConsumer.adopt}. */
  constructor(lib: NativeLibrary, handle: number) {
    super(lib, handle);
  }

  /**
   * Takes up a consumer transferred from another isolate.
   *
   * @param transfer What `transfer()` returned there.
   * @returns The consumer, owned by this isolate.
   */
  static adopt(transfer: TransferredRingEndpoint): NativeRingConsumer {
    return new NativeRingConsumer(adoptLibrary(transfer, "consumer"), transfer.handle);
  }

  /**
   * Pops the oldest message into message 0 of `batch`.
   *
   * @param batch Where to write it.
   * @returns Whether there was one.
   * @throws {InvalidArgumentError} When `batch` is not a {@linkcode FrameMessageBatch} with room
   *   for one message.
   * @throws {InvalidHandleError} When this endpoint is closed or transferred.
   */
  pop(batch: FrameMessageBatch): boolean {
    const pointer = this.#batch.of(batch, 1, "pop from ring", "batch");
    const r = this.symbols.sl_ring_pop(this.nativeHandle, pointer);
    return r < 0 ? this.fail(r, "pop from ring") : r === 1;
  }

  /**
   * Pops up to `max` messages, oldest first, in one native call.
   *
   * @param batch Where to write them.
   * @param max At most this many, `0..batch.capacity`.
   * @returns How many were popped.
   * @throws {InvalidArgumentError} When `max` is out of range or `batch` is not a
   *   {@linkcode FrameMessageBatch}.
   */
  popBatch(batch: FrameMessageBatch, max: number): number {
    if (max > batch?.capacity || max < 0) checkCount("pop from ring", batch, max);
    const pointer = this.#batch.of(batch, max, "pop from ring", "batch");
    const r = this.symbols.sl_ring_pop_batch(this.nativeHandle, pointer, max);
    return r < 0 ? this.fail(r, "pop from ring") : r;
  }

  /**
   * Pops the newest message into message 0 of `batch`; older ones are discarded and counted as
   * dropped. The discarded messages' pool slots are not released: for pooled frames, use
   * `popBatch()`, keep the newest and release the others.
   *
   * @param batch Where to write it.
   * @returns Whether there was one.
   */
  popLatest(batch: FrameMessageBatch): boolean {
    const pointer = this.#batch.of(batch, 1, "pop latest from ring", "batch");
    const r = this.symbols.sl_ring_pop_latest(this.nativeHandle, pointer);
    return r < 0 ? this.fail(r, "pop latest from ring") : r === 1;
  }

  /**
   * Whether there is nothing to read.
   *
   * @returns `true` when no message is ready.
   */
  isEmpty(): boolean {
    return this.slots() === 0;
  }
}

/**
 * Creates a native ring and returns its `[producer, consumer]` pair.
 *
 * @param options Capacity and policy.
 * @returns The two endpoints; each is owned by one isolate at a time (see `transfer()`).
 * @throws {InvalidArgumentError} When the capacity or policy is invalid.
 *
 * @example A fifo ring of four messages
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 *
 * const [producer, consumer] = createNativeRing({ capacity: 4, policy: "fifo" });
 * const message = new FrameMessageBatch(1);
 * message.write(0, 1, 0, 0, 0, 1000, 0);
 * producer.push(message);
 * consumer.pop(message);
 * assert.equal(message.timestampNs(0), 1000);
 * producer.close();
 * consumer.close();
 * ```
 */
export function createNativeRing(
  options: NativeRingOptions,
): [NativeRingProducer, NativeRingConsumer] {
  const { capacity, policy = "fifo" } = options;
  const operation = "create a ring";
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_RING_CAPACITY) {
    throw new InvalidArgumentError(
      operation,
      "capacity",
      capacity,
      `an integer from 1 to ${MAX_RING_CAPACITY}`,
    );
  }
  const policyCode = DELIVERY_POLICIES.indexOf(policy);
  if (policyCode < 0) {
    throw new InvalidArgumentError(operation, "policy", policy, `one of ${DELIVERY_POLICIES}`);
  }
  const lib = options.library ?? loadNativeLibrary();
  const out = new Uint32Array(2);
  const r = lib.symbols.sl_ring_create(capacity, policyCode, out);
  if (r < 0) throw statusError(lib, r, operation);
  return [new NativeRingProducer(lib, out[0]), new NativeRingConsumer(lib, out[1])];
}
