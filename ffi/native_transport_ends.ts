/**
 * The ends of a {@linkcode NativeTransport} channel: native connection ends plus the channel's
 * doorbell, which tells the reading isolate that frames arrived.
 *
 * @module
 */

import type { ConnectionReader, ConnectionWriter } from "../core/connection.ts";
import type { Frame } from "../core/frame.ts";
import { COUNTER } from "./connection_shared_state.ts";
import type { NativeConnectionReader } from "./native_connection_reader.ts";
import type { NativeConnectionWriter } from "./native_connection_writer.ts";

/**
 * Index of the doorbell in a channel's signal (`Int32Array`): bumped after every push.
 *
 * @example A waiter that looked before a push cannot miss it
 * ```ts
 * import {
 *   createNativeConnection,
 *   FramePool,
 *   SIGNAL_BELL,
 *   SIGNAL_BYTES,
 *   SignalledWriter,
 * } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * const [native, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * using writer = new SignalledWriter(native, signal);
 * const seen = Atomics.load(signal, SIGNAL_BELL); // a reader reads the bell, then the ring
 * writer.push({ kind: "data", timestampNs: 0, value: 1 });
 * // ...so its wait on the value it saw returns at once:
 * console.log(Atomics.waitAsync(signal, SIGNAL_BELL, seen).value); // not-equal
 * reader.close();
 * ```
 */
export const SIGNAL_BELL = 0;
/**
 * Index of the torn-down flag: 1 once the channel's other isolate died.
 *
 * @example A torn-down channel drops what is written
 * ```ts
 * import {
 *   createNativeConnection,
 *   FramePool,
 *   SIGNAL_BYTES,
 *   SIGNAL_TORN,
 *   SignalledWriter,
 * } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * const [native, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * using writer = new SignalledWriter(native, signal);
 * Atomics.store(signal, SIGNAL_TORN, 1); // what NativeTransport.tearDownConnection() does
 * console.log(writer.push({ kind: "data", timestampNs: 0, value: 1 }), reader.available); // true 0
 * reader.close();
 * ```
 */
export const SIGNAL_TORN = 1;
/**
 * Index of the room bell in a channel's signal: bumped by the reader, after a pop, when the writer
 * has said it waits for room ({@linkcode SIGNAL_WRITER_WAITING}). A `fifo` writer whose ring is
 * full waits on it with `Atomics.waitAsync` (back-pressure across isolates).
 *
 * @example The reader rings the room bell only for a waiting writer
 * ```ts
 * import { SIGNAL_BYTES, SIGNAL_SPACE, SIGNAL_WRITER_WAITING } from "@streamlib/streamlib/ffi";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * Atomics.store(signal, SIGNAL_WRITER_WAITING, 1); // what a blocked writer does
 * console.log(signal[SIGNAL_SPACE]); // 0, until its reader pops a frame
 * ```
 */
export const SIGNAL_SPACE = 2;
/**
 * Index of the writer-waiting flag: 1 while a `fifo` writer waits for room, so that its reader
 * rings {@linkcode SIGNAL_SPACE} after its next pop (and only then: a pop costs one load).
 *
 * @example Nobody waits on a fresh channel
 * ```ts
 * import { SIGNAL_BYTES, SIGNAL_WRITER_WAITING } from "@streamlib/streamlib/ffi";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * console.log(signal[SIGNAL_WRITER_WAITING]); // 0
 * ```
 */
export const SIGNAL_WRITER_WAITING = 3;
/**
 * Bytes of a channel's signal buffer.
 *
 * @example Allocate a channel's signal
 * ```ts
 * import { SIGNAL_BELL, SIGNAL_BYTES, SIGNAL_TORN } from "@streamlib/streamlib/ffi";
 *
 * // Shared memory, so that it can be posted to both isolates of the channel.
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * console.log(signal.length, signal[SIGNAL_BELL], signal[SIGNAL_TORN]); // 4 0 0
 * ```
 */
