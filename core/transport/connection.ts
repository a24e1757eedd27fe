/**
 * The two ends of a connection between an output and an input, as the port bindings see them.
 *
 * A connection is 1-to-1 and has its own bounded buffer with a {@linkcode DeliveryPolicy}. Inside
 * one isolate it is a {@linkcode LocalConnection}; across isolates the runtime adapts a native
 * frame ring to these interfaces.
 *
 * @module
 */

import type { DeliveryPolicy } from "./ring.ts";

/**
 * The writing end of a connection. `push` never throws and never blocks.
 *
 * @example Count what a writer accepted
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConnectionWriter } from "./connection.ts";
 * import { LocalConnection } from "../ports/local_connection.ts";
 *
 * function writeAll<T>(writer: ConnectionWriter<T>, frames: readonly T[]): number {
 *   let accepted = 0;
 *   for (const frame of frames) if (writer.push(frame)) accepted++;
 *   return accepted;
 * }
 * const conn = new LocalConnection<number>({ capacity: 2, policy: "fifo" });
 * assert.equal(writeAll(conn, [1, 2, 3]), 2); // the fifo connection was full for the third
 * ```
 */
export interface ConnectionWriter<T> {
  /**
   * Offers one frame.
   *
   * @returns `false` only when a `fifo` connection is full and wrote nothing.
   */
  push(frame: T): boolean;
  /**
   * Frames a push would take now without refusing: the free slots of a `fifo` connection,
   * `Infinity` for `latest` (it never refuses). Absent means `Infinity`.
   */
  readonly space?: number;
  /**
   * The most frames the connection holds at once (its capacity), so a writer that reuses frame
   * objects knows how many may still be queued. Absent means 0 (the connection keeps no
   * reference to a pushed frame, for example because it copies it).
   */
  readonly capacity?: number;
  /**
   * Calls `callback` once, soon after the connection has room again (its reader took a frame,
   * or it closed). One callback at a time: a second call replaces the first. Absent means the
   * writer cannot tell, and a waiting node polls.
   */
  onSpace?(callback: () => void): void;
  /**
   * End of stream: `end(true)` says the writer's node will write nothing more (its reader sees
   * {@linkcode ConnectionReader.ended} once it has read what is queued, and is woken to see it);
   * `end(false)` opens the stream again for a new run. Absent means the connection cannot carry
   * end of stream, and its reader never ends.
   */
  end?(ended: boolean): void;
  /**
   * Whether the reader asked for a keyframe since the last call (and clears the request): the
   * upstream half of {@linkcode ConnectionReader.requestKeyframe}. Absent means the connection
   * cannot carry requests (into a native plugin), and the writer never sees one.
   */
  takeKeyframeRequest?(): boolean;
}

/**
 * The reading end of a connection. Reads never throw and never block.
 */
export interface ConnectionReader<T> {
  /** Frames ready to read. */
  readonly available: number;
  /** Takes the oldest frame, or `undefined` when there is none. */
  pop(): T | undefined;
  /** Takes the newest frame and discards older ones (counted as dropped), or `undefined`. */
  popLatest(): T | undefined;
  /**
   * Whether the writer reached end of stream and every frame it wrote has been read. Absent
   * means never.
   */
  readonly ended?: boolean;
  /**
   * Asks the writer for a keyframe (a WebRTC viewer lost a picture or just joined); the writer
   * sees it through {@linkcode ConnectionWriter.takeKeyframeRequest}. Absent means the
   * connection cannot carry requests.
   */
  requestKeyframe?(): void;
  /**
   * Says whether the reader's node has stopped reading (it failed, or ended before its input
   * did). While `true`, the connection drops what is queued (counted in `dropped`) and takes
   * every frame its writer offers without queueing it (counted in `discarded`), and its writer
   * sees `space` as `Infinity`: a reader that stopped reading holds back no writer, so one failed
   * branch of a fan-out never stops its siblings. `false` (the node was set up again) makes it
   * queue again. The runtime calls it; absent means the connection cannot, and its writer is
   * held back as by any full connection.
   *
   * @param discarding Whether the reader's node stopped reading.
   */
  setDiscarding?(discarding: boolean): void;
}

/**
 * Counters of one connection.
 */
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
  /**
   * Frames the writer offered while the reader's node had stopped reading (it failed or ended;
   * across isolates also: its isolate died): taken and released at once, never queued and not
   * in `written`, so that reader held no writer back (see `ConnectionReader.setDiscarding`).
   */
  discarded: number;
  /** The delivery policy. */
  policy: DeliveryPolicy;
  /**
   * The transfer a connection between a CPU and a GPU port makes: `upload` into a GPU input,
   * `download` out of a GPU output (see `docs/gpu.md`). Absent on connections that make none.
   */
  transfer?: "upload" | "download";
  /**
   * A connection from a CPU video output into a GPU input: frames uploaded into textures (see
   * `docs/gpu.md`). Absent on connections that make no transfer.
   */
  uploads?: number;
  /** A connection from a GPU output into a CPU input or another isolate: frames downloaded. */
  downloads?: number;
  /** Time spent in the connection's transfers, in nanoseconds. */
  transferNs?: number;
  /** Bytes the connection's transfers moved. */
  transferBytes?: number;
  /** Frames the connection's transfer dropped (a format it does not take, no memory). */
  transferDropped?: number;
}
