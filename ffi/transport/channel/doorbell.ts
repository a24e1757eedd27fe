/**
 * A channel's signal and its doorbell protocol, the one both writers of a crossing use: a
 * {@linkcode SignalledWriter} after its pushes, and a native plugin's host for its native threads'
 * outputs. A writer rings only a reader that said it sleeps ({@linkcode ringSleepingReader}); a
 * reader that is awake reads the ring empty before it says so again, so it misses nothing.
 *
 * @module
 */

import { WAKE_BELL } from "./wake.ts";

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
 * import { ASLEEP_ON_BELL, readerMaySleep, SIGNAL_BELL, SIGNAL_BYTES } from "./doorbell.ts";
 * import { SignalledWriter } from "./writer.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * const [native, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * using writer = new SignalledWriter(native, signal);
 * // A reader reads the bell and says it may sleep, then looks at the ring (empty):
 * const seen = readerMaySleep(signal, ASLEEP_ON_BELL);
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
 * import { SIGNAL_BYTES, SIGNAL_SPACE, SIGNAL_WRITER_WAITING } from "./doorbell.ts";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * Atomics.store(signal, SIGNAL_WRITER_WAITING, 1); // what a blocked writer does
 * assert.equal(signal[SIGNAL_SPACE], 0); // until its reader pops a frame
 * ```
 */
export const SIGNAL_SPACE = 2;
/**
 * Index of the writer-waiting flag: non-zero while a `fifo` writer waits for room, so that its
 * reader rings after its next pop (and only then: a pop costs one fence and one load), on what
 * the writer waits on: {@linkcode ASLEEP_ON_BELL} ({@linkcode SIGNAL_SPACE}, through its event
 * loop) or {@linkcode ASLEEP_ON_WAKE} (its isolate's wake word).
 *
 * @example Nobody waits on a fresh channel
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGNAL_BYTES, SIGNAL_WRITER_WAITING } from "./doorbell.ts";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * assert.equal(signal[SIGNAL_WRITER_WAITING], 0);
 * ```
 */
export const SIGNAL_WRITER_WAITING = 3;
/**
 * Index of the reader-asleep flag: non-zero while the reader waits with an empty ring, saying on
 * what: {@linkcode ASLEEP_ON_BELL} (the doorbell, through its event loop) or
 * {@linkcode ASLEEP_ON_WAKE} (its isolate's wake word, a Worker that blocks). A writer notifies
 * only then, and only that word: while the reader's node has frames to read (it was told once and
 * is draining the ring), pushes add to the bell without a wake-up, so a burst costs one notify,
 * not one per frame.
 */
export const SIGNAL_READER_ASLEEP = 4;
/**
 * What a reader or writer that waits through its event loop stores in
 * {@linkcode SIGNAL_READER_ASLEEP} or {@linkcode SIGNAL_WRITER_WAITING}: it waits on the doorbell
 * or the room bell of the channel's signal.
 */
export const ASLEEP_ON_BELL = 1;
/**
 * What a reader or writer in a Worker that blocks stores in {@linkcode SIGNAL_READER_ASLEEP} or
 * {@linkcode SIGNAL_WRITER_WAITING}: it waits on its isolate's wake word (`channel/wake.ts`), so
 * the other end rings that word alone (each `Atomics.notify` takes V8's process-wide futex lock,
 * which every waiting and waking thread of the process contends for).
 */
export const ASLEEP_ON_WAKE = 2;
/**
 * Index in a channel's signal of its end-of-stream flag: 1 once the writer's node has ended (it
 * writes nothing more), set by `SignalledWriter.end()`, which rings the doorbell so the reader
 * sees it once it has read what is queued.
 */
export const SIGNAL_WRITER_ENDED = 5;
/**
 * Index in a channel's signal of its discarding flag: 1 while the reader's node has stopped
 * reading (it failed, or ended before its input did; see `ConnectionReader.setDiscarding`), set
 * by `SignalledReader.setDiscarding()`. The writer then sees `space` as `Infinity` and counts
 * every push as discarded instead of writing it, so a reader that stopped reading holds back no
 * writer in another isolate.
 */
