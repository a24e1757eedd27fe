/**
 * The cross-isolate transport over native connections: what `{ worker }` placements use to
 * connect isolates.
 *
 * @module
 */

import type { ConnectionReader, ConnectionWriter } from "../../core/transport/connection.ts";
import type {
  CrossIsolateChannel,
  CrossIsolateChannelSpec,
  CrossIsolateTransport,
  TransportEndpoint,
} from "../../core/transport/cross_isolate.ts";
import type { Frame } from "../../core/frames/frame.ts";
import type { ConnectionSharedState, NativeConnectionStats } from "./connection_shared_state.ts";
import type { TransferredConnectionEnd } from "./connection_transfer.ts";
import type { FramePool } from "./frame_pool.ts";
import { createNativeConnection } from "./native_connection.ts";
import { NativeConnectionReader } from "./native_connection_reader.ts";
import { NativeConnectionWriter } from "./native_connection_writer.ts";
import { SlotMemorySource } from "./slot_memory.ts";
import { SIGNAL_BYTES, SIGNAL_TORN } from "./channel/doorbell.ts";
import { SignalledReader } from "./channel/reader.ts";
import { SignalledWriter } from "./channel/writer.ts";
import type { BlockingEnds } from "./channel/wake.ts";

/**
 * One end of a channel as {@linkcode NativeTransport} posts it to the isolate that adopts it.
 */
export interface NativeTransportEndpoint {
  /** Discriminant. */
  readonly kind: "native-transport-endpoint";
  /** The connection's id. */
  readonly connection: string;
  /** The native connection's end, from its `transfer()`. */
  readonly end: TransferredConnectionEnd;
  /** The channel's doorbell and torn-down flag, shared by both ends and the main isolate. */
  readonly signal: SharedArrayBuffer;
  /** The writing node: the maker frames read from this channel name (lifetime reports). */
  readonly origin?: string;
  /** The reading isolate's wake word (see `channel/wake.ts`), when it has one. */
  readonly readerWake?: SharedArrayBuffer;
  /** The writing isolate's wake word, when it has one. */
  readonly writerWake?: SharedArrayBuffer;
}

/**
 * Options of a {@linkcode NativeTransport}.
 */
export interface NativeTransportOptions {
  /**
   * The frame pool every channel's payloads live in: an open pool, or a function that returns
   * it, called at the first `open()` or adoption (so a transport that is never used needs no
   * native library). Every isolate passes its own handle of the same pool.
   */
  readonly pool: FramePool | (() => FramePool);
  /**
   * The ledger this isolate records its slot references in (see `SlotMemorySource`), so the main
   * isolate can give them back if this isolate dies.
   */
  readonly holdings?: SharedArrayBuffer;
  /**
   * This isolate's blocking loop, while it blocks (a Worker placed with `wait: "block"`): ends
   * adopted while it returns one register there instead of waiting through the event loop.
   */
  readonly blocking?: () => BlockingEnds | undefined;
}

interface OpenChannel {
  readonly spec: CrossIsolateChannelSpec;
  readonly state: ConnectionSharedState;
  readonly signal: Int32Array;
  /** This isolate's copies of the two ends as posted, to close them if their isolate dies. */
  readonly ends: {
    readonly writer: TransferredConnectionEnd;
    readonly reader: TransferredConnectionEnd;
  };
}

/**
 * A {@linkcode CrossIsolateTransport} over native connections (`createNativeConnection`): each
 * channel is a native ring of 32-byte frame messages whose payloads live in one shared frame
 * pool, so pool frames (allocated by `ctx.frames` from {@linkcode NativeTransport.sharedMemory},
 * or read from another channel) cross isolates without a copy and other frames are copied once.
 *
 * The native ring has no arrival callback. Each channel also carries a doorbell in a
 * `SharedArrayBuffer`: after a push that finds the reader asleep the writer bumps it and calls
 * `Atomics.notify` (a reader that is draining sees the frame anyway), and the reading isolate
 * waits on it with `Atomics.waitAsync`, which resolves on that isolate's event loop; then
 * `onData` schedules the `push` node. {@linkcode NativeTransport.poll} checks every
 * reader at once (the Worker host calls it before draining, so no frame waits on a wake-up).
 *
 * One instance lives in each isolate: the main isolate's `open()`s channels; every isolate
 * adopts the ends it is given with its own instance over its own handle of the pool.
 *
 * @example A channel, both ends adopted in this isolate
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DataFrame } from "@streamlib/streamlib";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { NativeTransport } from "./native_transport.ts";
 *
 * using pool = FramePool.create({ slotBytes: 4096, slotCount: 4 });
 * const transport = new NativeTransport({ pool });
 * const channel = transport.open({
 *   connection: "conn_1",
 *   fromIsolate: "main",
 *   toIsolate: "worker:dsp",
 *   portType: "DataFrame",
 *   capacity: 4,
 *   policy: "fifo",
 * });
 * using writer = transport.adoptWriter<DataFrame>(channel.writer);
 * let woken = 0;
 * using reader = transport.adoptReader<DataFrame>(channel.reader, () => woken++);
 * writer.push({ kind: "data", timestampNs: 1, value: "hello" });
 * assert.equal(transport.poll(), 1);
 * assert.equal(woken, 1);
 * assert.equal(reader.pop()?.kind, "data");
 * channel.close();
 * ```
 */
