/**
 * The ends of a {@linkcode NativeTransport} channel: native connection ends plus the channel's
 * doorbell, which tells the reading isolate that frames arrived.
 *
 * @module
 */

import type { ConnectionReader, ConnectionWriter } from "../../../core/transport/connection.ts";
import type { Frame } from "../../../core/frames/frame.ts";
import {
  OwnedAudioFrame,
  OwnedEncodedVideoFrame,
  OwnedVideoFrame,
} from "../../../core/frames/owned_frame.ts";
import { COUNTER } from "../connection_shared_state.ts";
import { NO_SLOT } from "../../../core/frames/message.ts";
import type { NativeConnectionReader } from "../native_connection_reader.ts";
import type { NativeConnectionWriter } from "../native_connection_writer.ts";
import { SlotMemorySource } from "../slot_memory.ts";

/**
 * Index of the doorbell in a channel's signal (`Int32Array`): bumped after a push that finds the
 * reader asleep ({@linkcode SIGNAL_READER_ASLEEP}), and at end of stream. A push to an awake
 * reader leaves the doorbell's cache line alone, so the reader's loads of the signal stay cache
 * hits while it drains.
 *
 * @example A waiter that looked before a push cannot miss it
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { createNativeConnection } from "../native_connection.ts";
 * import {
 *   SIGNAL_BELL,
 *   SIGNAL_BYTES,
 *   SIGNAL_READER_ASLEEP,
 *   SignalledWriter,
 * } from "./ends.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * const [native, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * using writer = new SignalledWriter(native, signal);
 * Atomics.store(signal, SIGNAL_READER_ASLEEP, 1); // a reader says it may sleep,
 * const seen = Atomics.load(signal, SIGNAL_BELL); // reads the bell, then the ring
 * writer.push({ kind: "data", timestampNs: 0, value: 1 });
 * // ...so its wait on the value it saw returns at once:
 * assert.equal(Atomics.waitAsync(signal, SIGNAL_BELL, seen).value, "not-equal");
 * reader.close();
 * ```
 */
export const SIGNAL_BELL = 0;
/**
 * Index of the torn-down flag: 1 once the channel's other isolate died.
 */
export const SIGNAL_TORN = 1;
/**
 * Index of the room bell in a channel's signal: bumped by the reader, after a pop, when the writer
 * has said it waits for room ({@linkcode SIGNAL_WRITER_WAITING}). A `fifo` writer whose ring is
 * full waits on it with `Atomics.waitAsync` (back-pressure across isolates).
 *
 * @example The reader rings the room bell only for a waiting writer
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGNAL_BYTES, SIGNAL_SPACE, SIGNAL_WRITER_WAITING } from "./ends.ts";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * Atomics.store(signal, SIGNAL_WRITER_WAITING, 1); // what a blocked writer does
 * assert.equal(signal[SIGNAL_SPACE], 0); // until its reader pops a frame
 * ```
 */
export const SIGNAL_SPACE = 2;
/**
 * Index of the writer-waiting flag: 1 while a `fifo` writer waits for room, so that its reader
 * rings {@linkcode SIGNAL_SPACE} after its next pop (and only then: a pop costs one load).
 *
 * @example Nobody waits on a fresh channel
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGNAL_BYTES, SIGNAL_WRITER_WAITING } from "./ends.ts";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * assert.equal(signal[SIGNAL_WRITER_WAITING], 0);
 * ```
 */
export const SIGNAL_WRITER_WAITING = 3;
/**
 * Index of the reader-asleep flag: 1 while the reader waits on the doorbell with an empty ring.
 * A writer notifies the doorbell only then: while the reader's node has frames to read (it was told
 * once and is draining the ring), pushes add to the bell without a wake-up, so a burst costs one
 * notify, not one per frame.
 */
export const SIGNAL_READER_ASLEEP = 4;
/**
 * Index in a channel's signal of its end-of-stream flag: 1 once the writer's node has ended (it
 * writes nothing more), set by `SignalledWriter.end()`, which rings the doorbell so the reader
 * sees it once it has read what is queued.
 */
export const SIGNAL_WRITER_ENDED = 5;
/**
 * Bytes of a channel's signal buffer.
 */
