/**
 * A fixed ring of preallocated objects for producers that must not allocate per frame.
 *
 * @module
 */

/**
 * Hands out `size` objects made once, in turn. A producer takes one in `process()`, fills it and
 * writes it; the object comes round again after `size - 1` others, so `size` must exceed the
 * frames that can be queued downstream (the capacity of its connections plus one being read).
 * Consumers that keep a frame longer copy it.
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
  /** How many objects rotate. */
  readonly size: number;
  readonly #items: T[];
  #next = 0;

  /**
   * Makes all `size` objects up front.
   *
   * @param size How many objects to make, at least 1.
   * @param make Makes the object at `index`.
   * @throws {RangeError} When `size` is not a positive integer.
   */
  constructor(size: number, make: (index: number) => T) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `Cannot create a rotating pool: size must be a positive integer, got ${size}`,
      );
    }
    this.size = size;
    this.#items = Array.from({ length: size }, (_, i) => make(i));
  }

  /**
   * The next object in turn. Never allocates.
   *
   * @returns The object.
   */
  next(): T {
    const item = this.#items[this.#next];
    this.#next = this.#next + 1 === this.size ? 0 : this.#next + 1;
    return item;
  }
}
