/**
 * The reading end of a {@linkcode NativeTransport} channel: a native connection reader (which
 * decodes) that waits on the channel's doorbell and adopts each frame's slot reference.
 *
 * @module
 */

import type { ConnectionReader } from "../../../core/transport/connection.ts";
import type { Frame } from "../../../core/frames/frame.ts";
import { COUNTER } from "../connection_shared_state.ts";
import type { NativeConnectionReader } from "../native_connection_reader.ts";
import { SlotMemorySource } from "../slot_memory.ts";
import { adoptFrame } from "./adopt.ts";
import {
  ASLEEP_ON_BELL,
  ASLEEP_ON_WAKE,
  checkSignal,
  readerMaySleep,
  SIGNAL_BELL,
  SIGNAL_READER_ASLEEP,
  SIGNAL_READER_DISCARDING,
  SIGNAL_SPACE,
  SIGNAL_WRITER_ENDED,
  SIGNAL_WRITER_WAITING,
  writerWaiting,
} from "./doorbell.ts";
import { type BlockingEnd, type BlockingEnds, ringWake } from "./wake.ts";

/**
 * Most free places a reader waits for before it wakes a blocking writer waiting for room: a batch
 * of a few frames per wake-up ends the one-frame ping-pong of a full ring, a larger one would only
 * idle the writer (decision 0057).
 */
export const ROOM_BATCH_MAX = 4;