export const SIGNAL_BYTES = 16;
/**
 * Video and encoded frames a {@linkcode SignalledReader} keeps valid: a frame read from it stays
 * valid for the next 7 reads, like a frame from a processor's frame allocator of `hold` 8.
 *
 * @example A frame stays valid for READER_HOLD reads
 * ```ts
 * import type { VideoFrame } from "@streamlib/streamlib";
 * import {
 *   createNativeConnection,
 *   FramePool,
 *   READER_HOLD,
 *   SIGNAL_BYTES,
 *   SignalledReader,
 *   SignalledWriter,
 * } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 16 });
 * const [w, r] = createNativeConnection<VideoFrame>({ capacity: 16, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * using reader = new SignalledReader(r, signal, () => {}, () => {});
 * using writer = new SignalledWriter(w, signal);
 * const frame = (i: number): VideoFrame => ({
 *   kind: "video",
 *   width: 2,
 *   height: 2,
 *   format: "RGBA",
 *   stride: 8,
 *   timestampNs: i,
 *   frameNumber: i,
 *   data: new Uint8Array(16),
 * });
 * for (let i = 0; i < 12; i++) writer.push(frame(i));
 * const first = reader.pop()!;
 * for (let i = 1; i < READER_HOLD; i++) reader.pop();
 * console.log(first.timestampNs); // 0 (still valid after 7 more reads)
 * reader.pop();
 * console.log(first.timestampNs); // 8 (its object was reused by the 8th read after it)
 * ```
 */
export const READER_HOLD = 8;

type SlotFrame = Frame & { slot?: number };

/**
 * A native connection writer that rings the channel's doorbell after each push, and drops
 * frames once the channel is torn down (as a write to an unconnected output does). Hot path:
 * never blocks, allocates nothing.
 *
 * @example Ring the bell
 * ```ts
 * import { createNativeConnection, FramePool, SignalledWriter } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * const [native, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(16)); // SIGNAL_BYTES
 * using writer = new SignalledWriter(native, signal);
 * writer.push({ kind: "data", timestampNs: 0, value: 1 });
 * console.log(signal[0], reader.available); // 1 1
 * reader.close();
 * ```
 */
export class SignalledWriter<T extends Frame = Frame> implements ConnectionWriter<T>, Disposable {
  readonly #writer: NativeConnectionWriter<T>;
  readonly #signal: Int32Array;
  readonly #fifo: boolean;
  #onSpace: (() => void) | undefined;
  #waiting = false;

  /**
   * Wraps a writer.
   *
   * @param writer The native writer; closed with this one.
   * @param signal The channel's signal (`SIGNAL_BYTES` of shared memory).
   */
  constructor(writer: NativeConnectionWriter<T>, signal: Int32Array) {
    if (signal.length < SIGNAL_BYTES / 4) {
      throw new RangeError(
        `Cannot create a signalled writer: the signal must have ${
          SIGNAL_BYTES / 4
        } elements (SIGNAL_BYTES bytes), got ${signal.length}`,
      );
    }
    this.#writer = writer;
    this.#signal = signal;
    this.#fifo = writer.policy === "fifo";
  }

