/**
 * When each input frame arrived, by sequence number, for the round-trip latency of the first
 * output frame that carries it. Bounded: the oldest entries go first.
 *
 * @module
 */

/** Arrival times by sequence number, at most `capacity` of them. */
export class RoundTrips {
  readonly #arrived = new Map<number, number>();
  readonly #capacity: number;

  /**
   * An empty table.
   *
   * @param capacity The most entries kept (the runtime keeps 4,096 tags).
   */
  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  /**
   * Notes that the frame of this sequence number arrived now (a repeated number keeps its first
   * arrival).
   *
   * @param seq The frame's sequence number.
   * @param now The time, in ms (`performance.now()`).
   */
  arrived(seq: number, now: number): void {
    if (this.#arrived.has(seq)) return;
    if (this.#arrived.size >= this.#capacity) {
      this.#arrived.delete(this.#arrived.keys().next().value!);
    }
    this.#arrived.set(seq, now);
  }

  /**
   * The round trip of an output frame carrying this sequence number, in seconds, the first time
   * one does; `undefined` after (or when it never arrived).
   *
   * @param seq The output frame's sequence number.
   * @param now The time, in ms.
   * @returns The seconds since it arrived, once.
   */
  left(seq: number, now: number): number | undefined {
    const at = this.#arrived.get(seq);
    if (at === undefined) return undefined;
    this.#arrived.delete(seq);
    return Math.max(0, now - at) / 1000;
  }
}
