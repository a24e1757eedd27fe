/**
 * The writing end of a native connection.
 *
 * @module
 */

import type { ConnectionWriter } from "../../core/transport/connection.ts";
import type { Frame } from "../../core/frames/frame.ts";
import { FrameMessageBatch } from "../../core/frames/message.ts";
import { releaseFrame, retainFrame } from "../../core/frames/owned_frame.ts";
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
import {
  ENCODE_POOL_EXHAUSTED,
  ENCODED_UNRETAINED,
  ENCODED_ZERO_COPY,
  FrameEncoder,
} from "./channel/encoder.ts";
import type { FramePool } from "./frame_pool.ts";
import { NativeRingProducer } from "./native_ring.ts";

/**
 * Writes frames into a native connection, from any isolate. Implements `ConnectionWriter`:
 * `push` never blocks; it returns `false` only when a `fifo` connection cannot take the frame
 * now (full, every pool slot in use, or the reader gone), and then writes nothing.
 *
 * Each accepted frame's message owns one slot reference: the frame's own slot, retained (a pool
 * frame of this pool object: zero copy), or a fresh slot the payload was copied into. Under
 * `latest` the writer pushes with eviction and releases the slots of the frames that roll off;
 * under `fifo` a frame that is not written has its reference released at once.
 *
 * Pool exhaustion: a frame that must be copied (its payload is not in this pool) needs a free
 * slot. A `latest` push that finds none counts the frame as written and dropped. A `fifo` push
 * keeps the frame instead (one reference, {@linkcode NativeConnectionWriter.pending}) and returns
 * `true`: it is written before anything else as soon as a slot is free, and until then
 * `freeSlots` is 0 and further pushes are refused, so the writing node waits (back-pressure) and
 * nothing is lost. Each later `push()`, `freeSlots` read or `flushPending()` call tries again.
 * Only `FrameTooLargeError` and `InvalidFrameError` (bad frames) and `InvalidHandleError` (a
 * closed writer) are thrown.
 *
 * @typeParam T The frame type.
 *
 * @example Push a frame; see `createNativeConnection()` for the pair
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioFrame } from "@streamlib/streamlib";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { createNativeConnection } from "./native_connection.ts";
 *
 * using pool = FramePool.create({ slotBytes: 4096, slotCount: 4 });
 * const [writer, reader] = createNativeConnection({ capacity: 1, policy: "fifo", pool });
 * const block = createAudioFrame(2, 48_000, 128);
 * assert.ok(writer.push(block));
 * assert.equal(writer.push(block), false);
 * writer.close();
 * reader.close(); // releases the queued frame's slot
 * ```
 */
