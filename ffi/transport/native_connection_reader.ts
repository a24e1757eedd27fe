/**
 * The reading end of a native connection.
 *
 * @module
 */

import type { ConnectionReader } from "../../core/transport/connection.ts";
import type { Frame } from "../../core/frames/frame.ts";
import { FrameMessageBatch, NO_SLOT } from "../../core/frames/message.ts";
import type { DeliveryPolicy } from "../../core/transport/ring.ts";
import {
  type ConnectionSharedState,
  COUNTER,
  type NativeConnectionStats,
} from "./connection_shared_state.ts";
import {
  type AdoptConnectionOptions,
  adoptParts,
  type ConnectionEndParts,
  type TransferredConnectionEnd,
} from "./connection_transfer.ts";
import { InvalidHandleError } from "../native/errors.ts";
import { FrameDecoder } from "./channel/decoder.ts";
import type { FramePool } from "./frame_pool.ts";
import { NativeRingConsumer } from "./native_ring.ts";

/** Most messages popped per native call while skipping or draining. */
const DRAIN_BATCH = 64;

/**
 * Reads frames from a native connection, in any isolate. Implements `ConnectionReader`: reads
 * never block and allocate nothing for video and audio.
 *
 * **Validity rule.** A frame returned by `pop()` or `popLatest()` is a zero-copy view of a
 * frame-pool slot. It stays valid until the next `pop()`/`popLatest()` on this reader (whether or
 * not that returns a frame), `transfer()` or `close()`: the reader then releases its slot
 * reference. Frame objects are reused (two per kind, in turn). To keep a frame longer, copy it, or
 * write it on to another native connection (which takes its own reference).
 *
 * `popLatest()` releases the slot of every message it skips; `close()` releases those still
 * queued, after stopping the writer, so a closed connection holds no slot.
 *
 * @typeParam T The frame type.
 *
 * @example Read what a writer pushed
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { createNativeConnection } from "./native_connection.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
 * const [writer, reader] = createNativeConnection({ capacity: 4, policy: "fifo", pool });
 * writer.push({ kind: "data", timestampNs: 1, value: "a" });
 * writer.push({ kind: "data", timestampNs: 2, value: "b" });
 * assert.equal(reader.available, 2);
 * assert.equal(reader.popLatest()?.timestampNs, 2);
 * assert.equal(reader.stats().dropped, 1);
 * writer.close();
 * reader.close();
 * assert.equal(pool.stats().inUse, 0);
 * ```
 */
