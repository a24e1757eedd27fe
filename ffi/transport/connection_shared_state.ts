/**
 * What the two ends of a native connection share besides the ring: the connection's counters
 * (readable from any isolate, even after both ends closed) and the handshake that lets the
 * reader close without stranding a frame in the ring.
 *
 * @module
 */

import type { ConnectionStats } from "../../core/transport/connection.ts";
import { DELIVERY_POLICIES, type DeliveryPolicy } from "../../core/transport/ring.ts";

/**
 * Counters of a native connection: {@linkcode ConnectionStats} and how frames travelled.
 */
export interface NativeConnectionStats extends ConnectionStats {
  /** Pushes that found every frame-pool slot in use (counted as dropped, or rejected for `fifo`). */
  poolExhausted: number;
  /** Frames sent by slot handle, without copying their payload. */
  zeroCopyWrites: number;
  /** Frames copied once into a fresh slot. */
  copiedWrites: number;
  /** Messages the reader could not decode (counted as dropped; a bug if ever non-zero). */
  invalidMessages: number;
  /** Whether either end has been closed. */
  abandoned: boolean;
}

/**
 * Index of each counter in {@linkcode ConnectionSharedState.counters}; each has one writer.
 */
export const COUNTER = {
  /** Capacity in frames (set at creation). */
  CAPACITY: 0,
  /** Delivery policy, 0 `fifo` or 1 `latest` (set at creation). */
  POLICY: 1,
  /** Writer: pushes accepted (including `latest` ones it could not deliver). */
  WRITTEN: 2,
  /** Writer: `fifo` pushes refused: ring full, pool exhausted, reader gone. */
  REJECTED: 3,
  /** Writer: messages rolled off a `latest` ring (their slots released). */
  EVICTED: 4,
  /** Writer: `latest` pushes accepted but not deliverable: pool exhausted, reader gone. */
  UNDELIVERED: 5,
  /** Writer: pushes that found the pool exhausted. */
  POOL_EXHAUSTED: 6,
  /** Writer: frames sent by handle. */
  ZERO_COPY: 7,
  /** Writer: frames copied into a fresh slot. */
  COPIED: 8,
  /**
   * Writer: pushes taken and not written because the reader's node stopped reading (it failed
   * or ended) or the channel was torn down (its isolate died); not in `WRITTEN`.
   */
  UNWRITTEN: 9,
  /** Reader: frames returned. */
  READ: 16,
  /** Reader: messages released without being returned (skipped, drained at close, invalid). */
  DISCARDED: 17,
  /** Reader: the undecodable part of `DISCARDED`. */
  INVALID: 18,
} as const;

/**
 * Layout: the writer's counters (bytes 0-79) and the flags (96-111, which the writer writes on
 * every push) apart from the reader's counters (128-151), so that the two isolates do not pass
 * one cache line back and forth on every frame. Indices 10-15 are unused (12-13 alias the flags).
 */
const COUNTERS = 19;
const FLAGS_OFFSET = 96;
/**
 * The close handshake's word: {@linkcode CLOSING_BIT} (the reader's) and {@linkcode BUSY_BIT} (the
 * writer's) in one `Int32`, so that each side raises its bit and reads the other's in one atomic
 * read-modify-write (V8 calls a builtin for every `Atomics` operation, about 10 ns each here).
 */
const HANDSHAKE = 0;
const CLOSING_BIT = 1;
const BUSY_BIT = 2;
const WRITER_CLOSED = 2;
/** Set by the reader to ask for a keyframe, taken (and cleared) by the writer. */
const KEYFRAME_REQUESTED = 3;
const BYTES = 192;
/** How long a closing reader waits for a push in flight in another isolate to finish. */
const CLOSE_WAIT_MS = 1000;

/**
 * A `SharedArrayBuffer` of counters and flags that both ends of a connection map, whichever
 * isolates they are in.
 *
 * The close handshake: the writer raises `busy` around each push and gives up if `closing` is
 * set; the reader sets `closing`, waits while `busy` is raised, then drains the ring. Both flags
 * are bits of one word, each raised with `Atomics.or`, which returns the word as it was: the two
 * raises are ordered, and the later one sees the earlier, so no message can land in the ring
 * after the reader's final drain.
 *
 * @example Count and read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { COUNTER, ConnectionSharedState } from "./connection_shared_state.ts";
 *
 * const state = ConnectionSharedState.create(4, "fifo");
 * state.counters[COUNTER.WRITTEN]++;
 * assert.equal(ConnectionSharedState.from(state.buffer).stats().queued, 1);
 * ```
 */