export class NativeConnectionWriter<T extends Frame = Frame>
  implements ConnectionWriter<T>, Disposable {
  /** Capacity in frames. */
  readonly capacity: number;
  /** The delivery policy. */
  readonly policy: DeliveryPolicy;
  readonly #producer: NativeRingProducer;
  readonly #parts: ConnectionEndParts;
  readonly #encoder: FrameEncoder;
  readonly #counters: Float64Array;
  readonly #latest: boolean;
  /** This isolate's native handle of the pool, for `pushRetain()`. */
  readonly #poolHandle: number;
  readonly #message = new FrameMessageBatch(1);
  readonly #evicted = new FrameMessageBatch(1);
  #sequence = 0;
  #closed = false;
  /**
   * Free ring places this writer knows of: a lower bound, as only this end pushes and the reader
   * only frees places. A `fifo` push asks the ring (one native call) only when it reaches 0.
   */
  #room = 0;
  /** A `fifo` frame accepted while the pool had no slot for its copy; written first. */
  #pending: T | undefined;

  /** @internal Use `createNativeConnection()` or {@linkcode NativeConnectionWriter.adopt}. */
  constructor(producer: NativeRingProducer, parts: ConnectionEndParts) {
    this.#producer = producer;
    this.#parts = parts;
    this.capacity = parts.capacity;
    this.policy = parts.policy;
    this.#latest = parts.policy === "latest";
    this.#encoder = new FrameEncoder(parts.pool);
    this.#counters = parts.shared.counters;
    this.#poolHandle = parts.pool.share().handle;
  }

  /**
   * Takes up, in this isolate, a writer another isolate transferred.
   *
   * @param transfer What `transfer()` returned there.
   * @param options A pool this isolate already attached, so its pool frames go zero-copy.
   * @returns The writer, owned by this isolate.
   * @throws {TypeError} When `transfer` is not a writer's, or `options.pool` is another pool.
   */
  static adopt<T extends Frame = Frame>(
    transfer: TransferredConnectionEnd,
    options: AdoptConnectionOptions = {},
  ): NativeConnectionWriter<T> {
    const parts = adoptParts(transfer, "connection-writer", options);
    return new NativeConnectionWriter<T>(NativeRingProducer.adopt(transfer.ring), parts);
  }

  /** The pool whose slots carry this connection's payloads. */
  get pool(): FramePool {
    return this.#parts.pool;
  }

  /** Whether `close()` or `transfer()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Offers one frame. Never blocks; allocates nothing for video and audio.
   *
   * @param frame The frame.
   * @returns `false` only when a `fifo` connection cannot take it now (nothing written).
   * @throws {FrameTooLargeError} When the payload does not fit the pool's slots.
   * @throws {InvalidFrameError} When the frame has no encoding.
   * @throws {InvalidHandleError} When the writer is closed.
   */
  push(frame: T): boolean {
    if (this.#closed) {
      throw new InvalidHandleError("push to a native connection", "this writer is closed");
    }
    const shared = this.#parts.shared;
    if (!shared.beginPush()) return this.#undeliverable();
    const c = this.#counters;
    try {
      if (this.#pending !== undefined && !this.#writePending()) {
        // The frame kept for want of a slot goes first: this one waits its turn.
        c[COUNTER.REJECTED]++;
        return false;
      }
      if (!this.#latest && this.#room === 0 && (this.#room = this.#producer.slots()) === 0) {
        // Full: refuse before encoding, so a waiting fifo writer does not copy on each retry.
        c[COUNTER.REJECTED]++;
        return false;
      }
      const message = this.#message;
      let how = this.#encoder.encode(frame, message, 0, this.#sequence, !this.#latest);
      if (how === ENCODED_UNRETAINED) {
        // A frame of this pool passed on unchanged: retain its slot and push in one native call.
        c[COUNTER.WRITTEN]++;
        const pushed = this.#producer.pushRetain(message, this.#poolHandle);
        if (pushed === 1) {
          this.#room--;
          this.#sequence++;
          c[COUNTER.ZERO_COPY]++;
          return true;
        }
        c[COUNTER.WRITTEN]--;
        if (pushed === 0) {
          this.#room = 0;
          c[COUNTER.REJECTED]++;
          return false;
        }
        // Refused with nothing changed (the slot was freed since, or a handle is closed): the
        // frame is copied, or the error reported, as by any other push.
        how = this.#encoder.encode(frame, message, 0, this.#sequence);
      }
      if (how === ENCODE_POOL_EXHAUSTED) {
        c[COUNTER.POOL_EXHAUSTED]++;
        if (this.#latest) return this.#undeliverable();
        // fifo: keep it (back-pressure, not loss) and write it once a slot is free.
        retainFrame(frame);
        this.#pending = frame;
        return true;
      }
      // Counted before the ring sees it, so a snapshot never shows more read than written.
      c[COUNTER.WRITTEN]++;
      if (this.#latest) {
        const evicted = this.#producer.pushEvict(message, 1, this.#evicted);
        for (let i = 0; i < evicted; i++) this.#parts.pool.release(this.#evicted.slot(i));
        c[COUNTER.EVICTED] += evicted;
      } else if (this.#producer.push(message)) {
        this.#room--;
      } else {
        this.#room = 0;
        c[COUNTER.WRITTEN]--;
        c[COUNTER.REJECTED]++;
        this.#parts.pool.release(message.slot(0));
        return false;
      }
      this.#sequence++;
      c[how === ENCODED_ZERO_COPY ? COUNTER.ZERO_COPY : COUNTER.COPIED]++;
      return true;
    } finally {
      shared.endPush();
    }
  }

  /**
   * Free places in the ring: how many frames a `fifo` push takes before it refuses (for `fifo`,
   * the places this writer knows of, at least that many; for `latest`, the ring's count now).
   *
   * @returns The count (0 once closed).
   */
  get freeSlots(): number {
    if (this.#closed) return 0;
    if (this.#pending !== undefined && !this.flushPending()) return 0;
    // `latest` pushes evict instead of counting down `#room`: ask the ring.
    if (this.#latest) return this.#producer.slots();
    return this.#room > 0 ? this.#room : (this.#room = this.#producer.slots());
  }

  /** Whether a `fifo` frame waits for a free pool slot (see the class docs). */
  get pending(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Writes the frame kept for want of a pool slot, if a slot is free now and the ring has room.
   *
   * @returns `true` when nothing waits any more (written now, or nothing was waiting).
   */
  flushPending(): boolean {
    if (this.#pending === undefined) return true;
    if (this.#closed) return false;
    const shared = this.#parts.shared;
    if (!shared.beginPush()) {
      // The reader is gone: the frame can never be read.
      this.#dropPending();
      return true;
    }
    try {
      return this.#writePending();
    } finally {
      shared.endPush();
    }
  }

  #writePending(): boolean {
    const frame = this.#pending!;
    if (this.#room === 0 && (this.#room = this.#producer.slots()) === 0) return false;
    const message = this.#message;
    const how = this.#encoder.encode(frame, message, 0, this.#sequence);
    if (how === ENCODE_POOL_EXHAUSTED) return false;
    const c = this.#counters;
    c[COUNTER.WRITTEN]++;
    if (this.#producer.push(message)) {
      this.#room--;
    } else {
      // Not reached: the ring had room and only this end pushes.
      this.#room = 0;
      c[COUNTER.WRITTEN]--;
      this.#parts.pool.release(message.slot(0));
      return false;
    }
    this.#sequence++;
    c[COUNTER.COPIED]++;
    this.#pending = undefined;
    releaseFrame(frame);
    return true;
  }

  /**
   * Gives up the frame kept for want of a pool slot: it is not written (counted in
   * `fullRejections`). For a writer that waited too long: when every slot is held by frames
   * queued behind nodes that themselves wait for a slot, waiting longer would never end.
   *
   * @returns Whether a frame was waiting.
   */
  dropPending(): boolean {
    const waiting = this.#pending !== undefined;
    this.#dropPending();
    return waiting;
  }

  #dropPending(): void {
    const frame = this.#pending;
    if (frame === undefined) return;
    this.#pending = undefined;
    this.#counters[COUNTER.REJECTED]++;
    releaseFrame(frame);
  }

  /**
   * Counts a frame taken and not written because its reader stopped reading (its node failed or
   * ended) or the channel was torn down: `discarded` in the stats, not `written`. Writes nothing;
   * the caller keeps its reference to the frame.
   */
  countUnwritten(): void {
    this.#counters[COUNTER.UNWRITTEN]++;
  }

  /**
   * Whether the reader has closed: pushes are then refused (`fifo`) or dropped (`latest`).
   *
   * @returns `true` once the other end is gone.
   */
  isAbandoned(): boolean {
    return this.#parts.shared.readerClosed || this.#closed || this.#producer.isAbandoned();
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
   * Gives up this writer for another isolate to adopt (`NativeConnectionWriter.adopt`). The pool
   * the connection was created with must stay open in its isolate until then.
   *
   * @returns A structured-cloneable object to post.
   * @throws {InvalidHandleError} When already closed or transferred.
   */
  transfer(): TransferredConnectionEnd {
    this.#dropPending();
    const ring = this.#producer.transfer();
    this.#closed = true;
    const { poolShare, slab, shared, capacity, policy } = this.#parts;
    if (this.#parts.ownsPool) this.#parts.pool.close();
    return {
      kind: "connection-writer",
      ring,
      pool: poolShare,
      slab,
      shared: shared.buffer,
      capacity,
      policy,
    };
  }

  /** Closes this end. Idempotent. Frames already written stay readable; the reader drains them. */
  close(): void {
    if (this.#closed) return;
    this.#dropPending(); // a frame still waiting for a slot is not written (counted rejected)
    this.#closed = true;
    this.#parts.shared.closeWriter();
    this.#producer.close();
    if (this.#parts.ownsPool) this.#parts.pool.close();
  }

  /** Same as {@linkcode NativeConnectionWriter.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #undeliverable(): boolean {
    if (this.#latest) {
      this.#counters[COUNTER.WRITTEN]++;
      this.#counters[COUNTER.UNDELIVERED]++;
      return true;
    }
    this.#counters[COUNTER.REJECTED]++;
    return false;
  }
}
