/**
 * What the two endpoints of a native ring share: the handle, its lifetime, counters and transfer.
 *
 * @module
 */

import { DELIVERY_POLICIES, type RingStats } from "../../core/transport/ring.ts";
import { InvalidHandleError, statusError } from "../native/errors.ts";
import { libraryPath, loadNativeLibrary } from "../native/load.ts";
import { CLOSED_HANDLE } from "../native/status.ts";
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

const registry = new FinalizationRegistry<{ lib: NativeLibrary; handle: number }>(
  ({ lib, handle }) => {
    lib.symbols.sl_ring_free(handle);
  },
);

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
export abstract class RingEndpoint implements Disposable {
  /** Which end this is. */
  abstract readonly kind: RingEndpointKind;
  readonly #lib: NativeLibrary;
  #handle: number;
  readonly #stats = new Float64Array(8);
  readonly #token = {};

  /**
   * Takes ownership of a live endpoint handle.
   *
   * @param lib The opened library.
   * @param handle A live endpoint handle this object now owns.
   */
  protected constructor(lib: NativeLibrary, handle: number) {
    this.#lib = lib;
    this.#handle = handle;
    registry.register(this, { lib, handle }, this.#token);
  }

  /**
   * The library's symbols, for the subclasses' hot-path calls. The library itself and the handle
   * stay private: subclasses can read the handle ({@linkcode RingEndpoint.nativeHandle}) but never
   * replace it.
   */
  protected get symbols(): NativeLibrary["symbols"] {
    return this.#lib.symbols;
  }

  /** The native handle, or {@linkcode CLOSED_HANDLE} once closed or transferred (read-only). */
  protected get nativeHandle(): number {
    return this.#handle;
  }

  /** Whether `close()` or `transfer()` has been called. */
  get closed(): boolean {
    return this.#handle === CLOSED_HANDLE;
  }

  /** Throws the typed error for a negative status. */
  protected fail(status: number, operation: string): never {
    if (this.#handle === CLOSED_HANDLE) throw this.#closedError(operation);
    throw statusError(this.#lib, status, operation);
  }

  #closedError(operation: string): InvalidHandleError {
    return new InvalidHandleError(
      operation,
      `this ring ${this.kind} is closed (or was transferred); use an open endpoint: create a new ` +
        `ring with createNativeRing(), or adopt() an endpoint another isolate transferred`,
    );
  }

  /**
   * Free slots (producer) or messages ready (consumer).
   *
   * @returns The count.
   */
  slots(): number {
    const n = this.#lib.symbols.sl_ring_slots(this.#handle);
    return n < 0 ? this.fail(n, `count ring ${this.kind} slots`) : n;
  }

  /**
   * Whether the other endpoint has been closed.
   *
   * @returns `true` once the other side is gone.
   */
  isAbandoned(): boolean {
    const r = this.#lib.symbols.sl_ring_is_abandoned(this.#handle);
    return r < 0 ? this.fail(r, `check ring ${this.kind}`) : r === 1;
  }

  /**
   * The ring's counters.
   *
   * @returns A fresh snapshot.
   */
  stats(): RingStats {
    const s = this.#stats;
    const r = this.#lib.symbols.sl_ring_stats(this.#handle, s);
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
    if (this.#handle === CLOSED_HANDLE) throw this.#closedError(`transfer ring ${this.kind}`);
    const out = { kind: this.kind, handle: this.#handle, libraryPath: libraryPath(this.#lib) };
    registry.unregister(this.#token);
    this.#handle = CLOSED_HANDLE;
    return out;
  }

  /** Frees this endpoint. Idempotent; the other side then sees `isAbandoned()`. */
  close(): void {
    if (this.#handle === CLOSED_HANDLE) return;
    const handle = this.#handle;
    this.#handle = CLOSED_HANDLE;
    registry.unregister(this.#token);
    const r = this.#lib.symbols.sl_ring_free(handle);
    if (r < 0) throw statusError(this.#lib, r, `close ring ${this.kind}`);
  }

  /** Same as {@linkcode RingEndpoint.close}. */
  [Symbol.dispose](): void {
    this.close();
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
