/**
 * A connection inside one isolate: a bounded queue of frame references.
 *
 * @module
 */

import type {
  ConnectionReader,
  ConnectionStats,
  ConnectionWriter,
} from "../transport/connection.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";
import type { InputBinding } from "./input_binding.ts";
import type { OutputBinding } from "./output_binding.ts";
import { releaseFrame, retainFrame } from "../frames/owned_frame.ts";

/**
 * Options of a {@linkcode LocalConnection}.
 */
export interface LocalConnectionOptions {
  /** Frames the queue holds, at least 1. Default 4. */
  capacity?: number;
  /** What a push into a full queue does. Default `"latest"`. */
  policy?: DeliveryPolicy;
}

/**
 * A bounded single-isolate queue between one output and one input, with the same delivery
 * policies and counters as the native rings:
 *
 * - `latest`: `push` always succeeds; when full, the oldest frame rolls off and counts as dropped.
 * - `fifo`: lossless; `push` into a full queue writes nothing, counts a full rejection and returns
 *   `false`, so the writer knows.
 *
 * The slot array is allocated once; `push` and the reads never allocate, throw or block. Frames
 * are passed by reference; the runtime's output binding takes one reference of an owned frame per
 * connection that queues it, so capacity only sets how many frames may wait (latency and jitter),
 * never how long a frame stays valid.
 *
 * @typeParam T The frame type.
 *
 * @example Latest keeps the newest frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalConnection } from "./local_connection.ts";
 *
 * const conn = new LocalConnection<number>({ capacity: 2, policy: "latest" });
 * conn.push(1);
 * conn.push(2);
 * conn.push(3); // 1 rolls off
 * assert.equal(conn.pop(), 2);
 * assert.equal(conn.dropped, 1);
 * ```
 *
 * @example Fifo tells the writer it is full
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalConnection } from "./local_connection.ts";
 *
 * const conn = new LocalConnection<string>({ capacity: 1, policy: "fifo" });
 * assert.ok(conn.push("a"));
 * assert.equal(conn.push("b"), false);
 * ```
 */
export class LocalConnection<T> implements ConnectionReader<T>, ConnectionWriter<T> {
  /** Frames the queue holds. */
  readonly capacity: number;
  /** The delivery policy. */
  readonly policy: DeliveryPolicy;
  readonly #slots: (T | undefined)[];
  #head = 0;
  #count = 0;
  #written = 0;
  #read = 0;
  #dropped = 0;
  #fullRejections = 0;
  #discarded = 0;
  #discarding = false;
  #onSpace: (() => void) | undefined;
  #writerEnded = false;
  #keyframeRequested = false;

