/**
 * Connections between isolates: a native ring of frame messages plus a shared frame pool,
 * adapted to the `ConnectionWriter`/`ConnectionReader` interfaces of a `LocalConnection`.
 *
 * @module
 */

import type { Frame } from "../../core/frames/frame.ts";
import { DELIVERY_POLICIES, type DeliveryPolicy } from "../../core/transport/ring.ts";
import { ConnectionSharedState } from "./connection_shared_state.ts";
import { poolSlabAddress } from "./connection_transfer.ts";
import { InvalidArgumentError } from "../native/errors.ts";
import { FRAME_HEADER_BYTES } from "./frame_format.ts";
import type { FramePool } from "./frame_pool.ts";
import { createNativeRing } from "./native_ring.ts";
import { NativeConnectionReader } from "./native_connection_reader.ts";
import { NativeConnectionWriter } from "./native_connection_writer.ts";

/**
 * Options of {@linkcode createNativeConnection}.
 */
export interface NativeConnectionOptions {
  /** Frames the connection holds, 1 to 16,777,216. Default 4, as for a `LocalConnection`. */
  capacity?: number;
  /** What a push into a full connection does. Default `"latest"`, as for a `LocalConnection`. */
  policy?: DeliveryPolicy;
  /**
   * The pool whose slots carry the payloads; slots must be larger than the 64-byte header. It
   * must stay open until both ends are closed (in every isolate they were adopted in).
   */
  pool: FramePool;
}

/**
 * Creates a connection whose two ends can live in different isolates: `[writer, reader]`, each
 * transferable with `transfer()` and `adopt()`. Same semantics and counters as a
 * `LocalConnection` (`latest` rolls the oldest off, `fifo` refuses when full), with frames
 * carried as 32-byte messages naming frame-pool slots.
 *
 * Ownership: every queued message owns one slot reference; the reader releases it when the
 * frame's validity ends (see `NativeConnectionReader`), the writer when a frame rolls off, and
 * `close()` on the reader releases whatever is still queued. Pool frames of `pool` (allocated from
 * a `SlotMemorySource` of it, or read from another connection of `pool`) travel without a copy;
 * other frames are copied once into a slot.
 *
 * @param options Capacity, policy and pool.
 * @returns The writer and the reader.
 * @throws {InvalidArgumentError} When the capacity, policy or pool's slot size is invalid.
 *
 * @example A latest connection keeps the newest frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { createNativeConnection } from "./native_connection.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 8 });
 * const [writer, reader] = createNativeConnection({ capacity: 2, policy: "latest", pool });
 * for (let i = 0; i < 5; i++) writer.push({ kind: "data", timestampNs: i, value: i });
 * assert.equal(reader.pop()?.timestampNs, 3);
 * assert.equal(writer.stats().dropped, 3);
 * writer.close();
 * reader.close();
 * assert.equal(pool.stats().inUse, 0);
 * ```
 */
export function createNativeConnection<T extends Frame = Frame>(
  options: NativeConnectionOptions,
): [NativeConnectionWriter<T>, NativeConnectionReader<T>] {
  const { capacity = 4, policy = "latest", pool } = options;
  const operation = "create a native connection";
  if (!DELIVERY_POLICIES.includes(policy)) {
    throw new InvalidArgumentError(operation, "policy", policy, `one of ${DELIVERY_POLICIES}`);
  }
  if (pool.slotBytes <= FRAME_HEADER_BYTES) {
    throw new InvalidArgumentError(
      operation,
      "pool.slotBytes",
      pool.slotBytes,
      `more than the ${FRAME_HEADER_BYTES}-byte frame header`,
    );
  }
  const [producer, consumer] = createNativeRing({ capacity, policy });
  const parts = {
    pool,
    ownsPool: false,
    poolShare: pool.share(),
    slab: poolSlabAddress(pool),
    shared: ConnectionSharedState.create(capacity, policy),
    capacity,
    policy,
  };
  return [
    new NativeConnectionWriter<T>(producer, parts),
    new NativeConnectionReader<T>(consumer, parts),
  ];
}