export class NativeTransport implements CrossIsolateTransport {
  readonly #poolOption: FramePool | (() => FramePool);
  #pool: FramePool | undefined;
  readonly #channels = new Map<string, OpenChannel>();
  readonly #readers = new Set<SignalledReader<Frame>>();
  #memory: SlotMemorySource | undefined;
  /** Wake words of the isolates that have one, by isolate name (see `setWake`). */
  readonly #wakes = new Map<string, SharedArrayBuffer>();
  readonly #blocking: () => BlockingEnds | undefined;

  /**
   * Creates a transport; no native resource is touched until it is used.
   *
   * @param options The pool.
   */
  constructor(options: NativeTransportOptions) {
    this.#poolOption = options.pool;
    this.#holdings = options.holdings;
    this.#blocking = options.blocking ?? (() => undefined);
  }

  /**
   * Gives an isolate's wake word (see `channel/wake.ts`): channels opened from now on with an end
   * in that isolate ring it as well as their own bells, so that isolate can block on it.
   *
   * @param isolate The isolate name (`worker:<name>`).
   * @param wake Its wake word (`WAKE_BYTES`).
   */
  setWake(isolate: string, wake: SharedArrayBuffer): void {
    this.#wakes.set(isolate, wake);
  }

  readonly #holdings: SharedArrayBuffer | undefined;

  /** The pool (opened by the first call). */
  get pool(): FramePool {
    if (!this.#pool) {
      const option = this.#poolOption;
      this.#pool = typeof option === "function" ? option() : option;
    }
    return this.#pool;
  }

  /** The pool's slots as frame memory, once the pool exists (see `CrossIsolateTransport`). */
  get sharedMemory(): SlotMemorySource | undefined {
    return this.#pool === undefined ? undefined : this.#slotMemory();
  }