export class NativeConnectionReader<T extends Frame = Frame>
  implements ConnectionReader<T>, Disposable {
  /** Capacity in frames. */
  readonly capacity: number;
  /** The delivery policy. */
  readonly policy: DeliveryPolicy;
  readonly #consumer: NativeRingConsumer;
  readonly #parts: ConnectionEndParts;
  readonly #decoder: FrameDecoder;
  readonly #counters: Float64Array;
  readonly #one = new FrameMessageBatch(1);
  readonly #batch: FrameMessageBatch;
  readonly #rounds: number;
  #held = NO_SLOT;
  #closed = false;

  /** @internal Use `createNativeConnection()` or {@linkcode NativeConnectionReader.adopt}. */
  constructor(consumer: NativeRingConsumer, parts: ConnectionEndParts) {
    this.#consumer = consumer;
    this.#parts = parts;
    this.capacity = parts.capacity;
    this.policy = parts.policy;
    this.#decoder = new FrameDecoder(parts.pool);
    this.#counters = parts.shared.counters;
    this.#batch = new FrameMessageBatch(Math.min(parts.capacity, DRAIN_BATCH));
    this.#rounds = Math.ceil(parts.capacity / this.#batch.capacity) + 1;
  }

  /**
   * Takes up, in this isolate, a reader another isolate transferred.
   *
   * @param transfer What `transfer()` returned there.
   * @param options A pool this isolate already attached, so frames read here can be written on
   * to other connections of that pool object by handle.
   * @returns The reader, owned by this isolate.
   * @throws {TypeError} When `transfer` is not a reader's, or `options.pool` is another pool.
   */
  static adopt<T extends Frame = Frame>(
    transfer: TransferredConnectionEnd,
    options: AdoptConnectionOptions = {},
  ): NativeConnectionReader<T> {
    const parts = adoptParts(transfer, "connection-reader", options);
    return new NativeConnectionReader<T>(NativeRingConsumer.adopt(transfer.ring), parts);
  }

  /** The pool whose slots carry this connection's payloads. */
  get pool(): FramePool {
    return this.#parts.pool;
  }

  /** Whether `close()` or `transfer()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Frames ready to read (0 once closed). */
  get available(): number {
    return this.#closed ? 0 : this.#consumer.slots();
  }

  /**
   * Ends the previous frame's validity, then takes the oldest frame.
   *
   * @returns The frame, or `undefined` when there is none.
   * @throws {InvalidHandleError} When the reader is closed.
   */
  pop(): T | undefined {
    this.#checkOpen("pop from a native connection");
    this.#releaseHeld();
    const message = this.#one;
    while (this.#consumer.pop(message)) {
      const frame = this.#decoder.decode(message, 0);
      if (frame !== undefined) {
        this.#held = message.slot(0);
        this.#counters[COUNTER.READ]++;
        return frame as T;
      }
      this.#discardInvalid(message.slot(0));
    }
    return undefined;
  }

  /**
   * Ends the previous frame's validity, then takes the newest frame; the older ones are released
   * and counted as dropped.
   *
   * @returns The frame, or `undefined` when there is none.
   * @throws {InvalidHandleError} When the reader is closed.
   */
  popLatest(): T | undefined {
    this.#checkOpen("pop latest from a native connection");
    this.#releaseHeld();
    const batch = this.#batch;
    const newest = this.#one;
    let found = false;
    // Bounded, so a writer that keeps the ring full cannot hold the reader here.
    for (let round = 0; round < this.#rounds; round++) {
      const n = this.#consumer.popBatch(batch, batch.capacity);
      if (n === 0) break;
      if (found) this.#discard(newest.slot(0));
      for (let i = 0; i < n - 1; i++) this.#discard(batch.slot(i));
      const last = n - 1;
      newest.write(
        0,
        batch.slot(last),
        batch.format(last),
        batch.byteLength(last),
        batch.flags(last),
        batch.timestampNs(last),
        batch.sequence(last),
      );
      found = true;
      if (n < batch.capacity) break;
    }
    if (!found) return undefined;
    const frame = this.#decoder.decode(newest, 0);
    if (frame === undefined) {
      this.#discardInvalid(newest.slot(0));
      return undefined;
    }
    this.#held = newest.slot(0);
    this.#counters[COUNTER.READ]++;
    return frame as T;
  }

  /**
   * Whether the writer has closed. Frames it wrote before may still be queued.
   *
   * @returns `true` once the other end is gone.
   */
  isAbandoned(): boolean {
    return this.#closed || this.#parts.shared.writerClosed || this.#consumer.isAbandoned();
  }

  /**
   * The connection's counters (allocates; control paths). Works after `close()` too.
   *
   * @returns A snapshot; `written = read + dropped + queued`.
   */
  stats(): NativeConnectionStats {
    return this.#parts.shared.stats();
  }

  /**
   * The connection's shared counters: keep it to read `stats()` after both ends have been
   * transferred to other isolates. Its `buffer` can be posted too.
   */
  get state(): ConnectionSharedState {
    return this.#parts.shared;
  }

  /**
   * Ends the current frame's validity and gives up this reader for another isolate to adopt
   * (`NativeConnectionReader.adopt`). Queued frames stay queued.
   *
   * @returns A structured-cloneable object to post.
   * @throws {InvalidHandleError} When already closed or transferred.
   */
  transfer(): TransferredConnectionEnd {
    this.#checkOpen("transfer a native connection reader");
    this.#releaseHeld();
    const ring = this.#consumer.transfer();
    this.#closed = true;
    const { poolShare, slab, shared, capacity, policy } = this.#parts;
    if (this.#parts.ownsPool) this.#parts.pool.close();
    return {
      kind: "connection-reader",
      ring,
      pool: poolShare,
      slab,
      shared: shared.buffer,
      capacity,
      policy,
    };
  }

  /**
   * Drops every frame queued now, releasing its slot (counted as dropped), and ends the current
   * frame's validity; the connection stays open. A stopped graph starts empty this way, so the
   * input of a node that failed does not pin pool slots.
   *
   * @returns The frames dropped.
   */
  clear(): number {
    if (this.#closed) return 0;
    this.#releaseHeld();
    const batch = this.#batch;
    let dropped = 0;
    // Bounded like popLatest(), so a writer that keeps the ring full cannot hold the reader here.
    for (let round = 0; round < this.#rounds; round++) {
      const n = this.#consumer.popBatch(batch, batch.capacity);
      for (let i = 0; i < n; i++) this.#discard(batch.slot(i));
      dropped += n;
      if (n < batch.capacity) break;
    }
    return dropped;
  }

  /**
   * Closes this end: stops the writer (later pushes are refused or dropped), ends the current
   * frame's validity and releases every queued frame's slot. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#parts.shared.closeReader();
    this.#releaseHeld();
    const batch = this.#batch;
    for (let n = this.#consumer.popBatch(batch, batch.capacity); n > 0;) {
      for (let i = 0; i < n; i++) this.#discard(batch.slot(i));
      n = this.#consumer.popBatch(batch, batch.capacity);
    }
    this.#closed = true;
    this.#consumer.close();
    if (this.#parts.ownsPool) this.#parts.pool.close();
  }

  /** Same as {@linkcode NativeConnectionReader.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(operation: string): void {
    if (this.#closed) throw new InvalidHandleError(operation, "this reader is closed");
  }

  /**
   * Hands the reference of the last frame returned to the caller: this reader will not release
   * it at the next read, the caller must (`pool.release(slot)`). Used to give frames an owner that
   * outlives the next read.
   *
   * @returns The slot whose reference moves to the caller, or `NO_SLOT` when none is held.
   */
  takeHeld(): number {
    const held = this.#held;
    this.#held = NO_SLOT;
    return held;
  }

  #releaseHeld(): void {
    const held = this.#held;
    if (held === NO_SLOT) return;
    this.#held = NO_SLOT;
    this.#parts.pool.release(held);
  }

  #discard(slot: number): void {
    this.#counters[COUNTER.DISCARDED]++;
    if (slot !== NO_SLOT) this.#parts.pool.release(slot);
  }

  #discardInvalid(slot: number): void {
    this.#counters[COUNTER.INVALID]++;
    try {
      this.#discard(slot);
    } catch {
      // A message that did not decode may name no live slot; there is nothing to release then.
    }
  }
}
