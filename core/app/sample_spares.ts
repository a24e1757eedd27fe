/**
 * Sample arrays handed back for reuse: a reader that copies each audio block on (a session's
 * isolate writing it into its channel, or reading it out) gives the array back, and the next
 * block of the same length is copied into it instead of a new array.
 *
 * @module
 */

/**
 * Up to `max` sample arrays of one length, each owning its whole `ArrayBuffer`.
 *
 * @example A kept array carries the next block of its length
 * ```ts
 * import assert from "node:assert/strict";
 * import { SampleSpares } from "./sample_spares.ts";
 *
 * const spares = new SampleSpares();
 * const block = spares.take(4); // none kept yet: a new array
 * assert.equal(spares.keep(block), true);
 * assert.equal(spares.take(4), block);
 * assert.equal(spares.keep(new Float32Array(8).subarray(4)), false); // a view: not its own buffer
 * ```
 */
export class SampleSpares {
  readonly #spares: Float32Array[] = [];
  readonly #max: number;

  /**
   * An empty set.
   *
   * @param max The most arrays kept.
   */
  constructor(max = 8) {
    this.#max = max;
  }

  /** How many arrays are kept. */
  get size(): number {
    return this.#spares.length;
  }

  /**
   * An array of `length` samples: a kept one of that length, or a new one (a kept one of another
   * length is dropped). Its values are the last block's: the caller overwrites them all. A bound
   * function, so it can be passed as an allocator.
   *
   * @param length Samples.
   * @returns The array.
   */
  readonly take = (length: number): Float32Array => {
    const spare = this.#spares.pop();
    return spare !== undefined && spare.length === length ? spare : new Float32Array(length);
  };

  /**
   * Keeps `samples` for a later `take()`, when it is an array of its own `ArrayBuffer` (not a view
   * into shared memory or a larger buffer, not moved away) and not kept already. Arrays of another
   * length than those kept replace them. The caller must not touch it after.
   *
   * @param samples An array done with.
   * @returns Whether it was kept.
   */
  keep(samples: Float32Array): boolean {
    if (
      !(samples.buffer instanceof ArrayBuffer) || samples.byteOffset !== 0 ||
      samples.byteLength !== samples.buffer.byteLength || samples.length === 0
    ) return false;
    const spares = this.#spares;
    if (spares.length > 0 && spares[0].length !== samples.length) spares.length = 0;
    if (spares.length >= this.#max || spares.includes(samples)) return false;
    spares.push(samples);
    return true;
  }
}