  #slotMemory(): SlotMemorySource {
    return this.#memory ??= new SlotMemorySource(this.pool, { holdings: this.#holdings });
  }

  /**
   * Creates a native connection for one cross-isolate connection and gives up both its ends for
   * the hosts to adopt.
   *
   * @param spec The connection, its isolates, capacity and policy.
   * @returns The channel; its `stats()` read the connection's shared counters.
   */
  open(spec: CrossIsolateChannelSpec): CrossIsolateChannel {
    const [writer, reader] = createNativeConnection({
      capacity: spec.capacity,
      policy: spec.policy,
      pool: this.pool,
    });
    const state = writer.state;
    const buffer = new SharedArrayBuffer(SIGNAL_BYTES);
    const signal = new Int32Array(buffer);
    const readerWake = this.#wakes.get(spec.toIsolate);
    const writerWake = this.#wakes.get(spec.fromIsolate);
    const endpoint = (end: TransferredConnectionEnd): NativeTransportEndpoint => ({
      kind: "native-transport-endpoint",
      connection: spec.connection,
      end,
      signal: buffer,
      origin: spec.from,
      ...(readerWake && { readerWake }),
      ...(writerWake && { writerWake }),
    });
    const ends = { writer: writer.transfer(), reader: reader.transfer() };
    const open: OpenChannel = { spec, state, signal, ends };
    this.#channels.set(spec.connection, open);
    const close = () => {
      if (this.#channels.get(spec.connection) === open) this.#channels.delete(spec.connection);
    };
    return {
      writer: endpoint(ends.writer),
      reader: endpoint(ends.reader),
      stats: (): NativeConnectionStats => {
        const stats = state.stats();
        if (Atomics.load(signal, SIGNAL_TORN) !== 0) stats.abandoned = true;
        return stats;
      },
      close,
      [Symbol.dispose]: close,
    };
  }

  /**
   * Adopts a writing end in this isolate.
   *
   * @param endpoint `channel.writer`, as posted here.
   * @returns The writer; disposing it closes this end.
   * @throws {TypeError} When `endpoint` is not one of this transport's endpoints.
   */
  adoptWriter<T>(endpoint: TransportEndpoint): ConnectionWriter<T> & Disposable {
    const { end, signal, readerWake } = checkEndpoint(endpoint);
    const writer = NativeConnectionWriter.adopt<Frame>(end, { pool: this.pool });
    return new SignalledWriter(writer, new Int32Array(signal), {
      readerWake: readerWake && new Int32Array(readerWake),
      blocking: this.#blocking(),
    }) as unknown as
      & ConnectionWriter<T>
      & Disposable;
  }

  /**
   * Adopts a reading end in this isolate and starts waiting on its doorbell.
   *
   * @param endpoint `channel.reader`, as posted here.
   * @param onData Called on this isolate's event loop when frames are queued (coalesce it).
   * @returns The reader; disposing it stops the waiting and closes this end.
   * @throws {TypeError} When `endpoint` is not one of this transport's endpoints.
   */
  adoptReader<T>(
    endpoint: TransportEndpoint,
    onData: () => void,
  ): ConnectionReader<T> & Disposable {
    const { end, signal, origin, writerWake } = checkEndpoint(endpoint);
    const native = NativeConnectionReader.adopt<Frame>(end, { pool: this.pool });
    const reader = new SignalledReader(
      native,
      new Int32Array(signal),
      onData,
      (r) => {
        this.#readers.delete(r);
      },
      this.#slotMemory(),
      origin,
      { writerWake: writerWake && new Int32Array(writerWake), blocking: this.#blocking() },
    );
    this.#readers.add(reader);
    return reader as unknown as ConnectionReader<T> & Disposable;
  }

  /**
   * Calls `onData` of every reader adopted here that has frames queued, without waiting for
   * their doorbells (a host calls it before draining: a doorbell is an event-loop task that may
   * not have run yet).
   *
   * @returns How many readers had frames written since the previous `poll()`.
   */
  poll(): number {
    let found = 0;
    for (const reader of this.#readers) if (reader.poll()) found++;
    return found;
  }

  /**
   * Tears down a channel whose other isolate died: its surviving writer drops frames as if
   * unconnected, and `stats()` reports it abandoned. Only the transport that opened it knows it.
   *
   * @param connection The connection's id.
   * @returns Whether this transport opened that channel (and it is not closed).
   */
  /**
   * Closes the ends of `connection` that lived in a dead isolate, from this isolate: a reader end
   * is adopted here and closed, which releases the slot of every message still queued in it and
   * frees its ring endpoint; a writer end is adopted and closed. Call it after
   * `tearDownConnection()`, once the isolate is gone (never while it may still use them).
   *
   * @param connection The connection's id.
   * @param isolate The dead isolate.
   * @returns How many ends were closed (0 when the channel is unknown or not that isolate's).
   */
  reclaimEnds(connection: string, isolate: string): number {
    const channel = this.#channels.get(connection);
    if (!channel) return 0;
    let closed = 0;
    if (channel.spec.toIsolate === isolate) {
      NativeConnectionReader.adopt<Frame>(channel.ends.reader, { pool: this.pool }).close();
      closed++;
    }
    if (channel.spec.fromIsolate === isolate) {
      NativeConnectionWriter.adopt<Frame>(channel.ends.writer, { pool: this.pool }).close();
      closed++;
    }
    return closed;
  }

  /** Marks the channel of `connection` torn down, so both ends stop; `false` when it is not open. */
  tearDownConnection(connection: string): boolean {
    const channel = this.#channels.get(connection);
    if (!channel) return false;
    Atomics.store(channel.signal, SIGNAL_TORN, 1);
    return true;
  }
}

function checkEndpoint(endpoint: TransportEndpoint): NativeTransportEndpoint {
  const e = endpoint as NativeTransportEndpoint;
  if (e?.kind !== "native-transport-endpoint" || !(e.signal instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `Cannot adopt a channel end: expected an endpoint of a NativeTransport channel, got ${
        JSON.stringify(endpoint)
      }`,
    );
  }
  return e;
}
