/**
 * {@linkcode FrameTags}: the sequence number and metadata of each frame an application input
 * sent, found again by timestamp when a frame reaches an application output.
 *
 * @module
 */

/** What an application input attaches to a frame and an application output gives back. */
export interface FrameTag {
  /** The frame's sequence number at its input (0, 1, 2, ... unless the sender chose them). */
  readonly seq: number;
  /** String metadata, as sent. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The tags of one runtime's sent frames, keyed by the frame's timestamp. A processor that passes
 * a frame on, or makes its output frame with the input's `timestampNs` (every built-in transform
 * does), keeps the key; a frame with a timestamp of its own (a resampler's, a mixer's) gets the
 * tag of the latest frame sent at or before it. The table keeps the last `capacity` tags.
 *
 * @example A frame found by its timestamp, and one made later
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameTags } from "./tags.ts";
 *
 * const tags = new FrameTags(4);
 * tags.set(1000, { seq: 0, metadata: { id: "a" } });
 * tags.set(2000, { seq: 1, metadata: { id: "b" } });
 * assert.deepEqual(tags.get(2000), { seq: 1, metadata: { id: "b" } });
 * assert.equal(tags.get(1500)?.seq, 0); // a frame made between the two
 * assert.equal(tags.get(10), undefined); // before anything was sent
 * ```
 */
export class FrameTags {
  readonly #capacity: number;
  /** Timestamps in the order sent (each input makes its own strictly increasing). */
  readonly #byTime = new Map<number, FrameTag>();
  #sorted: number[] | undefined;

  /**
   * An empty table.
   *
   * @param capacity How many tags it keeps, the oldest going first. Default 4096.
   */
  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  /**
   * Records the tag of a frame sent with `timestampNs`.
   *
   * @param timestampNs The frame's timestamp.
   * @param tag Its sequence number and metadata.
   */
  set(timestampNs: number, tag: FrameTag): void {
    this.#byTime.delete(timestampNs);
    this.#byTime.set(timestampNs, tag);
    if (this.#byTime.size > this.#capacity) {
      this.#byTime.delete(this.#byTime.keys().next().value!);
    }
    this.#sorted = undefined;
  }

  /**
   * The tag of the frame with this timestamp, else of the latest one sent before it.
   *
   * @param timestampNs A frame's timestamp.
   * @returns The tag, or `undefined` when nothing was sent at or before it.
   */
  get(timestampNs: number): FrameTag | undefined {
    const exact = this.#byTime.get(timestampNs);
    if (exact) return exact;
    const sorted = this.#sorted ??= [...this.#byTime.keys()].sort((a, b) => a - b);
    let lo = 0;
    let hi = sorted.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= timestampNs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? undefined : this.#byTime.get(sorted[found]);
  }
}
