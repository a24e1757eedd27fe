/**
 * {@linkcode LiveFrames}: counts the frames alive in an isolate, for the leak report at stop.
 *
 * @module
 */

import type { FrameLedger, OwnedFrame } from "./owned_frame.ts";
import type { FramePayload } from "./memory.ts";

/** Frames never released, grouped by the node and port that hold them and the node that made them. */
export interface FrameLeak {
  /** The node that holds the frames: the last that read, wrote or kept them (their maker before). */
  node: string;
  /**
   * Where that node holds them (`node.port`: the input it read them from, or the output it wrote
   * them to), or `""` if they were never written.
   */
  port: string;
  /** The node that made the frames (in another isolate for frames that crossed one). */
  madeBy: string;
  /** The frame kind. */
  kind: string;
  /** How many. */
  count: number;
}

/** Frames one node holds in one place (see {@linkcode LiveFrames.holdings}). */
export interface FrameHolding {
  /** The node that holds them: the last that read, wrote or kept them. */
  node: string;
  /** Where: `node.port` (the input it read them from, or the output it wrote them to), or `""`. */
  port: string;
  /** How many frames. */
  count: number;
  /** Their payload bytes. */
  bytes: number;
}

/**
 * The set of frames alive in one isolate. The runtime reports what is left after every node was
 * torn down and every connection drained: frames never released (a leak).
 *
 * @example A frame that is never released shows in the report
 * ```ts
 * import assert from "node:assert/strict";
 * import { LiveFrames } from "./ledger.ts";
 * import { HeapMemorySource } from "./heap_memory.ts";
 * import { NodeFrames } from "./node_frames.ts";
 *
 * const live = new LiveFrames();
 * const frames = new NodeFrames("tone", new HeapMemorySource(), live);
 * const kept = frames.keep(frames.audio({ channels: 2, sampleRate: 48000, frameCount: 4 })!);
 * frames.flush(); // the run's own reference
 * assert.deepEqual(live.leaks(), [{ node: "tone", port: "", madeBy: "tone", kind: "audio", count: 1 }]);
 * kept.release();
 * assert.deepEqual(live.leaks(), []);
 * ```
 */
export class LiveFrames implements FrameLedger {
  // Live frames packed in an array; each frame knows its index (`ledgerSlot`), so born() and
  // died() are O(1) without hashing: died() moves the last frame into the freed place.
  readonly #live: OwnedFrame<FramePayload>[] = [];

  /** Frames alive now. */
  get size(): number {
    return this.#live.length;
  }

  born(frame: OwnedFrame<FramePayload>): void {
    frame.ledgerSlot = this.#live.length;
    this.#live.push(frame);
  }

  died(frame: OwnedFrame<FramePayload>): void {
    const slot = frame.ledgerSlot;
    const live = this.#live;
    if (slot < 0 || live[slot] !== frame) return; // not in this ledger
    const last = live.pop()!;
    if (last !== frame) {
      live[slot] = last;
      last.ledgerSlot = slot;
    }
    frame.ledgerSlot = -1;
  }

  /**
   * Who holds the frames alive now: frames and payload bytes per node and place (`node.port`
   * or `""`), most bytes first. Walks every live frame: for control paths (a stall report).
   *
   * @returns The holdings, most bytes first.
   */
  holdings(): FrameHolding[] {
    const groups = new Map<string, FrameHolding>();
    for (const frame of this.#live) {
      const key = `${frame.heldBy}\0${frame.heldAt}`;
      let bytes = 0;
      try {
        bytes = frame.memory.byteLength;
      } catch {
        continue; // released meanwhile
      }
      const group = groups.get(key);
      if (group) {
        group.count++;
        group.bytes += bytes;
      } else groups.set(key, { node: frame.heldBy, port: frame.heldAt, count: 1, bytes });
    }
    return [...groups.values()].sort((a, b) => b.bytes - a.bytes);
  }

  /** The frames alive now, grouped (empty when nothing leaked). */
  leaks(): FrameLeak[] {
    const groups = new Map<string, FrameLeak>();
    for (const frame of this.#live) {
      const key = `${frame.heldBy}\0${frame.heldAt}\0${frame.origin}\0${frame.kind}`;
      const group = groups.get(key);
      if (group) group.count++;
      else {
        groups.set(key, {
          node: frame.heldBy,
          port: frame.heldAt,
          madeBy: frame.origin,
          kind: frame.kind,
          count: 1,
        });
      }
    }
    return [...groups.values()];
  }
}