export class ConnectionSharedState {
  /** The shared memory, to post to another isolate. */
  readonly buffer: SharedArrayBuffer;
  /** The counters, indexed by {@linkcode COUNTER}. */
  readonly counters: Float64Array;
  readonly #flags: Int32Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.counters = new Float64Array(buffer, 0, COUNTERS);
    this.#flags = new Int32Array(buffer, FLAGS_OFFSET, 4);
  }

  /**
   * Allocates zeroed counters for a new connection.
   *
   * @param capacity Capacity in frames.
   * @param policy The delivery policy.
   * @returns The state.
   */
  static create(capacity: number, policy: DeliveryPolicy): ConnectionSharedState {
    const state = new ConnectionSharedState(new SharedArrayBuffer(BYTES));
    state.counters[COUNTER.CAPACITY] = capacity;
    state.counters[COUNTER.POLICY] = DELIVERY_POLICIES.indexOf(policy);
    return state;
  }

  /**
   * Maps state another isolate created.
   *
   * @param buffer The `buffer` of that state.
   * @returns A view of the same memory.
   * @throws {TypeError} When `buffer` is not a connection's shared state.
   */
  static from(buffer: SharedArrayBuffer): ConnectionSharedState {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== BYTES) {
      throw new TypeError(
        `Cannot map a connection's shared state: expected a SharedArrayBuffer of ${BYTES} bytes, got ${
          String(buffer)
        }`,
      );
    }
    return new ConnectionSharedState(buffer);
  }

  /**
   * Writer: announces a push. Returns `false`, with nothing announced, once the reader is closing.
   *
   * @returns Whether the push may go ahead (then call {@linkcode ConnectionSharedState.endPush}).
   */
  beginPush(): boolean {
    if ((Atomics.or(this.#flags, HANDSHAKE, BUSY_BIT) & CLOSING_BIT) === 0) return true;
    Atomics.and(this.#flags, HANDSHAKE, ~BUSY_BIT);
    return false;
  }

  /**
   * Writer: the push announced by {@linkcode ConnectionSharedState.beginPush} is done. A full
   * barrier (an atomic read-modify-write): what the push stored is visible before any load after
   * it, which the doorbell relies on.
   */
  endPush(): void {
    Atomics.and(this.#flags, HANDSHAKE, ~BUSY_BIT);
  }

  /**
   * Reader: stops further pushes and waits (at most a second) for one in flight to finish.
   *
   * @returns Whether the writer was seen idle (`false`: it stayed busy, e.g. its isolate died).
   */
  closeReader(): boolean {
    if ((Atomics.or(this.#flags, HANDSHAKE, CLOSING_BIT) & BUSY_BIT) === 0) return true;
    const deadline = performance.now() + CLOSE_WAIT_MS;
    while ((Atomics.load(this.#flags, HANDSHAKE) & BUSY_BIT) !== 0) {
      if (performance.now() > deadline) return false;
    }
    return true;
  }

  /** Whether the reader has closed (or is closing). */
  get readerClosed(): boolean {
    return (Atomics.load(this.#flags, HANDSHAKE) & CLOSING_BIT) !== 0;
  }

  /** Writer: marks the writer closed (for `abandoned`). */
  closeWriter(): void {
    Atomics.store(this.#flags, WRITER_CLOSED, 1);
  }

  /** Whether the writer has closed. */
  get writerClosed(): boolean {
    return Atomics.load(this.#flags, WRITER_CLOSED) !== 0;
  }

  /** The reader asks the writer for a keyframe (`InputPort.requestKeyframe()` across isolates). */
  requestKeyframe(): void {
    Atomics.store(this.#flags, KEYFRAME_REQUESTED, 1);
  }

  /**
   * Whether the reader asked for a keyframe since the last call; clears the request.
   *
   * @returns Whether one was asked for.
   */
  takeKeyframeRequest(): boolean {
    return Atomics.exchange(this.#flags, KEYFRAME_REQUESTED, 0) !== 0;
  }

  /**
   * The connection's counters, from any isolate that maps this state, whether or not the ends
   * are still open (allocates; control paths). Each end updates its counters just after the ring
   * operation, so a snapshot taken meanwhile can be off by one frame.
   *
   * @returns A snapshot; `written = read + dropped + queued`.
   */
  stats(): NativeConnectionStats {
    const c = this.counters;
    const written = c[COUNTER.WRITTEN];
    const read = c[COUNTER.READ];
    const dropped = c[COUNTER.EVICTED] + c[COUNTER.UNDELIVERED] + c[COUNTER.DISCARDED];
    return {
      capacity: c[COUNTER.CAPACITY],
      queued: Math.max(0, written - read - dropped),
      written,
      read,
      dropped,
      fullRejections: c[COUNTER.REJECTED],
      discarded: c[COUNTER.UNWRITTEN],
      policy: DELIVERY_POLICIES[c[COUNTER.POLICY]],
      poolExhausted: c[COUNTER.POOL_EXHAUSTED],
      zeroCopyWrites: c[COUNTER.ZERO_COPY],
      copiedWrites: c[COUNTER.COPIED],
      invalidMessages: c[COUNTER.INVALID],
      abandoned: this.readerClosed || this.writerClosed,
    };
  }
}
