/**
 * What the two endpoints of a native ring share: the handle, its lifetime, counters and transfer.
 *
 * @module
 */

import { DELIVERY_POLICIES, type RingStats } from "../../core/transport/ring.ts";
import { statusError } from "../native/errors.ts";
import { libraryPath, loadNativeLibrary } from "../native/load.ts";
import { type NativeFree, NativeHandle } from "../native/handle.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * Which end of a ring an endpoint is.
 *
 * @example Each endpoint names its kind
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 * import { type RingEndpointKind } from "./ring_endpoint.ts";
 *
 * const [producer, consumer] = createNativeRing({ capacity: 1 });
 * const kinds: RingEndpointKind[] = [producer.kind, consumer.kind];
 * assert.deepEqual(kinds, [ "producer", "consumer" ]);
 * producer.close();
 * consumer.close();
 * ```
 */
export type RingEndpointKind = "producer" | "consumer";

/**
 * A ring endpoint in a form that can be posted to a Worker (`postMessage`), where
 * `NativeRingProducer.adopt()` or `NativeRingConsumer.adopt()` takes it up.
 */
export interface TransferredRingEndpoint {
  /** Which end. */
  kind: RingEndpointKind;
  /** The native handle. */
  handle: number;
  /** The library file that issued the handle. */
  libraryPath: string;
}

const free: NativeFree = (lib, handle) => void lib.symbols.sl_ring_free(handle);

/**
 * Base of {@linkcode NativeRingProducer} and {@linkcode NativeRingConsumer}.
 *
 * @example Report the fill of either end
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 * import { type RingEndpoint } from "./ring_endpoint.ts";
 *
 * function fill(end: RingEndpoint): string {
 *   const stats = end.stats();
 *   return `${end.kind} ${stats.queued}/${stats.capacity}`;
 * }
 *
 * const [producer, consumer] = createNativeRing({ capacity: 4 });
 * producer.push(new FrameMessageBatch(1));
 * assert.equal(fill(producer), "producer 1/4");
 * assert.equal(fill(consumer), "consumer 1/4");
 * producer.close();
 * consumer.close();
 * ```
 */
export abstract class RingEndpoint extends NativeHandle {
  /** Which end this is. */
  abstract readonly kind: RingEndpointKind;
  readonly #stats = new Float64Array(8);

  /**
   * Takes ownership of a live endpoint handle.
   *
   * @param lib The opened library.
   * @param handle A live endpoint handle this object now owns.
   */
  protected constructor(lib: NativeLibrary, handle: number) {
    super(lib, handle, free);
  }

  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return `this ring ${this.kind} is closed (or was transferred); use an open endpoint: create ` +
      `a new ring with createNativeRing(), or adopt() an endpoint another isolate transferred`;
  }

  /**
   * Free slots (producer) or messages ready (consumer).
   *
   * @returns The count.
   */
  slots(): number {
    const n = this.symbols.sl_ring_slots(this.nativeHandle);
    return n < 0 ? this.fail(n, `count ring ${this.kind} slots`) : n;
  }

  /**
   * Whether the other endpoint has been closed.
   *
   * @returns `true` once the other side is gone.
   */
  isAbandoned(): boolean {
    const r = this.symbols.sl_ring_is_abandoned(this.nativeHandle);
    return r < 0 ? this.fail(r, `check ring ${this.kind}`) : r === 1;
  }

  /**
   * The ring's counters.
   *
   * @returns A fresh snapshot.
   */
  stats(): RingStats {
    const s = this.#stats;
    const r = this.symbols.sl_ring_stats(this.nativeHandle, s);
    if (r < 0) this.fail(r, `read ring ${this.kind} stats`);
    return {
      capacity: s[0],
      queued: s[1],
      written: s[2],
      read: s[3],
      dropped: s[4],
      fullRejections: s[5],
      policy: DELIVERY_POLICIES[s[6]],
      abandoned: s[7] === 1,
    };
  }

  /**
   * Gives up this endpoint without freeing it, for another isolate to adopt.
   *
   * @returns A plain object to post to the Worker.
   * @throws {InvalidHandleError} When already closed or transferred.
   */
  transfer(): TransferredRingEndpoint {
    this.checkOpen(`transfer ring ${this.kind}`);
    const path = libraryPath(this.lib);
    return { kind: this.kind, handle: this.detach()!, libraryPath: path };
  }

  /** Frees this endpoint. Idempotent; the other side then sees `isAbandoned()`. */
  override close(): void {
    super.close();
  }

  /**
   * Frees the endpoint `close()` detached.
   *
   * @param handle The handle.
   * @throws {NativeError} When the library refuses it.
   */
  protected override free(handle: number): void {
    const r = this.symbols.sl_ring_free(handle);
    if (r < 0) throw statusError(this.lib, r, `close ring ${this.kind}`);
  }
}

/**
 * Checks a transferred endpoint and opens its library.
 *
 * @param transfer What `transfer()` returned in the other isolate.
 * @param kind The kind expected.
 * @returns The library to use.
 */
export function adoptLibrary(
  transfer: TransferredRingEndpoint,
  kind: RingEndpointKind,
): NativeLibrary {
  if (transfer?.kind !== kind || !Number.isInteger(transfer.handle)) {
    throw new TypeError(
      `Cannot adopt a ring ${kind}: expected the result of a ring ${kind}'s transfer(), got ${
        JSON.stringify(transfer)
      }`,
    );
  }
  return loadNativeLibrary({ path: transfer.libraryPath });
}