export const SIGNAL_BYTES = 32;

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
 * import {
 *   SIGNAL_BELL,
 *   SIGNAL_BYTES,
 *   SIGNAL_READER_ASLEEP,
 *   SignalledWriter,
 * } from "./ends.ts";
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

  /**
   * Frames a push takes now: the ring's free slots for `fifo` (0 while a frame waits for a free
   * pool slot), `Infinity` for `latest`.
   */
  get space(): number {
    // Plain reads of the signal where a stale value only delays a hint (see `#ring`).
    if (!this.#fifo || this.#signal[SIGNAL_TORN] !== 0) return Infinity;
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
    if (signal[SIGNAL_TORN] !== 0) return true; // a late look only drops one more frame
    const ok = this.#writer.push(frame);
    if (ok) {
      this.#ring();
      // Kept for want of a pool slot: retry until a slot frees (pool releases ring no bell).
      if (this.#writer.pending && this.#flushTimer === undefined) this.#retryFlush();
    }
    return ok;
  }

  /**
   * After a push: wakes a sleeping reader; one that is draining will see the frame anyway.
   *
   * Ordering: the push's `endPush()` (a sequentially consistent store) comes between the frame
   * landing in the ring and the load of the reader's flag, as the reader's store of the flag
   * comes before its look at the ring. So either this load sees the flag (and the bump below
   * changes the word the reader waits on), or the reader's look finds the frame.
   */
  #ring(): void {
    const signal = this.#signal;
    // A plain look first: every `Atomics` operation is a builtin call in V8 (about 10 ns here).
    // The push's `endPush()` just before is an atomic read-modify-write, which orders the ring's
    // store before this load on x86 (a locked instruction) and arm64 (its acquire follows the
    // ring's store-release), and V8 does not move a typed-array load across that call.
    // Then take the flag: the first push to find the reader asleep rings, and the pushes after
    // it, until the reader says again that it may sleep, do not (each notify takes V8's
    // process-wide futex lock, and between a notify and the reader's wake-up a writer pushes
    // many frames).
    if (signal[SIGNAL_READER_ASLEEP] === 0) return;
    if (Atomics.exchange(signal, SIGNAL_READER_ASLEEP, 0) === 0) return;
    Atomics.add(signal, SIGNAL_BELL, 1);
    Atomics.notify(signal, SIGNAL_BELL);
  }

  /** Writes the frame that waits for a pool slot if it can; wakes the reader if it did. */
  #flush(): void {
    if (!this.#writer.pending) return;
    if (!this.#writer.flushPending()) return;
    this.#ring();
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
    if (!ended) return;
    Atomics.add(signal, SIGNAL_BELL, 1);
    Atomics.notify(signal, SIGNAL_BELL);
  }

  /** Closes the native writer (a frame still waiting for a pool slot is not written). Idempotent. */
  [Symbol.dispose](): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#writer.close();
  }
}

/**
 * A native connection reader that waits on the channel's doorbell with `Atomics.waitAsync` and
 * calls `onData` (on this isolate's event loop) whenever frames are queued.
 *
 * Frame lifetime: every video, audio and encoded frame it returns is an owned frame
 * (`OwnedVideoFrame`, ...) holding the message's slot reference, so it lives exactly as long as its
 * holders: the runtime releases it when the reading node's `process()` returns, a local connection
 * it is passed on to holds its own reference, and the last release gives the slot back. Data
 * frames are plain objects (their slot is released at once).
 *
 * The doorbell wakes another isolate's event loop; a bell rung by the reader's own isolate is
 * a task its event loop does not wait for (the runtime never connects an isolate to itself this
 * way), so the example polls.
 *
 * @example Poll and read
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { createNativeConnection } from "../native_connection.ts";
 * import { SIGNAL_BYTES, SignalledReader, SignalledWriter } from "./ends.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * const [w, r] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * let woken = 0;
 * using reader = new SignalledReader(r, signal, () => woken++, () => {});
 * using writer = new SignalledWriter(w, signal);
 * writer.push({ kind: "data", timestampNs: 0, value: 1 });
 * assert.ok(reader.poll());
 * assert.equal(woken, 1);
 * assert.equal(reader.pop()?.kind, "data");
 * ```
 */
