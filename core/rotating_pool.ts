/**
 * A ring of reused objects for producers that must not allocate per frame.
 *
 * @module
 */

/**
 * Frames a reader may still be using after it read them: a frame object must not come round
 * again until its reader has read this many more (a reader keeping a frame longer copies it).
 *
 * @example Size a pool for a connection of capacity 8
 * ```ts
 * import { READER_KEEPS } from "./rotating_pool.ts";
 *
 * console.log(8 + READER_KEEPS); // 16: objects that may be in use at once downstream
 * ```
 */
export const READER_KEEPS = 8;

/**
 * Hands out objects in turn; each comes round again after `size - 1` others. A producer takes one
 * in `process()`, fills it and writes it, so `size` must exceed the frames that can be queued
 * downstream plus what the readers still use: call {@linkcode RotatingPool.fit} with the output's
 * `capacity` before taking objects, and the ring grows when a larger connection is attached.
 * Objects are made on first use, so growth costs one allocation per new object, once.
 *
 * @typeParam T The object type.
 *
 * @example Rotate three buffers
 * ```ts
 * import { RotatingPool } from "@streamlib/streamlib";
 *
 * const pool = new RotatingPool(3, () => new Float32Array(4));
 * const a = pool.next();
 * pool.next();
 * pool.next();
 * console.log(pool.next() === a); // true
 * ```
 */
export class RotatingPool<T> {
  readonly #items: (T | undefined)[] = [];
  readonly #make: (index: number) => T;
  #size: number;
  #next = 0;

  /**
   * Creates the ring.
   *
   * @param size How many objects rotate, at least 1 (grown by `fit`).
   * @param make Makes the object at `index`, on first use.
   * @throws {RangeError} When `size` is not a positive integer.
   */
  constructor(size: number, make: (index: number) => T) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `Cannot create a rotating pool: size must be a positive integer, got ${size}`,
      );
    }
    this.#size = size;
    this.#make = make;
  }

  /** How many objects rotate. */
  get size(): number {
    return this.#size;
  }

  /**
   * Grows the ring, if needed, so that an object is not handed out again while a connection of
   * `capacity` frames may still queue it or its reader may still use it (`capacity` plus
   * {@linkcode READER_KEEPS} plus the one being filled). Never shrinks. Cheap when nothing changes:
   * call it at the start of each `process()` with the output's `capacity`.
   *
   * @param capacity The largest capacity among the output's connections (`output.capacity`).
   *
   * @example A pool follows its output's connections
   * ```ts
   * import { OutputBinding, RotatingPool } from "@streamlib/streamlib";
   * import { LocalConnection } from "./local_connection.ts";
   *
   * const out = new OutputBinding<Float32Array>("out", "DataFrame");
   * out.attach(new LocalConnection({ capacity: 64, policy: "fifo" }));
   * const pool = new RotatingPool(16, () => new Float32Array(4));
   * pool.fit(out.capacity);
   * console.log(pool.size); // 73
   * ```
   */
  fit(capacity: number): void {
    const needed = capacity + READER_KEEPS + 1;
    if (needed > this.#size) this.#size = needed;
  }

  /**
   * Takes the next object in turn.
   *
   * @returns The object, made now if it is its first turn.
   */
  next(): T {
    const i = this.#next;
    this.#next = i + 1 >= this.#size ? 0 : i + 1;
    let item = this.#items[i];
    if (item === undefined) item = this.#items[i] = this.#make(i);
    return item;
  }
}
