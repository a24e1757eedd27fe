/**
 * How the ends of a native connection move between isolates: the posted shapes and the pool
 * each adopted end opens.
 *
 * @module
 */

import type { DeliveryPolicy } from "../../core/transport/ring.ts";
import { ConnectionSharedState } from "./connection_shared_state.ts";
import { FramePool, framePoolSlabBase, type SharedFramePool } from "./frame_pool.ts";
import type { TransferredRingEndpoint } from "./ring_endpoint.ts";

/**
 * What `NativeConnectionWriter.transfer()` / `NativeConnectionReader.transfer()` return.
 */
export interface TransferredConnectionEnd {
  /** Which end. */
  kind: "connection-writer" | "connection-reader";
  /** The ring endpoint, now owned by whoever adopts this. */
  ring: TransferredRingEndpoint;
  /** The pool, as shared by the isolate that created the connection. */
  pool: SharedFramePool;
  /** The pool's memory address, to check a pool passed to `adopt()` is the same one. */
  slab: string;
  /** Counters and the close handshake (see `ConnectionSharedState`). */
  shared: SharedArrayBuffer;
  /** Capacity in frames. */
  capacity: number;
  /** The delivery policy. */
  policy: DeliveryPolicy;
}

/**
 * Options of `adopt()`.
 */
export interface AdoptConnectionOptions {
  /**
   * A pool this isolate has already attached (the same pool the connection was created with).
   * Give one to every connection end of an isolate, so that frames read from one connection and
   * written to another travel by handle; otherwise the end attaches (and later closes) its own.
   */
  pool?: FramePool;
}

/**
 * What either end of a native connection is made of; see `createNativeConnection()`.
 */
export interface ConnectionEndParts {
  /** The pool whose slots carry payloads. */
  pool: FramePool;
  /** Whether the end closes `pool` when it closes. */
  ownsPool: boolean;
  /** The pool as shared by the isolate that created the connection. */
  poolShare: SharedFramePool;
  /** The pool's slab address. */
  slab: string;
  /** Counters and the close handshake. */
  shared: ConnectionSharedState;
  /** Capacity in frames. */
  capacity: number;
  /** The delivery policy. */
  policy: DeliveryPolicy;
}

/**
 * Where a pool's slab starts, as a string: the same in every isolate of the process.
 *
 * @param pool An open pool.
 * @returns The address.
 *
 * @example Two handles of one pool share a slab
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { poolSlabAddress } from "./connection_transfer.ts";
 *
 * using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
 * using other = FramePool.attach(pool.share());
 * assert.ok(poolSlabAddress(pool) === poolSlabAddress(other));
 * ```
 */
export function poolSlabAddress(pool: FramePool): string {
  return String(Deno.UnsafePointer.value(framePoolSlabBase(pool)));
}

/**
 * Checks a transferred end and rebuilds its parts in this isolate, opening the pool it uses.
 *
 * @param transfer What `transfer()` returned.
 * @param kind The kind expected.
 * @param options An already attached pool, if any.
 * @returns The parts of the end: the pool (attached here unless given, then owned by the end),
 *   the shared counters and the connection's capacity and policy.
 * @throws {TypeError} When `transfer` is not of that kind, or `options.pool` is another pool.
 */
export function adoptParts(
  transfer: TransferredConnectionEnd,
  kind: TransferredConnectionEnd["kind"],
  options: AdoptConnectionOptions,
): ConnectionEndParts {
  if (transfer?.kind !== kind || !(transfer.shared instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `Cannot adopt a ${kind}: expected the result of its transfer(), got ${
        JSON.stringify(transfer)
      }`,
    );
  }
  if (options.pool !== undefined && poolSlabAddress(options.pool) !== transfer.slab) {
    throw new TypeError(
      `Cannot adopt a ${kind}: options.pool is not the pool this connection was created with`,
    );
  }
  return {
    pool: options.pool ?? FramePool.attach(transfer.pool),
    ownsPool: options.pool === undefined,
    poolShare: transfer.pool,
    slab: transfer.slab,
    shared: ConnectionSharedState.from(transfer.shared),
    capacity: transfer.capacity,
    policy: transfer.policy,
  };
}