  /** Frames a push takes now: the ring's free slots for `fifo`, `Infinity` for `latest`. */
  get space(): number {
    if (!this.#fifo || Atomics.load(this.#signal, SIGNAL_TORN) !== 0) return Infinity;
    return this.#writer.freeSlots;
  }

  /** The ring's capacity (frames it may hold; video frames travel by reference to a slot). */
  get capacity(): number {
    return this.#writer.capacity;
  }

  /**
   * Calls `callback` once when the ring has room again: at once if it has room now, else after
   * the reader's next pop (it rings {@linkcode SIGNAL_SPACE}), checking at least every
   * millisecond (a reader on a native thread does not ring), or when the channel closes.
   *
   * @param callback Called once; must not throw.
   */
  onSpace(callback: () => void): void {
    this.#onSpace = callback;
    if (!this.#waiting) {
      this.#waiting = true;
      void this.#waitForSpace();
    }
  }

  async #waitForSpace(): Promise<void> {
    const signal = this.#signal;
    for (;;) {
      // Read the room bell before looking at the ring: a pop after the look changes it, so the
      // wait below returns at once instead of missing it.
      const seen = Atomics.load(signal, SIGNAL_SPACE);
      Atomics.store(signal, SIGNAL_WRITER_WAITING, 1);
      if (this.#writer.closed || this.space > 0) break;
      const wait = Atomics.waitAsync(signal, SIGNAL_SPACE, seen, 1);
      if (wait.async) await wait.value;
    }
    Atomics.store(signal, SIGNAL_WRITER_WAITING, 0);
    this.#waiting = false;
    const callback = this.#onSpace;
    this.#onSpace = undefined;
    callback?.();
  }

  /**
   * Writes a frame (see `NativeConnectionWriter.push`) and wakes the reader.
   *
   * @param frame The frame.
   * @returns `false` only when a `fifo` channel cannot take it now.
   */
  push(frame: T): boolean {
    const signal = this.#signal;
    if (Atomics.load(signal, SIGNAL_TORN) !== 0) return true;
    const ok = this.#writer.push(frame);
    if (ok) {
      Atomics.add(signal, SIGNAL_BELL, 1);
      Atomics.notify(signal, SIGNAL_BELL);
    }
    return ok;
  }

  /** Closes the native writer. Idempotent. */
  [Symbol.dispose](): void {
    this.#writer.close();
  }
}

/**
 * A native connection reader that waits on the channel's doorbell with `Atomics.waitAsync` and
 * calls `onData` (on this isolate's event loop) whenever frames are queued.
 *
 * Frame lifetime: the native reader's frames are valid until its next read, which is too short
 * for a node that passes a frame on unchanged to a node of its own isolate (the local connection
 * queues it by reference). So video and encoded-video frames (those with a `slot`) stay valid for
 * {@linkcode READER_HOLD} reads: this reader takes its own slot reference and returns its own
 * copy of the frame object, dropping both `READER_HOLD` reads later (or at dispose). Audio
 * frames keep the native rule (valid until the next read): the built-in processors never pass
 * audio blocks on unchanged.
 *
 * The doorbell wakes another isolate's event loop; a bell rung by the reader's own isolate is
 * a task its event loop does not wait for (the runtime never connects an isolate to itself this
 * way), so the example polls.
 *
 * @example Poll and read
 * ```ts
 * import {
 *   createNativeConnection,
 *   FramePool,
 *   SIGNAL_BYTES,
 *   SignalledReader,
 *   SignalledWriter,
 * } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * const [w, r] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * let woken = 0;
 * using reader = new SignalledReader(r, signal, () => woken++, () => {});
 * using writer = new SignalledWriter(w, signal);
 * writer.push({ kind: "data", timestampNs: 0, value: 1 });
 * console.log(reader.poll(), woken, reader.pop()?.kind); // true 1 data
 * ```
 */
export class SignalledReader<T extends Frame = Frame> implements ConnectionReader<T>, Disposable {
  readonly #reader: NativeConnectionReader<T>;
  readonly #signal: Int32Array;
  readonly #onData: () => void;
  readonly #onClose: (reader: SignalledReader<T>) => void;
  readonly #counters: Float64Array;
  readonly #held: number[] = new Array(READER_HOLD).fill(-1);
  readonly #copies: (SlotFrame | undefined)[] = new Array(READER_HOLD).fill(undefined);
  #next = 0;
  #polledWritten = 0;
  #closed = false;

  /**
   * Wraps a reader and starts waiting on the doorbell.
   *
   * @param reader The native reader; closed with this one.
   * @param signal The channel's signal.
   * @param onData Called when frames are queued (possibly more than once per frame: coalesce).
   * @param onClose Called once when this reader is disposed.
   */
  constructor(
    reader: NativeConnectionReader<T>,
    signal: Int32Array,
    onData: () => void,
    onClose: (reader: SignalledReader<T>) => void,
  ) {
    if (signal.length < SIGNAL_BYTES / 4) {
      throw new RangeError(
        `Cannot create a signalled reader: the signal must have ${
          SIGNAL_BYTES / 4
        } elements (SIGNAL_BYTES bytes), got ${signal.length}`,
      );
    }
    this.#reader = reader;
    this.#signal = signal;
    this.#onData = onData;
    this.#onClose = onClose;
    this.#counters = reader.state.counters;
    void this.#watch();
  }

