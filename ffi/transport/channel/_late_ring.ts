/**
 * Test support for the doorbell protocol (`doorbell.ts`): injects a writer's late ring between a
 * reader's atomic operations, the interleaving decision 0070 is about. Internal.
 *
 * @module
 */

import { ringSleepingReader, SIGNAL_READER_ASLEEP } from "./doorbell.ts";

/** A late ring waiting for the reader's next raise of its flag. */
export interface LateRing {
  /** Whether it rang. */
  readonly rang: boolean;
  /** Stops waiting (restores `Atomics.store`); idempotent. */
  disarm(): void;
}

/**
 * Arms a writer's late ring: the next time a reader raises its flag on `signal` (an
 * `Atomics.store` of a non-zero value to its {@linkcode SIGNAL_READER_ASLEEP} word, by any view
 * of the same memory), `ringSleepingReader(signal, wake)` runs right after that store, before the
 * reader's next operation, as a writer that pushed a frame the reader has since read, and was
 * preempted before its exchange, would. Then `Atomics.store` is itself again.
 *
 * @param signal The channel's signal.
 * @param wake The reading isolate's wake word, for a reader that blocks.
 * @returns The armed ring.
 */
export function armLateRing(signal: Int32Array, wake?: Int32Array): LateRing {
  const store = Atomics.store;
  const at = signal.byteOffset + SIGNAL_READER_ASLEEP * 4;
  const ring = {
    rang: false,
    disarm(): void {
      Atomics.store = store;
    },
  };
  Atomics.store = ((array: Int32Array, index: number, value: number) => {
    const stored = store(array, index, value);
    if (array.buffer === signal.buffer && array.byteOffset + index * 4 === at && value !== 0) {
      ring.disarm();
      ring.rang = ringSleepingReader(signal, wake);
    }
    return stored;
  }) as typeof Atomics.store;
  return ring;
}

/**
 * Runs `body` with a late ring armed (see {@linkcode armLateRing}) for a reader flag it raises.
 *
 * @param signal The channel's signal.
 * @param wake The reading isolate's wake word, for a reader that blocks.
 * @param body What raises the flag.
 * @returns What `body` returned.
 * @throws {Error} When `body` raised no flag, or the late ring found the flag lowered.
 */
export function withLateRing<T>(
  signal: Int32Array,
  wake: Int32Array | undefined,
  body: () => T,
): T {
  const ring = armLateRing(signal, wake);
  let result: T;
  try {
    result = body();
  } finally {
    ring.disarm();
  }
  if (!ring.rang) {
    throw new Error("no late ring: the body raised no reader flag, or the ring found it lowered");
  }
  return result;
}