export const SIGNAL_READER_DISCARDING = 6;
/**
 * Bytes of a channel's signal buffer.
 */
export const SIGNAL_BYTES = 32;

/**
 * Says the channel's reader may sleep on its doorbell: reads the bell, then stores
 * {@linkcode SIGNAL_READER_ASLEEP}. The caller then looks at the ring and, finding it empty,
 * waits while the bell still holds the returned value.
 *
 * The order is the protocol: the bell is read **before** the flag is raised. A writer may take
 * the flag late: it pushed a frame, found the reader awake-or-asleep, and was preempted before
 * its exchange; meanwhile the reader read that frame, and raised the flag again. The late exchange
 * takes the new flag and bumps the bell. Read after the flag, the bell could already hold that
 * bump: the reader, finding the ring empty, would wait on the bumped value, while the flag, taken,
 * tells every later push that the reader is awake, and nothing would ever wake it (a cross-isolate
 * connection stalled with a full ring: 3 times in about 300 runs of 1,000,000 frames through one
 * Worker hop, decision 0070). Read before, every exchange that takes this flag bumps the bell
 * past the returned value, so the wait returns at once. A blocking isolate's loop reads its wake
 * word before its ends raise their flags for the same reason (`ffi/workers/blocking_loop.ts`).
 *
 * @param signal The channel's signal.
 * @param on What the reader waits on: {@linkcode ASLEEP_ON_BELL} or {@linkcode ASLEEP_ON_WAKE}.
 * @returns The bell's value to wait on.
 *
 * @example A ring that takes the flag after it is raised always moves the bell
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   ASLEEP_ON_BELL,
 *   readerMaySleep,
 *   ringSleepingReader,
 *   SIGNAL_BELL,
 *   SIGNAL_BYTES,
 * } from "./doorbell.ts";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * const seen = readerMaySleep(signal, ASLEEP_ON_BELL);
 * assert.equal(ringSleepingReader(signal), true); // a late writer takes the flag
 * assert.equal(Atomics.waitAsync(signal, SIGNAL_BELL, seen).value, "not-equal");
 * ```
 */
export function readerMaySleep(signal: Int32Array, on: number): number {
  const seen = Atomics.load(signal, SIGNAL_BELL);
  Atomics.store(signal, SIGNAL_READER_ASLEEP, on);
  return seen;
}

/**
 * Wakes the channel's reader if it sleeps: takes its {@linkcode SIGNAL_READER_ASLEEP} flag, then
 * rings the word it waits on: its isolate's wake word `wake` when it said
 * {@linkcode ASLEEP_ON_WAKE} (and `wake` is given), else the doorbell (bumped and notified). The
 * first push that finds the reader asleep rings, and the pushes after it, until the reader says
 * again that it may sleep, do not (each notify takes V8's process-wide futex lock, and between a
 * notify and the reader's wake-up a writer pushes many frames).
 *
 * Call it after the frame is in the ring, with a sequentially consistent operation between the
 * two (a push's `endPush()`; a native writer's counter, read by the caller, then the flag's
 * exchange). Then either this sees the flag (and the bump changes the word the reader waits on,
 * which it read before raising the flag: {@linkcode readerMaySleep}), or the reader, which raises
 * the flag before it looks at the ring, finds the frame.
 *
 * @param signal The channel's signal.
 * @param wake The reading isolate's wake word, when it has one.
 * @returns Whether it rang.
 *
 * @example Ring a sleeping reader once, on the word it waits on
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   ASLEEP_ON_BELL,
 *   ASLEEP_ON_WAKE,
 *   ringSleepingReader,
 *   SIGNAL_BELL,
 *   SIGNAL_BYTES,
 *   SIGNAL_READER_ASLEEP,
 * } from "./doorbell.ts";
 * import { WAKE_BELL, WAKE_BYTES } from "./wake.ts";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * const wake = new Int32Array(new SharedArrayBuffer(WAKE_BYTES));
 * assert.equal(ringSleepingReader(signal, wake), false); // awake: it will see the frame
 * Atomics.store(signal, SIGNAL_READER_ASLEEP, ASLEEP_ON_BELL);
 * assert.equal(ringSleepingReader(signal, wake), true);
 * assert.equal(ringSleepingReader(signal, wake), false); // told once
 * assert.deepEqual([signal[SIGNAL_BELL], wake[WAKE_BELL]], [1, 0]);
 * Atomics.store(signal, SIGNAL_READER_ASLEEP, ASLEEP_ON_WAKE); // a Worker that blocks
 * assert.equal(ringSleepingReader(signal, wake), true);
 * assert.deepEqual([signal[SIGNAL_BELL], wake[WAKE_BELL]], [1, 1]);
 * ```
 */