/** Options of a {@linkcode SignalledReader} beyond its channel. */
export interface SignalledReaderOptions {
  /** The writing isolate's wake word, rung with the room bell (a writer that blocks). */
  readonly writerWake?: Int32Array;
  /**
   * The waiting loop of this isolate when it blocks: the reader registers there instead of
   * waiting on its doorbell through the event loop.
   */
  readonly blocking?: BlockingEnds;
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
 * import { SIGNAL_BYTES } from "./doorbell.ts";
 * import { SignalledReader } from "./reader.ts";
 * import { SignalledWriter } from "./writer.ts";
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
  readonly #origin: string | undefined;
  /**
   * Free places after a pop at which a blocking writer waiting for room is woken: half the ring,
   * at most {@linkcode ROOM_BATCH_MAX}.
   */
  readonly #roomBatch: number;
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
   * @param origin The writing node, named as the maker of every frame read (lifetime reports).
   */
  constructor(
    reader: NativeConnectionReader<T>,
    signal: Int32Array,
    onData: () => void,
    onClose: (reader: SignalledReader<T>) => void,
    memory?: SlotMemorySource,
    origin?: string,
    options: SignalledReaderOptions = {},
  ) {
    checkSignal(signal, "reader");
    this.#origin = origin;
    this.#reader = reader;
    this.#signal = signal;
    this.#onData = onData;
    this.#onClose = onClose;
    this.#counters = reader.state.counters;
    this.#memory = memory ?? new SlotMemorySource(reader.pool);
    this.#roomBatch = Math.max(1, Math.min(ROOM_BATCH_MAX, reader.capacity >> 1));
    this.#writerWake = options.writerWake;
    const blocking = options.blocking;
    if (blocking === undefined) {
      void this.#watch();
      return;
    }
    this.#blocking = blocking;
    this.#blockingWatch = {
      sleepy: () => {
        if (this.#toldAt >= 0) return true; // awake until its node reads the ring empty
        Atomics.store(signal, SIGNAL_READER_ASLEEP, ASLEEP_ON_WAKE);
        return false;
      },
      look: () => this.#look(),
    };
    blocking.add(this.#blockingWatch);
  }

  readonly #writerWake: Int32Array | undefined;
  #blocking: BlockingEnds | undefined;
  #blockingWatch: BlockingEnd | undefined;
  /**
   * When a blocking look told the node of frames (`performance.now()`), until it reads the ring
   * empty; -1 when it has not. Told once per drain, as `#watch` does, with the same 1 ms
   * fallback: a node that stops short (a full output) is told again only after it.
   */
  #toldAt = -1;

  /**
   * One look of {@linkcode SignalledReader.#watch}'s loop, for an isolate's blocking loop (which
   * said the reader may sleep and read its wake bell before calling it).
   *
   * @returns Whether it told the node (frames queued, or end of stream seen for the first time).
   */
  #look(): boolean {
    if (this.#closed) return false;
    const signal = this.#signal;
    if (this.discarding) {
      this.#reader.clear(); // late frames of a reader that stopped reading
    } else if (this.#reader.available > 0) {
      const toldAt = this.#toldAt;
      const now = performance.now();
      if (toldAt >= 0 && now - toldAt < 1) return false; // its node has not read them yet
      // Awake until its node reads the ring empty: writers skip the notify meanwhile.
      Atomics.store(signal, SIGNAL_READER_ASLEEP, 0);
      this.#toldAt = now;
      this.#onData();
      return true;
    }
    const ended = Atomics.load(signal, SIGNAL_WRITER_ENDED) !== 0;
    const told = ended && !this.#endSeen;
    this.#endSeen = ended;
    if (told) this.#onData();
    return told;
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
    const reader = this.#reader;
    const frame = adoptFrame(reader, this.#memory, reader.pop(), this.#origin);
    const waiting = writerWaiting(this.#signal);
    // A writer in a Worker that blocks is woken once half the ring, at most ROOM_BATCH_MAX
    // places, is free (or the ring is read empty), so it writes a batch per wake-up; a reader that
    // stops short leaves it to the writer's 1 ms bound. One that waits through its event loop is
    // woken at once (batching those cost more CPU than it saved: decision 0057).
    if (
      waiting !== 0 &&
      (waiting !== ASLEEP_ON_WAKE || frame === undefined ||
        reader.capacity - reader.available >= this.#roomBatch)
    ) this.#ringRoom(waiting);
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
    const frame = adoptFrame(this.#reader, this.#memory, this.#reader.popLatest(), this.#origin);
    const waiting = writerWaiting(this.#signal);
    if (waiting !== 0) this.#ringRoom(waiting);
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
    const waiting = writerWaiting(this.#signal);
    if (waiting !== 0) this.#ringRoom(waiting);
    this.#drained();
    return dropped;
  }

  /**
   * The reader's node stopped reading (`true`) or reads again (`false`); see
   * `ConnectionReader.setDiscarding`. Raises or lowers {@linkcode SIGNAL_READER_DISCARDING} for
   * the writer in its isolate, drops what is queued (counted as dropped) and wakes a writer that
   * waits for room. While discarding, frames that still land (a push that looked just before
   * the flag rose) are dropped as they arrive instead of waking the node.
   *
   * @param discarding Whether the node stopped reading.
   */
  setDiscarding(discarding: boolean): void {
    if (this.#closed) return;
    Atomics.store(this.#signal, SIGNAL_READER_DISCARDING, discarding ? 1 : 0);
    if (!discarding) return;
    this.#reader.clear();
    this.#ringRoom();
    this.#drained();
  }

  /** Whether the reader's node stopped reading (see {@linkcode SignalledReader.setDiscarding}). */
  get discarding(): boolean {
    return Atomics.load(this.#signal, SIGNAL_READER_DISCARDING) !== 0;
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
    if (this.#blockingWatch !== undefined) this.#blocking?.delete(this.#blockingWatch);
    Atomics.notify(this.#signal, SIGNAL_BELL); // ends the pending wait
    this.#drained();
    if (this.#fallback !== undefined) clearTimeout(this.#fallback);
    this.#fallback = undefined;
    this.#ringRoom(); // a writer waiting for room sees the reader gone (its pushes drop)
    this.#reader.close();
    this.#onClose(this);
  }

  /**
   * Wakes a writer waiting for room, on the word it waits on (`waiting`, its flag as
   * {@linkcode writerWaiting} read it after a pop), or on both when the caller did not look (the
   * channel closes, or the reader stops reading).
   *
   * @param waiting The writer's {@linkcode SIGNAL_WRITER_WAITING} flag, 0 when not read.
   */
  #ringRoom(waiting = 0): void {
    const signal = this.#signal;
    Atomics.store(signal, SIGNAL_WRITER_WAITING, 0);
    const wake = this.#writerWake;
    if (waiting !== ASLEEP_ON_WAKE || wake === undefined) {
      Atomics.add(signal, SIGNAL_SPACE, 1);
      Atomics.notify(signal, SIGNAL_SPACE);
    }
    if (waiting !== ASLEEP_ON_BELL) ringWake(wake);
  }

  #wake(): boolean {
    if (this.#closed || this.#reader.available === 0) return false;
    if (this.discarding) {
      this.#reader.clear(); // late frames of a reader that stopped reading
      return false;
    }
    this.#onData();
    return true;
  }

  /** The node read the ring empty: the doorbell watch may sleep again. */
  #drained(): void {
    this.#toldAt = -1;
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
      // Read the bell, say we may sleep, then look at the ring: a push after the look sees the
      // flag (so it notifies) and changes the bell (so the wait returns at once), and so does a
      // late push's ring that takes this flag (readerMaySleep() says why the bell comes first).
      const seen = readerMaySleep(signal, ASLEEP_ON_BELL);
      if (!this.#closed && this.discarding) {
        // Late frames of a reader that stopped reading: nobody reads them. Then wait for the
        // bell (never loop at once: a native writer may keep adding without ringing).
        this.#reader.clear();
      } else if (!this.#closed && this.#reader.available > 0) {
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
