/**
 * One direction of a session's channel to its isolate: a single-producer single-consumer ring of
 * byte records in a `SharedArrayBuffer`, with the doorbell protocol of the runtime's Worker
 * channels (`ffi/transport/channel/doorbell.ts`). Internal to `sessions/`.
 *
 * @module
 */

import {
  ASLEEP_ON_BELL,
  readerMaySleep,
  ringSleepingReader,
  SIGNAL_BELL,
  SIGNAL_BYTES,
  SIGNAL_READER_ASLEEP,
  SIGNAL_SPACE,
  SIGNAL_WRITER_WAITING,
} from "../ffi/transport/channel/doorbell.ts";

/** Int32 index of the write counter (bytes written, ever, modulo 2^32). */
const HEAD = 0;
/** Int32 index of the read counter, on a cache line of its own. */
const TAIL = 16;
/** Byte offset of the doorbell signal, on a cache line of its own. */
export const SIGNAL_AT = 128;
/** Byte offset of the records. */
const DATA_AT = 192;
/** A record's length word that says: the rest of the buffer is unused, go on at its start. */
const WRAP = 0xffff_ffff;
/**
 * Bytes before a record's own: its length word and 4 bytes of padding. Records start on 8 bytes
 * and take a multiple of 8, so a record's bytes start on 8 bytes too: a frame's payload after an
 * 8-byte multiple of head bytes is copied in and out of the shared memory a word at a time. At
 * an offset of 4 (mod 8), V8 copies a `SharedArrayBuffer`'s bytes one at a time: a 38 kB block
 * took 12-17 µs instead of 2 µs each way (Deno 2.9).
 */
export const RECORD_OVERHEAD = 8;

/**
 * The largest record a ring of `capacity` bytes takes: a quarter of it, less its overhead.
 *
 * @param capacity The ring's bytes of records.
 * @returns The largest record's bytes.
 */
export function maxRecordBytes(capacity: number): number {
  return capacity / 4 - RECORD_OVERHEAD;
}

/**
 * A new ring's shared memory: `capacity` bytes of records (a power of two from 1 KiB).
 *
 * @param capacity The bytes records may take.
 * @returns The buffer, for a {@linkcode RingWriter} on one side and a {@linkcode RingReader} on
 *   the other.
 * @throws {RangeError} When `capacity` is not a power of two from 1,024.
 */
export function createRing(capacity: number): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 1024 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(
      `Cannot create a session ring of ${capacity} bytes: a power of two from 1024 is needed`,
    );
  }
  return new SharedArrayBuffer(DATA_AT + capacity);
}

/** The views both ends of a ring use. */
class RingEnd {
  protected readonly counters: Int32Array;
  protected readonly signal: Int32Array;
  protected readonly words: Uint32Array;
  protected readonly bytes: Uint8Array;
  /** The bytes records may take. */
  readonly capacity: number;
  protected readonly mask: number;

  constructor(buffer: SharedArrayBuffer) {
    this.capacity = buffer.byteLength - DATA_AT;
    this.mask = this.capacity - 1;
    this.counters = new Int32Array(buffer, 0, SIGNAL_AT / 4);
    this.signal = new Int32Array(buffer, SIGNAL_AT, SIGNAL_BYTES / 4);
    this.words = new Uint32Array(buffer, DATA_AT, this.capacity / 4);
    this.bytes = new Uint8Array(buffer, DATA_AT, this.capacity);
  }
}

/**
 * The writing end: copies a record in, publishes it, and rings the reader only when it said it
 * sleeps (`ringSleepingReader`). It never blocks: a record that does not fit now is refused, and
 * {@linkcode RingWriter.whenRoom} says when to try again.
 *
 * @example A record crosses
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRing, RingReader, RingWriter } from "./_ring.ts";
 *
 * const buffer = createRing(1024);
 * const writer = new RingWriter(buffer);
 * const reader = new RingReader(buffer);
 * assert.equal(writer.write(new Uint8Array([1, 2, 3])), true);
 * assert.deepEqual([...reader.peek()!], [1, 2, 3]);
 * reader.advance();
 * assert.equal(reader.peek(), undefined);
 * ```
 */
export class RingWriter extends RingEnd {
  /** The largest record {@linkcode RingWriter.write} takes: a quarter of the ring. */
  get maxRecordBytes(): number {
    return maxRecordBytes(this.capacity);
  }