export class SignalledReader<T extends Frame = Frame> implements ConnectionReader<T>, Disposable {
  readonly #reader: NativeConnectionReader<T>;
  readonly #signal: Int32Array;
  readonly #onData: () => void;
  readonly #onClose: (reader: SignalledReader<T>) => void;
  readonly #counters: Float64Array;
  readonly #memory: SlotMemorySource;
  #polledWritten = 0;
  #closed = false;

  /**
   * Wraps a reader and starts waiting on the doorbell.
   *
   * @param reader The native reader; closed with this one.
   * @param signal The channel's signal.
   * @param onData Called when frames are queued (possibly more than once per frame: coalesce).
   * @param onClose Called once when this reader is disposed.
   * @param memory The frame memory over the reader's pool that read frames adopt their slots into
   *   (default: one of this reader's own).
   */
  constructor(
    reader: NativeConnectionReader<T>,
    signal: Int32Array,
    onData: () => void,
    onClose: (reader: SignalledReader<T>) => void,
    memory?: SlotMemorySource,
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
    this.#memory = memory ?? new SlotMemorySource(reader.pool);
    void this.#watch();
  }

  /** Frames ready to read (0 once closed). */
  get available(): number {
    return this.#closed ? 0 : this.#reader.available;
  }

  /** Asks the writer, in its isolate, for a keyframe (a flag in the connection's shared state). */
  requestKeyframe(): void {
    this.#reader.state.requestKeyframe();
  }

