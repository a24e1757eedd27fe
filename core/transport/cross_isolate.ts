/**
 * The contract of connections between isolates: what a Worker placement needs from the native
 * rings and frame pool in `ffi/`.
 *
 * @module
 */

import type { FrameMemorySource } from "../frames/memory.ts";
import type { ConnectionReader, ConnectionStats, ConnectionWriter } from "./connection.ts";
import type { DeliveryPolicy } from "./ring.ts";

/**
 * One end of a cross-isolate channel in a form that can be posted to another isolate (a
 * structured-cloneable value, such as native ring handles and a frame-pool id). Opaque to the
 * runtime.
 *
 * @example Endpoints survive structured cloning (postMessage)
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DataFrame } from "@streamlib/streamlib";
 * import type { TransportEndpoint } from "./cross_isolate.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { NativeTransport } from "../../ffi/transport/native_transport.ts";
 *
 * using pool = FramePool.create({ slotBytes: 4096, slotCount: 4 });
 * const transport = new NativeTransport({ pool });
 * using channel = transport.open({
 *   connection: "conn_1",
 *   fromIsolate: "main",
 *   toIsolate: "worker:dsp",
 *   portType: "DataFrame",
 *   capacity: 4,
 *   policy: "fifo",
 * });
 * const posted: TransportEndpoint = structuredClone(channel.reader); // what a Worker receives
 * using reader = transport.adoptReader<DataFrame>(posted, () => {});
 * using writer = transport.adoptWriter<DataFrame>(channel.writer);
 * writer.push({ kind: "data", timestampNs: 0, value: 42 });
 * assert.equal(reader.pop()?.value, 42);
 * ```
 */
export type TransportEndpoint = unknown;

/**
 * What the runtime asks a transport for: one connection between two isolates.
 */
export interface CrossIsolateChannelSpec {
  /** The connection's id. */
  readonly connection: string;
  /**
   * The writing node's id: frames read from the channel name it as their maker (default
   * `"another isolate"`).
   */
  readonly from?: string;
  /** The isolate of the writing node (`main`, `worker:<name>`). */
  readonly fromIsolate: string;
  /** The isolate of the reading node. */
  readonly toIsolate: string;
  /** The port type of the output (decides how frames are marshalled). */
  readonly portType: string;
  /** Frames the channel buffers. */
  readonly capacity: number;
  /** What a write into a full channel does. */
  readonly policy: DeliveryPolicy;
}

/**
 * A connection's buffer shared by two isolates, as the runtime (in the main isolate) holds it:
 * the two endpoints to hand to the isolates' hosts, and the counters.
 */
export interface CrossIsolateChannel extends Disposable {
  /** The writing end, for the writer's isolate (`CrossIsolateTransport.adoptWriter`). */
  readonly writer: TransportEndpoint;
  /** The reading end, for the reader's isolate (`CrossIsolateTransport.adoptReader`). */
  readonly reader: TransportEndpoint;
  /** The channel's counters, readable from the main isolate. */
  stats(): ConnectionStats;
  /** Releases the channel; idempotent. Endpoints already adopted see it as abandoned. */
  close(): void;
}

/**
 * Makes connections between isolates. `core/` declares it; an implementation over the native
 * rings and frame pool (`ffi/`) is injected with `new Runtime({ isolates })`, along with the
 * Worker hosts. Frames cross as ring messages that name frame-pool slots, so pixel and sample
 * data are not copied.
 *
 * The same transport object is used in every isolate: the runtime calls `open()` in the main
 * isolate; each isolate's host calls `adoptWriter()` or `adoptReader()` on the endpoint it was
 * given. Adopted ends follow the hot-path rules of {@linkcode ConnectionWriter} and
 * {@linkcode ConnectionReader}: they never throw and never block.
 */
export interface CrossIsolateTransport {
  /**
   * Creates one connection's buffer.
   *
   * @param spec The connection, its isolates, frame type, capacity and policy.
   * @returns The channel.
   */
  open(spec: CrossIsolateChannelSpec): CrossIsolateChannel;
  /**
   * Turns a writing endpoint into a writer, in the isolate of the writing node.
   *
   * @param endpoint `channel.writer`, as posted to this isolate.
   * @returns The writer; disposing it releases this end.
   */
  adoptWriter<T>(endpoint: TransportEndpoint): ConnectionWriter<T> & Disposable;
  /**
   * Turns a reading endpoint into a reader, in the isolate of the reading node.
   *
   * @param endpoint `channel.reader`, as posted to this isolate.
   * @param onData Called (coalesced, on this isolate's event loop) when frames arrive, so the
   * host can schedule a `push` node.
   * @returns The reader; disposing it releases this end.
   */
  adoptReader<T>(
    endpoint: TransportEndpoint,
    onData: () => void,
  ): ConnectionReader<T> & Disposable;
  /**
   * Frame memory that crosses isolates without a copy (the native frame pool), once this
   * transport has one; `undefined` before. The isolate's nodes allocate from it first.
   */
  readonly sharedMemory?: FrameMemorySource;
}
