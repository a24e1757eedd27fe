/**
 * How the ends of a native connection move between isolates: the posted shapes and the pool
 * each adopted end opens.
 *
 * @module
 */

import type { DeliveryPolicy } from "../core/ring_contract.ts";
import { FramePool, type SharedFramePool } from "./frame_pool.ts";
import type { TransferredRingEndpoint } from "./ring_endpoint.ts";

/** What `NativeConnectionWriter.transfer()` / `NativeConnectionReader.transfer()` return. */
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

/** Options of `adopt()`. */
export interface AdoptConnectionOptions {
  /**
   * A pool this isolate has already attached (the same pool the connection was created with).
   * Give one to every connection end of an isolate, so that frames read from one connection and
   * written to another travel by handle; otherwise the end attaches (and later closes) its own.
   */
  pool?: FramePool;
}

/**
 * Where a pool's slab starts, as a string: the same in every isolate of the process.
 *
 * @param pool An open pool.
 * @returns The address.
 *
 * @example Two handles of one pool share a slab
 * ```ts
 * import { FramePool, poolSlabAddress } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
 * using other = FramePool.attach(pool.share());
 * console.log(poolSlabAddress(pool) === poolSlabAddress(other)); // true
 * ```
 */
export function poolSlabAddress(pool: FramePool): string {
  return String(Deno.UnsafePointer.value(Deno.UnsafePointer.of(pool.bytes(0))));
}

/**
 * Checks a transferred end and opens the pool it uses in this isolate.
 *
 * @param transfer What `transfer()` returned.
 * @param kind The kind expected.
 * @param options An already attached pool, if any.
 * @returns The pool and whether the adopted end owns (and so closes) it.
 * @throws {TypeError} When `transfer` is not of that kind, or `options.pool` is another pool.
 */
export function adoptPool(
  transfer: TransferredConnectionEnd,
  kind: TransferredConnectionEnd["kind"],
  options: AdoptConnectionOptions,
): { pool: FramePool; ownsPool: boolean } {
  if (transfer?.kind !== kind || !(transfer.shared instanceof SharedArrayBuffer)) {
    throw new TypeError(
      `Cannot adopt a ${kind}: expected the result of its transfer(), got ${
        JSON.stringify(transfer)
      }`,
    );
  }
  if (options.pool === undefined) return { pool: FramePool.attach(transfer.pool), ownsPool: true };
  if (poolSlabAddress(options.pool) !== transfer.slab) {
    throw new TypeError(
      `Cannot adopt a ${kind}: options.pool is not the pool this connection was created with`,
    );
  }
  return { pool: options.pool, ownsPool: false };
}