export function ringSleepingReader(signal: Int32Array, wake?: Int32Array): boolean {
  // A plain look first: every `Atomics` operation is a builtin call in V8 (about 10 ns here).
  // A push's `endPush()` just before is an atomic read-modify-write, which orders the ring's
  // store before this load on x86 (a locked instruction) and arm64 (its acquire follows the
  // ring's store-release), and V8 does not move a typed-array load across that call.
  if (signal[SIGNAL_READER_ASLEEP] === 0) return false;
  const asleep = Atomics.exchange(signal, SIGNAL_READER_ASLEEP, 0);
  if (asleep === 0) return false;
  if (asleep === ASLEEP_ON_WAKE && wake !== undefined) {
    Atomics.add(wake, WAKE_BELL, 1);
    Atomics.notify(wake, WAKE_BELL);
    return true;
  }
  Atomics.add(signal, SIGNAL_BELL, 1);
  Atomics.notify(signal, SIGNAL_BELL);
  return true;
}

/**
 * Whether the channel's writer waits for room, read after a pop: a full fence first, then the
 * {@linkcode SIGNAL_WRITER_WAITING} flag. The pop's store of the ring's head is a plain store on
 * x86, which may still sit in the store buffer when a later load runs, so without the fence a
 * reader could miss a writer that said it waits just before finding the ring full, and that
 * writer would sleep until its bound (1 ms) ran out. The fence is a locked read-modify-write of
 * a word of this isolate's own (no other thread touches its cache line); on arm64 the pop's
 * store-release and `Atomics.load`'s load-acquire are already in order.
 *
 * @param signal The channel's signal.
 * @returns The flag: 0, {@linkcode ASLEEP_ON_BELL} or {@linkcode ASLEEP_ON_WAKE}.
 *
 * @example Nobody waits on a fresh channel
 * ```ts
 * import assert from "node:assert/strict";
 * import { ASLEEP_ON_WAKE, SIGNAL_BYTES, SIGNAL_WRITER_WAITING, writerWaiting } from "./doorbell.ts";
 *
 * const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
 * assert.equal(writerWaiting(signal), 0);
 * Atomics.store(signal, SIGNAL_WRITER_WAITING, ASLEEP_ON_WAKE); // a blocking writer, ring full
 * assert.equal(writerWaiting(signal), ASLEEP_ON_WAKE);
 * ```
 */
export function writerWaiting(signal: Int32Array): number {
  Atomics.add(FENCE, 0, 1);
  return Atomics.load(signal, SIGNAL_WRITER_WAITING);
}

/** This isolate's fence word (see {@linkcode writerWaiting}). */
const FENCE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Rings the doorbell whether the reader sleeps or not (end of stream, which an awake reader
 * looks for only once the ring is empty).
 *
 * @param signal The channel's signal.
 */
export function ringBell(signal: Int32Array): void {
  Atomics.add(signal, SIGNAL_BELL, 1);
  Atomics.notify(signal, SIGNAL_BELL);
}

/**
 * Checks that `signal` is a whole channel signal.
 *
 * @param signal The signal given to an end.
 * @param end `writer` or `reader`, for the message.
 * @throws {RangeError} When it has fewer than `SIGNAL_BYTES / 4` elements.
 */
export function checkSignal(signal: Int32Array, end: "writer" | "reader"): void {
  if (signal.length < SIGNAL_BYTES / 4) {
    throw new RangeError(
      `Cannot create a signalled ${end}: the signal must have ${
        SIGNAL_BYTES / 4
      } elements (SIGNAL_BYTES bytes), got ${signal.length}`,
    );
  }
}
