/**
 * The writing end of a {@linkcode NativeTransport} channel: a native connection writer (which
 * encodes) plus the channel's doorbell, rung only for a sleeping reader.
 *
 * @module
 */

import type { ConnectionWriter } from "../../../core/transport/connection.ts";
import type { Frame } from "../../../core/frames/frame.ts";
import type { NativeConnectionWriter } from "../native_connection_writer.ts";
import {
  ASLEEP_ON_BELL,
  ASLEEP_ON_WAKE,
  checkSignal,
  ringBell,
  ringSleepingReader,
  SIGNAL_READER_DISCARDING,
  SIGNAL_SPACE,
  SIGNAL_TORN,
  SIGNAL_WRITER_ENDED,
  SIGNAL_WRITER_WAITING,
} from "./doorbell.ts";
import { type BlockingEnd, type BlockingEnds, ringWake } from "./wake.ts";

/** Options of a {@linkcode SignalledWriter} beyond its channel. */
export interface SignalledWriterOptions {
  /** The reading isolate's wake word, rung with the reader's bell (a reader that blocks). */
  readonly readerWake?: Int32Array;
  /**
   * The waiting loop of this isolate when it blocks: a writer waiting for room registers there
   * instead of waiting on the room bell through the event loop.
   */
  readonly blocking?: BlockingEnds;
}

/**
 * How long a `fifo` writer keeps a frame that waits for a free pool slot before giving it up
 * (counted in `fullRejections`), in ms. Slots normally free within a frame time; a wait this long
 * means every slot is held by frames queued behind nodes that wait for a slot themselves.
 */
export const POOL_WAIT_LIMIT_MS = 200;

/**
 * A native connection writer that rings the channel's doorbell (bumps it and wakes the reader)
 * after a push only when the reader sleeps ({@linkcode SIGNAL_READER_ASLEEP}), and drops frames
 * once the channel is torn down (as a write to an unconnected output does). Hot path: never
 * blocks, allocates nothing.
 *
 * @example Ring the bell for a sleeping reader only
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { createNativeConnection } from "../native_connection.ts";
 * import { SIGNAL_BELL, SIGNAL_BYTES, SIGNAL_READER_ASLEEP } from "./doorbell.ts";
 * import { SignalledWriter } from "./writer.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
 * const [native, reader] = createNativeConnection({ capacity: 4, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * using writer = new SignalledWriter(native, signal);
 * writer.push({ kind: "data", timestampNs: 0, value: 1 }); // the reader is awake
 * assert.equal(signal[SIGNAL_BELL], 0);
 * Atomics.store(signal, SIGNAL_READER_ASLEEP, 1); // now it sleeps
 * writer.push({ kind: "data", timestampNs: 1, value: 2 });
 * assert.equal(signal[SIGNAL_BELL], 1);
 * assert.equal(reader.available, 2);
 * reader.close();
 * ```
 */
export class SignalledWriter<T extends Frame = Frame> implements ConnectionWriter<T>, Disposable {
  readonly #writer: NativeConnectionWriter<T>;
  readonly #signal: Int32Array;
  readonly #fifo: boolean;
  #onSpace: (() => void) | undefined;
  #waiting = false;
  /** A retry timer while the writer keeps a frame that waits for a free pool slot. */
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** `end(true)` came while a frame waited for a slot: announce it once that frame is written. */
  #endAfterFlush = false;
  /** When the frame that waits for a pool slot started waiting (`performance.now()`). */
  #pendingSince: number | undefined;
  readonly #readerWake: Int32Array | undefined;
  readonly #blocking: BlockingEnds | undefined;
  /** This writer as its blocking loop looks at it while it waits for room. */
  #roomWatch: BlockingEnd | undefined;

  /**
   * Wraps a writer.
   *
   * @param writer The native writer; closed with this one.
   * @param signal The channel's signal (`SIGNAL_BYTES` of shared memory).
   * @param options The reader's wake word and this isolate's blocking loop, when they exist.
   */
  constructor(
    writer: NativeConnectionWriter<T>,
    signal: Int32Array,
    options: SignalledWriterOptions = {},
  ) {
    checkSignal(signal, "writer");
    this.#writer = writer;
    this.#signal = signal;
    this.#fifo = writer.policy === "fifo";
    this.#readerWake = options.readerWake;
    this.#blocking = options.blocking;
  }