  /** Frames ready to read (0 once closed). */
  get available(): number {
    return this.#closed ? 0 : this.#reader.available;
  }

  /**
   * The oldest frame; ends the previous one's validity.
   *
   * @returns The frame, or `undefined`.
   */
  pop(): T | undefined {
    if (this.#closed) return undefined;
    const frame = this.#hold(this.#reader.pop());
    if (Atomics.load(this.#signal, SIGNAL_WRITER_WAITING) !== 0) this.#ringRoom();
    return frame;
  }

  /**
   * The newest frame, dropping older ones; ends the previous one's validity.
   *
   * @returns The frame, or `undefined`.
   */
  popLatest(): T | undefined {
    if (this.#closed) return undefined;
    const frame = this.#hold(this.#reader.popLatest());
    if (Atomics.load(this.#signal, SIGNAL_WRITER_WAITING) !== 0) this.#ringRoom();
    return frame;
  }

  /**
   * Calls `onData` now if frames are queued, without waiting for the doorbell.
   *
   * @returns Whether frames are queued that were written since the previous `poll()` (frames
   * that stay queued, because their node does not run, count once).
   */
  poll(): boolean {
    if (!this.#wake()) return false;
    const written = this.#counters[COUNTER.WRITTEN];
    const fresh = written !== this.#polledWritten;
    this.#polledWritten = written;
    return fresh;
  }

  /** Stops waiting and closes the native reader (releasing queued frames). Idempotent. */
  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    Atomics.notify(this.#signal, SIGNAL_BELL); // ends the pending wait
    this.#ringRoom(); // a writer waiting for room sees the reader gone (its pushes drop)
    const pool = this.#reader.pool;
    for (let i = 0; i < READER_HOLD; i++) {
      if (this.#held[i] >= 0) pool.release(this.#held[i]);
      this.#held[i] = -1;
    }
    this.#copies.fill(undefined);
    this.#reader.close();
    this.#onClose(this);
  }

  /** Keeps a slot frame valid for `READER_HOLD` reads: a slot reference and a frame copy. */
  #hold(frame: T | undefined): T | undefined {
    const slot = (frame as SlotFrame | undefined)?.slot;
    if (slot === undefined) return frame;
    const pool = this.#reader.pool;
    const i = this.#next;
    this.#next = i + 1 === READER_HOLD ? 0 : i + 1;
    if (this.#held[i] >= 0) pool.release(this.#held[i]);
    pool.retain(slot);
    this.#held[i] = slot;
    const copy = this.#copies[i];
    // Same kind: the copy has the same shape, so assigning allocates nothing.
    if (copy && copy.kind === frame!.kind) return Object.assign(copy, frame) as T;
    return (this.#copies[i] = { ...frame! }) as T;
  }

  #ringRoom(): void {
    const signal = this.#signal;
    Atomics.store(signal, SIGNAL_WRITER_WAITING, 0);
    Atomics.add(signal, SIGNAL_SPACE, 1);
    Atomics.notify(signal, SIGNAL_SPACE);
  }

  #wake(): boolean {
    if (this.#closed || this.#reader.available === 0) return false;
    this.#onData();
    return true;
  }

  async #watch(): Promise<void> {
    const signal = this.#signal;
    while (!this.#closed) {
      // Read the bell before looking at the ring: a push after the look changes the bell, so
      // the wait below returns at once instead of missing it.
      const seen = Atomics.load(signal, SIGNAL_BELL);
      this.#wake();
      const wait = Atomics.waitAsync(signal, SIGNAL_BELL, seen);
      await (wait.async ? wait.value : undefined);
    }
  }
}
