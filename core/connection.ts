/**
 * The two ends of a connection between an output and an input, as the port bindings see them.
 *
 * A connection is 1-to-1 and has its own bounded buffer with a {@linkcode DeliveryPolicy}. Inside
 * one isolate it is a {@linkcode LocalConnection}; across isolates the runtime adapts a native
 * frame ring to these interfaces.
 *
 * @module
 */

import type { DeliveryPolicy } from "./ring_contract.ts";

/** The writing end of a connection. `push` never throws and never blocks. */
export interface ConnectionWriter<T> {
  /**
   * Offers one frame.
   *
   * @returns `false` only when a `fifo` connection is full and wrote nothing.
   */
  push(frame: T): boolean;
}

/** The reading end of a connection. Reads never throw and never block. */
export interface ConnectionReader<T> {
  /** Frames ready to read. */
  readonly available: number;
  /** Takes the oldest frame, or `undefined` when there is none. */
  pop(): T | undefined;
  /** Takes the newest frame and discards older ones (counted as dropped), or `undefined`. */
  popLatest(): T | undefined;
}

/** Counters of one connection. */
export interface ConnectionStats {
  /** Capacity in frames. */
  capacity: number;
  /** Frames waiting to be read. */
  queued: number;
  /** Frames accepted by `push`. */
  written: number;
  /** Frames handed to the reader. */
  read: number;
  /** Frames rolled off (`latest`) or skipped by `popLatest`. */
  dropped: number;
  /** Pushes that found a `fifo` connection full and wrote nothing. */
  fullRejections: number;
  /** The delivery policy. */
  policy: DeliveryPolicy;
}