  /**
   * Writes one record: `head`, then `payload` when given, as one run of bytes starting on 8
   * bytes (a `payload` after a head of a multiple of 8 bytes starts on 8 bytes too).
   *
   * @param head The record's first bytes.
   * @param payload Bytes after them.
   * @param ring Whether to ring a sleeping reader now. Default `true`; with `false` the caller
   *   calls {@linkcode RingWriter.ring} after its last record (one wake-up for several).
   * @returns Whether it was written (`false`: no room now, or over `maxRecordBytes`).
   */
  write(head: Uint8Array, payload?: Uint8Array, ring = true): boolean {
    const length = head.byteLength + (payload?.byteLength ?? 0);
    if (length > this.maxRecordBytes) return false;
    const size = RECORD_OVERHEAD + ((length + 7) & ~7);
    const counters = this.counters;
    const at = counters[HEAD]; // only this end stores it
    const free = this.capacity - ((at - Atomics.load(counters, TAIL)) | 0);
    let pos = at & this.mask;
    const tailRoom = this.capacity - pos;
    const skip = size > tailRoom ? tailRoom : 0;
    if (skip + size > free) return false;
    if (skip > 0) {
      this.words[pos >> 2] = WRAP;
      pos = 0;
    }
    this.words[pos >> 2] = length;
    this.bytes.set(head, pos + RECORD_OVERHEAD);
    if (payload) this.bytes.set(payload, pos + RECORD_OVERHEAD + head.byteLength);
    Atomics.store(counters, HEAD, (at + skip + size) | 0);
    if (ring) ringSleepingReader(this.signal);
    return true;
  }

  /** Rings the reader if it sleeps (after records written with `ring` false). */
  ring(): void {
    ringSleepingReader(this.signal);
  }

  /**
   * Resolves once the reader took a record after this call (or at once when the ring is empty).
   *
   * @returns When to try `write()` again.
   */
  async whenRoom(): Promise<void> {
    const signal = this.signal;
    // Read the room bell before saying this end waits: a pop that sees the flag bumps the bell
    // after this read, so the wait below returns at once. Read after the flag, the bell could
    // already hold that pop's bump (the flag taken by it), and the writer would wait for a pop
    // that would not ring again: the session hung until its idle timeout.
    const seen = Atomics.load(signal, SIGNAL_SPACE);
    Atomics.store(signal, SIGNAL_WRITER_WAITING, 1);
    if (Atomics.load(this.counters, HEAD) === Atomics.load(this.counters, TAIL)) {
      Atomics.store(signal, SIGNAL_WRITER_WAITING, 0);
      return;
    }
    const wait = Atomics.waitAsync(signal, SIGNAL_SPACE, seen);
    if (wait.async) await wait.value;
  }
}

/**
 * The reading end: `peek()` the oldest record (a view into the shared memory, valid until
 * `advance()`), `advance()` past it, and `wait()` for the writer's doorbell when it is empty.
 */
export class RingReader extends RingEnd {
  /**
   * The oldest record, or `undefined` when there is none.
   *
   * @returns A view of its bytes in the shared memory, valid until `advance()`.
   */
  peek(): Uint8Array | undefined {
    const counters = this.counters;
    const tail = counters[TAIL]; // only this end stores it
    if (Atomics.load(counters, HEAD) === tail) return undefined;
    let pos = tail & this.mask;
    let length = this.words[pos >> 2];
    if (length === WRAP) {
      const skipped = (tail + this.capacity - pos) | 0;
      Atomics.store(counters, TAIL, skipped);
      if (Atomics.load(counters, HEAD) === skipped) return undefined;
      pos = 0;
      length = this.words[0];
    }
    return this.bytes.subarray(pos + RECORD_OVERHEAD, pos + RECORD_OVERHEAD + length);
  }

  /** Moves past the record `peek()` gave, and rings the writer when it waits for room. */
  advance(): void {
    const counters = this.counters;
    const tail = counters[TAIL];
    const pos = tail & this.mask;
    const size = RECORD_OVERHEAD + ((this.words[pos >> 2] + 7) & ~7);
    Atomics.store(counters, TAIL, (tail + size) | 0);
    const signal = this.signal;
    if (
      Atomics.load(signal, SIGNAL_WRITER_WAITING) !== 0 &&
      Atomics.exchange(signal, SIGNAL_WRITER_WAITING, 0) !== 0
    ) {
      Atomics.add(signal, SIGNAL_SPACE, 1);
      Atomics.notify(signal, SIGNAL_SPACE);
    }
  }

  /**
   * Resolves once a record may be there: at once when one is, else when the writer rings (or
   * {@linkcode RingReader.interrupt} is called). Says it sleeps first, so a record written after
   * the look rings the bell.
   *
   * @returns When to `peek()` again.
   */
  async wait(): Promise<void> {
    const signal = this.signal;
    // The bell before the flag: a late ring that takes the flag then moves the bell past `seen`.
    const seen = readerMaySleep(signal, ASLEEP_ON_BELL);
    if (Atomics.load(this.counters, HEAD) !== this.counters[TAIL]) {
      Atomics.store(signal, SIGNAL_READER_ASLEEP, 0);
      return;
    }
    const wait = Atomics.waitAsync(signal, SIGNAL_BELL, seen);
    if (wait.async) await wait.value;
  }

  /** Wakes a pending {@linkcode RingReader.wait} (to stop reading). */
  interrupt(): void {
    Atomics.add(this.signal, SIGNAL_BELL, 1);
    Atomics.notify(this.signal, SIGNAL_BELL);
  }
}
