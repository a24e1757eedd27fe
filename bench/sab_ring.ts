/**
 * A plain TypeScript SPSC ring of frame messages over a `SharedArrayBuffer` with `Atomics`: the
 * reference the native ring is measured against in `bench/ring_bench.ts`.
 *
 * It uses the same protocol as rtrb: a `head` (next write) and a `tail` (next read) counter, each
 * in `[0, 2 * capacity)` and on its own cache line; the producer copies messages and then publishes
 * `head` with `Atomics.store`, the consumer does the mirror image. Batched operations copy with
 * `TypedArray.set` (a memcpy) and publish once per batch.
 *
 * @module
 */

import { FRAME_MESSAGE_BYTES, type FrameMessageBatch } from "../core/frames/message.ts";

const HEAD = 0; // Int32 index of the write counter (byte 0)
const TAIL = 16; // Int32 index of the read counter (byte 64: its own cache line)
const HEADER_BYTES = 128;

/** One side of a {@linkcode SabRing}: both sides share `buffer` and `capacity`. */
export class SabRing {
  /** Capacity in messages. */
  readonly capacity: number;
  /** The shared memory: post it to a Worker and wrap it with `new SabRing(buffer)` there. */
  readonly buffer: SharedArrayBuffer;
  readonly #counters: Int32Array;
  readonly #data: Uint8Array;

  /**
   * @param capacityOrBuffer A capacity for a new ring, or the buffer of an existing one.
   */
  constructor(capacityOrBuffer: number | SharedArrayBuffer) {
    if (typeof capacityOrBuffer === "number") {
      if (!Number.isInteger(capacityOrBuffer) || capacityOrBuffer < 1) {
        throw new RangeError(`Cannot create a SabRing: capacity ${capacityOrBuffer} is invalid`);
      }
      this.buffer = new SharedArrayBuffer(HEADER_BYTES + capacityOrBuffer * FRAME_MESSAGE_BYTES);
    } else {
      this.buffer = capacityOrBuffer;
    }
    this.capacity = (this.buffer.byteLength - HEADER_BYTES) / FRAME_MESSAGE_BYTES;
    this.#counters = new Int32Array(this.buffer, 0, HEADER_BYTES / 4);
    this.#data = new Uint8Array(this.buffer, HEADER_BYTES);
  }

  #distance(head: number, tail: number): number {
    const d = head - tail;
    return d < 0 ? d + 2 * this.capacity : d;
  }

  #advance(counter: number, n: number): number {
    const next = counter + n;
    return next >= 2 * this.capacity ? next - 2 * this.capacity : next;
  }

  /**
   * Free slots (producer side) — how many messages a push could write now.
   *
   * @returns The count.
   */
  freeSlots(): number {
    return this.capacity -
      this.#distance(this.#counters[HEAD], Atomics.load(this.#counters, TAIL));
  }

  /**
   * Producer side: copies up to `count` messages from `batch`; returns how many fit.
   *
   * @param batch The messages.
   * @param count How many to push.
   * @returns How many were written.
   */
  pushBatch(batch: FrameMessageBatch, count: number): number {
    const head = this.#counters[HEAD]; // only the producer writes head
    const tail = Atomics.load(this.#counters, TAIL);
    const n = Math.min(count, this.capacity - this.#distance(head, tail));
    if (n === 0) return 0;
    const start = head % this.capacity;
    const first = Math.min(n, this.capacity - start);
    const src = batch.bytes;
    this.#data.set(src.subarray(0, first * FRAME_MESSAGE_BYTES), start * FRAME_MESSAGE_BYTES);
    if (first < n) {
      this.#data.set(src.subarray(first * FRAME_MESSAGE_BYTES, n * FRAME_MESSAGE_BYTES), 0);
    }
    Atomics.store(this.#counters, HEAD, this.#advance(head, n));
    return n;
  }

  /**
   * Consumer side: copies up to `max` messages, oldest first, into `batch`.
   *
   * @param batch Where to write them.
   * @param max At most this many.
   * @returns How many were read.
   */
  popBatch(batch: FrameMessageBatch, max: number): number {
    const tail = this.#counters[TAIL]; // only the consumer writes tail
    const head = Atomics.load(this.#counters, HEAD);
    const n = Math.min(max, this.#distance(head, tail));
    if (n === 0) return 0;
    const start = tail % this.capacity;
    const first = Math.min(n, this.capacity - start);
    const base = start * FRAME_MESSAGE_BYTES;
    batch.bytes.set(this.#data.subarray(base, base + first * FRAME_MESSAGE_BYTES), 0);
    if (first < n) {
      batch.bytes.set(
        this.#data.subarray(0, (n - first) * FRAME_MESSAGE_BYTES),
        first * FRAME_MESSAGE_BYTES,
      );
    }
    Atomics.store(this.#counters, TAIL, this.#advance(tail, n));
    return n;
  }
}