  /** Whether the writer ended (see {@linkcode SIGNAL_WRITER_ENDED}) and the ring is read empty. */
  get ended(): boolean {
    return Atomics.load(this.#signal, SIGNAL_WRITER_ENDED) !== 0 && this.available === 0;
  }

  /**
   * The oldest frame, owned by the caller (release it, or let the runtime do it).
   *
   * @returns The frame, or `undefined`.
   */
  pop(): T | undefined {
    if (this.#closed) return undefined;
    const frame = this.#own(this.#reader.pop());
    if (Atomics.load(this.#signal, SIGNAL_WRITER_WAITING) !== 0) this.#ringRoom();
    if (frame === undefined) this.#drained();
    return frame;
  }

  /**
   * The newest frame, dropping older ones; owned by the caller.
   *
   * @returns The frame, or `undefined`.
   */
  popLatest(): T | undefined {
    if (this.#closed) return undefined;
    const frame = this.#own(this.#reader.popLatest());
    if (Atomics.load(this.#signal, SIGNAL_WRITER_WAITING) !== 0) this.#ringRoom();
    this.#drained(); // popLatest() empties the ring
    return frame;
  }

  /**
   * Drops every frame queued now (counted as dropped) and releases their slots; the channel stays
   * open. The isolate calls it at teardown, so a stopped graph starts empty.
   *
   * @returns The frames dropped.
   */
  clear(): number {
    if (this.#closed) return 0;
    const dropped = this.#reader.clear();
    if (Atomics.load(this.#signal, SIGNAL_WRITER_WAITING) !== 0) this.#ringRoom();
    this.#drained();
    return dropped;
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
    this.#drained();
    if (this.#fallback !== undefined) clearTimeout(this.#fallback);
    this.#fallback = undefined;
    this.#ringRoom(); // a writer waiting for room sees the reader gone (its pushes drop)
    this.#reader.close();
    this.#onClose(this);
  }

  /**
   * Turns the native reader's frame (valid until its next read) into an owned frame with its own
   * slot reference: the frame's memory releases it when the frame's last holder lets go.
   */
  #own(frame: T | undefined): T | undefined {
    if (frame === undefined) return frame;
    if (frame.kind === "data") {
      // Parsed into a new object: its slot can go back now, so no reference waits for a next read.
      const held = this.#reader.takeHeld();
      if (held !== NO_SLOT) this.#reader.pool.release(held);
      return frame;
    }
    const slot = frame.slot;
    if (slot === undefined || this.#reader.takeHeld() !== slot) return frame;
    const origin = "native connection";
    switch (frame.kind) {
      case "video": {
        const memory = this.#memory.adopt(slot, frame.data.byteLength);
        const owned = new OwnedVideoFrame(memory, frame, origin);
        owned.timestampNs = frame.timestampNs;
        owned.frameNumber = frame.frameNumber;
        return owned as unknown as T;
      }
      case "audio": {
        const memory = this.#memory.adopt(slot, frame.samples.byteLength);
        const owned = new OwnedAudioFrame(memory, frame, origin);
        owned.timestampNs = frame.timestampNs;
        owned.frameNumber = frame.frameNumber;
        return owned as unknown as T;
      }
      case "encoded-video": {
        const memory = this.#memory.adopt(slot, frame.data.byteLength);
        const owned = new OwnedEncodedVideoFrame(memory, frame.codec, origin);
        owned.keyframe = frame.keyframe;
        owned.timestampNs = frame.timestampNs;
        owned.frameNumber = frame.frameNumber;
        return owned as unknown as T;
      }
    }
  }

  /**
   * Wakes a writer waiting for room. Readers look at its flag after each pop with `Atomics.load`,
   * which arm64 keeps after the pop's store-release of the ring's head; x86 may still take the
   * load first (the store is a plain one there), so a look can miss a writer that just said it
   * waits, and its wait is bounded (1 ms) for that reason.
   */
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

  /** The node read the ring empty: the doorbell watch may sleep again. */
  #drained(): void {
    const resolve = this.#onDrained;
    if (resolve === undefined) return;
    this.#onDrained = undefined;
    this.#drains++;
    resolve();
  }

  #onDrained: (() => void) | undefined;
  #endSeen = false;
  /** Drain waits ended so far: the fallback timer tells the wait that armed it from a later one. */
  #drains = 0;
  /** The fallback timer, while one is armed (at most one per reader). */
  #fallback: ReturnType<typeof setTimeout> | undefined;
  /** `#drains` when the fallback timer was armed. */
  #fallbackDrains = 0;

  /**
   * Resolves when the node read the ring empty, or after 1-2 ms (it may have stopped short, and
   * writers do not notify an awake reader). The fallback is one timer per reader, not a
   * `setTimeout`/`clearTimeout` pair per wake, and it is armed only when the wait outlasts the
   * node's run: the check is a microtask queued after the one `onData` queued for the run. A node
   * that reads the ring empty in its run (the common case) costs no timer, which took 40-60 µs of
   * a cold Worker's wake-up before its node ran (`docs/performance.md`).
   */
  #untilDrained(): Promise<void> {
    const wait = new Promise<void>((resolve) => {
      this.#onDrained = resolve;
    });
    // Checked after the node's run (`onData` queued the run's microtask first).
    if (this.#fallback === undefined) queueMicrotask(this.#armIfWaiting);
    return wait;
  }

  #armIfWaiting = (): void => {
    if (this.#closed || this.#onDrained === undefined || this.#fallback !== undefined) return;
    this.#armFallback();
  };

  #armFallback(): void {
    this.#fallbackDrains = this.#drains;
    this.#fallback = setTimeout(this.#onFallback, 1);
  }

  #onFallback = (): void => {
    this.#fallback = undefined;
    if (this.#closed || this.#onDrained === undefined) return; // no wait left: stay unarmed
    // The wait that armed the timer is still on: it has lasted 1 ms, end it. A later wait
    // started less than 1 ms ago: give it its own millisecond.
    if (this.#drains === this.#fallbackDrains) this.#drained();
    else this.#armFallback();
  };

  async #watch(): Promise<void> {
    const signal = this.#signal;
    while (!this.#closed) {
      // Say we may sleep, then read the bell, then look at the ring: a push after the look
      // changes the bell (so the wait returns at once) and sees the flag (so it notifies).
      Atomics.store(signal, SIGNAL_READER_ASLEEP, 1);
      const seen = Atomics.load(signal, SIGNAL_BELL);
      if (!this.#closed && this.#reader.available > 0) {
        // Frames: tell the node once, and stay awake (writers skip the notify) until it has read
        // the ring empty.
        Atomics.store(signal, SIGNAL_READER_ASLEEP, 0);
        this.#onData();
        await this.#untilDrained();
        continue;
      }
      // End of stream with the ring read empty: tell the node once, so it can end too.
      const ended = Atomics.load(signal, SIGNAL_WRITER_ENDED) !== 0;
      if (ended && !this.#endSeen && !this.#closed) this.#onData();
      this.#endSeen = ended;
      const wait = Atomics.waitAsync(signal, SIGNAL_BELL, seen);
      await (wait.async ? wait.value : undefined);
    }
    Atomics.store(signal, SIGNAL_READER_ASLEEP, 0);
  }
}
