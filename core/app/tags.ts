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

/** Tags kept at most, by default: frames sent and not yet past every application output. */
export const FRAME_TAGS_CAPACITY = 4096;
/** Bytes of metadata kept at most, by default (16 MiB): the oldest tags go first past it. */
export const FRAME_TAGS_MAX_BYTES = 16 * 1024 * 1024;

/** Bytes a tag is counted for: its strings at two bytes a character, and 64 for the entry. */
function tagBytes(tag: FrameTag): number {
  let bytes = 64;
  for (const key in tag.metadata) bytes += 2 * (key.length + tag.metadata[key].length) + 32;
  return bytes;
}

interface Entry {
  readonly tag: FrameTag;
  readonly bytes: number;
}

/**
 * One application output's view of a {@linkcode FrameTags}: the timestamps it looked up tell the
 * table which tags no output can need again. `close()` when the output is done.
 */
export interface FrameTagReader {
  /**
   * The tag of the frame with this timestamp, else of the latest one sent before it; the
   * output's frames come in timestamp order, so tags older than the newest at or before this
   * one are no longer needed by it.
   *
   * @param timestampNs A frame's timestamp.
   * @returns The tag, or `undefined` when none is known at or before it.
   */
  get(timestampNs: number): FrameTag | undefined;
  /** The output is done: it no longer holds tags back. Idempotent. */
  close(): void;
}

/**
 * The tags of one runtime's sent frames, keyed by the frame's timestamp. A processor that passes
 * a frame on, or makes its output frame with the input's `timestampNs` (every built-in transform
 * does), keeps the key; a frame with a timestamp of its own (a resampler's, a mixer's) gets the
 * tag of the latest frame sent at or before it.
 *
 * A tag stays until every application output's frames have gone past it (each output reads
 * through a {@linkcode FrameTagReader}), so what the table holds is the metadata of the frames in
 * flight; whatever happens, it keeps at most `capacity` tags and `maxBytes` of metadata, the
 * oldest going first (a graph holding more frames in flight than that gives the oldest of them
 * no tag: `seq` -1 and no metadata).
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
 *
 * @example Tags go once every output is past them
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameTags } from "./tags.ts";
 *
 * const tags = new FrameTags();
 * const output = tags.reader();
 * for (let i = 0; i < 3; i++) tags.set(i * 1000, { seq: i, metadata: { n: String(i) } });
 * assert.equal(output.get(1000)?.seq, 1);
 * assert.equal(tags.size, 2); // the tag at 0 can no longer be asked for
 * output.close();
 * ```
 */
export class FrameTags {
  readonly #capacity: number;
  readonly #maxBytes: number;
  /** Timestamps in the order sent (each input makes its own strictly increasing). */
  readonly #byTime = new Map<number, Entry>();
  readonly #readers = new Set<{ watermark: number }>();
  #bytes = 0;
  #prunedTo = -Infinity;
  #sorted: number[] | undefined;

  /**
   * An empty table.
   *
   * @param capacity How many tags it keeps at most. Default {@linkcode FRAME_TAGS_CAPACITY}.
   * @param maxBytes How many bytes of tags it keeps at most. Default
   *   {@linkcode FRAME_TAGS_MAX_BYTES}.
   */
  constructor(capacity = FRAME_TAGS_CAPACITY, maxBytes = FRAME_TAGS_MAX_BYTES) {
    this.#capacity = capacity;
    this.#maxBytes = maxBytes;
  }

  /** Tags held. */
  get size(): number {
    return this.#byTime.size;
  }

  /** Bytes of tags held, as counted against `maxBytes`. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Records the tag of a frame sent with `timestampNs`.
   *
   * @param timestampNs The frame's timestamp.
   * @param tag Its sequence number and metadata.
   */
  set(timestampNs: number, tag: FrameTag): void {
    this.#delete(timestampNs);
    const entry = { tag, bytes: tagBytes(tag) };
    this.#byTime.set(timestampNs, entry);
    this.#bytes += entry.bytes;
    while (
      this.#byTime.size > 1 &&
      (this.#byTime.size > this.#capacity || this.#bytes > this.#maxBytes)
    ) {
      this.#delete(this.#byTime.keys().next().value!);
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
    if (exact) return exact.tag;
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
    return found < 0 ? undefined : this.#byTime.get(sorted[found])?.tag;
  }

  /**
   * A reader for one application output.
   *
   * @returns The reader.
   */
  reader(): FrameTagReader {
    const state = { watermark: -Infinity };
    this.#readers.add(state);
    return {
      get: (timestampNs) => {
        const tag = this.get(timestampNs);
        if (timestampNs > state.watermark && this.#readers.has(state)) {
          state.watermark = timestampNs;
          this.#prune();
        }
        return tag;
      },
      close: () => {
        if (this.#readers.delete(state)) this.#prune();
      },
    };
  }

  /** Drops the tags no open reader can ask for again: all older than the newest at or before the lowest watermark. */
  #prune(): void {
    if (this.#readers.size === 0) return;
    let floor = Infinity;
    for (const reader of this.#readers) floor = Math.min(floor, reader.watermark);
    if (!(floor > this.#prunedTo)) return;
    this.#prunedTo = floor;
    // In the order sent, each input's timestamps increasing: the scan stops at the first tag after
    // the floor, so with several inputs some older tags may wait for a later prune or the limits.
    let keep: number | undefined;
    for (const key of this.#byTime.keys()) {
      if (key > floor) break;
      if (keep === undefined) keep = key;
      else if (key > keep) {
        this.#delete(keep);
        keep = key;
      } else this.#delete(key);
    }
  }

  #delete(timestampNs: number): void {
    const entry = this.#byTime.get(timestampNs);
    if (entry === undefined) return;
    this.#byTime.delete(timestampNs);
    this.#bytes -= entry.bytes;
    this.#sorted = undefined;
  }
}