  /**
   * Allocates the slot array; nothing is allocated after this.
   *
   * @param options Capacity and policy.
   * @throws {RangeError} When the capacity is not a positive integer or the policy is unknown.
   */
  constructor(options: LocalConnectionOptions = {}) {
    const capacity = options.capacity ?? 4;
    const policy = options.policy ?? "latest";
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create a connection: capacity must be a positive integer, got ${capacity}`,
      );
    }
    if (policy !== "latest" && policy !== "fifo") {
      throw new RangeError(
        `Cannot create a connection: unknown policy '${policy}', expected latest or fifo`,
      );
    }
    this.capacity = capacity;
    this.policy = policy;
    this.#slots = new Array(capacity).fill(undefined);
  }

  /** Frames waiting to be read. */
  get available(): number {
    return this.#count;
  }

  /** Free slots. */
  get freeSlots(): number {
    return this.capacity - this.#count;
  }

  /**
   * Frames a push takes now without refusing: free slots for `fifo`, `Infinity` for `latest` and
   * while discarding (see {@linkcode LocalConnection.setDiscarding}).
   */
  get space(): number {
    return this.policy === "fifo" && !this.#discarding ? this.capacity - this.#count : Infinity;
  }

  /** Whether the reader's node stopped reading (see {@linkcode LocalConnection.setDiscarding}). */
  get discarding(): boolean {
    return this.#discarding;
  }

  /**
   * The reader's node stopped reading (`true`: it failed, or ended before its input did) or reads
   * again (`false`). While discarding, queued frames are dropped (counted in `dropped`), every
   * push is taken without being queued (counted in `discarded`, never refused) and `space` is
   * `Infinity`, so the writer, and through it the other connections of its output, are not held
   * back by a reader that will not read. A writer waiting for room is called back at once.
   *
   * @param discarding Whether the reader's node stopped reading.
   *
   * @example A failed reader holds its writer back no longer
   * ```ts
   * import assert from "node:assert/strict";
   * import { LocalConnection } from "./local_connection.ts";
   *
   * const conn = new LocalConnection<number>({ capacity: 1, policy: "fifo" });
   * conn.push(1);
   * assert.equal(conn.space, 0);
   * conn.setDiscarding(true); // what the runtime does when the reading node fails
   * assert.equal(conn.space, Infinity);
   * assert.ok(conn.push(2));
   * assert.deepEqual([conn.dropped, conn.discarded, conn.available], [1, 1, 0]);
   * conn.setDiscarding(false); // set up again: it queues as before
   * assert.ok(conn.push(3));
   * assert.equal(conn.pop(), 3);
   * ```
   */
  setDiscarding(discarding: boolean): void {
    if (this.#discarding === discarding) return;
    this.#discarding = discarding;
    if (!discarding) return;
    this.clear();
    const onSpace = this.#onSpace;
    if (onSpace !== undefined) {
      this.#onSpace = undefined;
      onSpace();
    }
  }

  /**
   * Calls `callback` once, when the reader next takes a frame (at once if there is room now).
   * One callback at a time: a second call replaces the first. The callback must not throw.
   *
   * @param callback Called when a push would be accepted again.
   */
  onSpace(callback: () => void): void {
    if (this.space > 0) callback();
    else this.#onSpace = callback;
  }

  /** Asks the writer for a keyframe: the next {@linkcode LocalConnection.takeKeyframeRequest} is `true`. */
  requestKeyframe(): void {
    this.#keyframeRequested = true;
  }

  /**
   * Whether the reader asked for a keyframe since the last call; clears the request.
   *
   * @returns Whether a keyframe was asked for.
   */
  takeKeyframeRequest(): boolean {
    const requested = this.#keyframeRequested;
    this.#keyframeRequested = false;
    return requested;
  }

  /** Whether the queue holds `capacity` frames. */
  get isFull(): boolean {
    return this.#count === this.capacity;
  }

  /** Whether there is nothing to read. */
  get isEmpty(): boolean {
    return this.#count === 0;
  }

  /** Frames accepted by `push`. */
  get written(): number {
    return this.#written;
  }

  /** Frames handed to the reader. */
  get read(): number {
    return this.#read;
  }

  /** Frames rolled off (`latest`) or skipped by `popLatest`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Pushes that found a `fifo` queue full. */
  get fullRejections(): number {
    return this.#fullRejections;
  }

  /** Pushes taken and not queued while discarding (see {@linkcode LocalConnection.setDiscarding}). */
  get discarded(): number {
    return this.#discarded;
  }

  /**
   * Offers one frame.
   *
   * @param frame The frame.
   * @returns `false` only when the policy is `fifo` and the queue is full.
   */
  push(frame: T): boolean {
    if (this.#discarding) {
      this.#discarded++; // the reader stopped reading: nothing is queued, the writer goes on
      return true;
    }
    if (this.#count === this.capacity) {
      if (this.policy === "fifo") {
        this.#fullRejections++;
        return false;
      }
      releaseFrame(this.#slots[this.#head]); // rolled off: the connection's reference goes
      this.#slots[this.#head] = undefined;
      this.#head = this.#wrap(this.#head + 1);
      this.#count--;
      this.#dropped++;
    }
    retainFrame(frame); // the queue's own reference, released when read (to the reader) or dropped
    this.#slots[this.#wrap(this.#head + this.#count)] = frame;
    this.#count++;
    this.#written++;
    return true;
  }

  /**
   * Takes the oldest frame.
   *
   * @returns The frame, or `undefined` when the queue is empty.
   */
  pop(): T | undefined {
    if (this.#count === 0) return undefined;
    const frame = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = this.#wrap(this.#head + 1);
    this.#count--;
    this.#read++;
    const onSpace = this.#onSpace;
    if (onSpace !== undefined) {
      this.#onSpace = undefined;
      onSpace();
    }
    return frame;
  }

  /**
   * Takes the newest frame; older ones are discarded and counted as dropped.
   *
   * @returns The frame, or `undefined` when the queue is empty.
   */
  popLatest(): T | undefined {
    if (this.#count === 0) return undefined;
    const skipped = this.#count - 1;
    for (let i = 0; i < skipped; i++) {
      const at = this.#wrap(this.#head + i);
      releaseFrame(this.#slots[at]);
      this.#slots[at] = undefined;
    }
    this.#head = this.#wrap(this.#head + skipped);
    this.#count = 1;
    this.#dropped += skipped;
    return this.pop();
  }

  /**
   * Marks end of stream (`true`: the writer writes nothing more) or opens the stream again.
   *
   * @param ended Whether the writer has ended.
   */
  end(ended: boolean): void {
    this.#writerEnded = ended;
  }

  /** Whether the writer ended and every frame it wrote has been read. */
  get ended(): boolean {
    return this.#writerEnded && this.#count === 0;
  }

  /**
   * Looks at the oldest frame without taking it.
   *
   * @returns The frame, or `undefined` when the queue is empty.
   */
  peek(): T | undefined {
    return this.#count === 0 ? undefined : this.#slots[this.#head];
  }

  /**
   * Drops every queued frame (counted as dropped) and releases the connection's references to
   * them: the runtime calls it when the connection is removed or the graph stops.
   *
   * @returns How many frames were dropped.
   */
  clear(): number {
    const n = this.#count;
    for (let i = 0; i < n; i++) {
      const at = this.#wrap(this.#head + i);
      releaseFrame(this.#slots[at]);
      this.#slots[at] = undefined;
    }
    this.#head = 0;
    this.#count = 0;
    this.#dropped += n;
    return n;
  }

  /** `index % capacity` for an index below twice the capacity, without a division. */
  #wrap(index: number): number {
    return index >= this.capacity ? index - this.capacity : index;
  }

  /**
   * A snapshot of the counters (allocates; for control paths).
   *
   * @returns The counters.
   */
  stats(): ConnectionStats {
    return {
      capacity: this.capacity,
      queued: this.#count,
      written: this.#written,
      read: this.#read,
      dropped: this.#dropped,
      fullRejections: this.#fullRejections,
      discarded: this.#discarded,
      policy: this.policy,
    };
  }
}

/**
 * Wires `from` to `to` through a new {@linkcode LocalConnection}: the same-isolate connection the
 * runtime makes, and what processor tests use.
 *
 * @param from The output binding.
 * @param to The input binding (it must have no connection yet).
 * @param options Capacity and policy of the connection.
 * @returns The connection, for its counters.
 * @throws {PortAlreadyConnectedError} When `to` already has a connection.
 *
 * @example Connect two bindings
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, InputBinding, OutputBinding } from "@streamlib/streamlib";
 *
 * const out = new OutputBinding<number>("out", "DataFrame");
 * const inp = new InputBinding<number>("in", "DataFrame");
 * const conn = connectLocal(out, inp, { capacity: 2, policy: "fifo" });
 * out.write(5);
 * assert.equal(inp.read(), 5);
 * assert.equal(conn.written, 1);
 * ```
 */
export function connectLocal<T>(
  from: OutputBinding<T>,
  to: InputBinding<T>,
  options: LocalConnectionOptions = {},
): LocalConnection<T> {
  const connection = new LocalConnection<T>(options);
  to.attach(connection);
  from.attach(connection);
  return connection;
}