  /**
   * Frames a push takes now: the ring's free slots for `fifo` (0 while a frame waits for a free
   * pool slot), `Infinity` for `latest`, and while the reader discards or the channel is torn
   * down (pushes are then counted as discarded, not written).
   */
  get space(): number {
    // Plain reads of the signal where a stale value only delays a hint (see `ringSleepingReader`).
    const signal = this.#signal;
    if (!this.#fifo || signal[SIGNAL_TORN] !== 0 || signal[SIGNAL_READER_DISCARDING] !== 0) {
      return Infinity;
    }
    if (this.#writer.pending) this.#flush();
    return this.#writer.pending ? 0 : this.#writer.freeSlots;
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
    if (this.#blocking !== undefined) {
      // Registered once and idle while no callback waits: no loop registration per wait.
      if (this.#roomWatch === undefined) {
        this.#roomWatch = this.#blockingRoomWatch();
        this.#blocking.add(this.#roomWatch);
      }
      return;
    }
    if (!this.#waiting) {
      this.#waiting = true;
      void this.#waitForSpace();
    }
  }

  /**
   * The blocking loop's view of this writer (the protocol of `#waitForSpace`): it waits for room
   * while a callback of `onSpace()` is pending, and is idle otherwise.
   */
  #blockingRoomWatch(): BlockingEnd {
    const signal = this.#signal;
    return {
      sleepy: () => {
        if (this.#onSpace === undefined) return false;
        Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_WAKE);
        return true;
      },
      look: () => {
        const callback = this.#onSpace;
        if (callback === undefined) return false;
        if (!this.#writer.closed && this.space <= 0) return false;
        Atomics.store(signal, SIGNAL_WRITER_WAITING, 0);
        this.#onSpace = undefined;
        callback();
        return true;
      },
    };
  }

  async #waitForSpace(): Promise<void> {
    const signal = this.#signal;
    for (;;) {
      // Read the room bell before looking at the ring: a pop after the look changes it, so the
      // wait below returns at once instead of missing it.
      const seen = Atomics.load(signal, SIGNAL_SPACE);
      Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_BELL);
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
   * Writes a frame (see `NativeConnectionWriter.push`) and wakes the reader; while the reader
   * discards ({@linkcode SIGNAL_READER_DISCARDING}) or the channel is torn down, counts it as
   * discarded instead and writes nothing.
   *
   * @param frame The frame.
   * @returns `false` only when a `fifo` channel cannot take it now.
   */
  push(frame: T): boolean {
    const signal = this.#signal;
    if (signal[SIGNAL_TORN] !== 0 || signal[SIGNAL_READER_DISCARDING] !== 0) {
      // Nobody will read it (the reader's node stopped reading, or its isolate died): counted,
      // not written, and never refused, so this writer's other connections go on. A look that
      // comes late writes one more frame, which the discarding reader drops.
      this.#writer.countUnwritten();
      return true;
    }
    const ok = this.#writer.push(frame);
    if (ok) {
      ringSleepingReader(this.#signal, this.#readerWake);
      // Kept for want of a pool slot: retry until a slot frees (pool releases ring no bell).
      if (this.#writer.pending && this.#flushTimer === undefined) this.#retryFlush();
    }
    return ok;
  }

  /** Writes the frame that waits for a pool slot if it can; wakes the reader if it did. */
  #flush(): void {
    if (!this.#writer.pending) return;
    if (!this.#writer.flushPending()) return;
    ringSleepingReader(this.#signal, this.#readerWake);
    if (this.#endAfterFlush) {
      this.#endAfterFlush = false;
      this.end(true);
    }
  }

  #retryFlush = (): void => {
    this.#flushTimer = undefined;
    if (this.#writer.closed) return;
    this.#pendingSince ??= performance.now();
    this.#flush();
    if (!this.#writer.pending) {
      this.#pendingSince = undefined;
    } else if (performance.now() - this.#pendingSince > POOL_WAIT_LIMIT_MS) {
      // Every slot held by frames queued behind nodes that wait for a slot too: a wait that
      // would never end. Give the frame up (counted), so the graph moves again.
      this.#pendingSince = undefined;
      this.#writer.dropPending();
      if (this.#endAfterFlush) {
        this.#endAfterFlush = false;
        this.end(true);
      }
    } else {
      this.#flushTimer = setTimeout(this.#retryFlush, 1);
    }
  };

  /**
   * Whether the reader, in its isolate, asked for a keyframe since the last call; clears it.
   *
   * @returns Whether one was asked for.
   */
  takeKeyframeRequest(): boolean {
    return this.#writer.state.takeKeyframeRequest();
  }

  /**
   * Marks end of stream (or opens it again for a new run) and wakes the reader to see it.
   *
   * @param ended Whether the writer has ended.
   */
  end(ended: boolean): void {
    const signal = this.#signal;
    this.#endAfterFlush = ended && this.#writer.pending;
    if (this.#endAfterFlush) return; // after the frame that waits for a slot
    Atomics.store(signal, SIGNAL_WRITER_ENDED, ended ? 1 : 0);
    if (ended) {
      ringBell(signal);
      ringWake(this.#readerWake);
    }
  }

  /** Closes the native writer (a frame still waiting for a pool slot is not written). Idempotent. */
  [Symbol.dispose](): void {
    if (this.#roomWatch !== undefined) this.#blocking?.delete(this.#roomWatch);
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#writer.close();
  }
}
