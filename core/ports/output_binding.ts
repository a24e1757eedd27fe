/**
 * The implementation of {@linkcode OutputPort} over any number of connections.
 *
 * @module
 */

import type { ConnectionWriter } from "../transport/connection.ts";
import type { OutputPort } from "./output_port.ts";
import {
  FrameReleasedError,
  isOwnedFrame,
  releaseFrame,
  retainFrame,
} from "../frames/owned_frame.ts";

/**
 * An output port that fans out to every attached connection. The runtime attaches and detaches
 * connections; processor code only writes.
 *
 * @typeParam T The frame type.
 *
 * @example Fan out to two connections
 * ```ts
 * import assert from "node:assert/strict";
 * import { OutputBinding } from "@streamlib/streamlib";
 * import { LocalConnection } from "./local_connection.ts";
 *
 * const output = new OutputBinding<number>("out", "DataFrame");
 * const a = new LocalConnection<number>();
 * const b = new LocalConnection<number>();
 * output.attach(a);
 * output.attach(b);
 * output.write(7);
 * assert.equal(a.pop(), 7);
 * assert.equal(b.pop(), 7);
 * ```
 */
export class OutputBinding<T> implements OutputPort<T> {
  /** The port's name. */
  readonly name: string;
  /** The port type string. */
  readonly portType: string;
  #writers: ConnectionWriter<T>[] = [];
  #ended = false;
  #framesWritten = 0;
  #framesRefused = 0;
  /** `node.port`, for leak reports (set by the runtime; the port name alone by default). */
  label: string;
  /** The node that writes here, for error reports (set by the runtime; `""` by default). */
  node = "";
  /**
   * Told of every write (the node's `ctx.frames`: what a run read before a write is finished).
   * Unset when the binding is used by hand.
   */
  owner: { wrote(): void } | undefined;
  #waiter: (() => void) | undefined;
  #sawFull = false;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #sampling = false;
  #samplers: ((frame: unknown) => void)[] = [];
  #everyFrame: ((frame: unknown) => void)[] = [];
  #keyframeWanted = false;

  /**
   * Creates an output with no connections.
   *
   * @param name The port's name.
   * @param portType The port type string.
   */
  constructor(name: string, portType: string) {
    this.name = name;
    this.portType = portType;
    this.label = name;
  }

  /** Whether at least one connection leaves this output. */
  get isConnected(): boolean {
    return this.#writers.length > 0;
  }

  /** Number of connections this output fans out to. */
  get connectionCount(): number {
    return this.#writers.length;
  }

  /**
   * Frames `write()` can take now without a `fifo` connection refusing one: the fewest free slots
   * among the `fifo` connections; `Infinity` when unconnected or when every connection is
   * `latest`. A processor that turns one input frame into one output frame reads only this many.
   */
  get space(): number {
    const space = this.spaceNow();
    if (space === 0) this.#sawFull = true;
    return space;
  }

  /**
   * The same as `space`, for the runtime: reading it does not count as the processor having seen
   * the output full (see {@linkcode OutputBinding.takeFull}).
   *
   * @returns Frames `write()` takes now.
   */
  spaceNow(): number {
    const writers = this.#writers;
    let space = Infinity;
    for (let i = 0; i < writers.length; i++) {
      const s = writers[i].space;
      if (s !== undefined && s < space) space = s;
    }
    return space;
  }

  /**
   * For the runtime, after a run: whether the processor found this output full during it (read
   * `space` as 0 or had a write refused) or it is full now; resets the record. A reader in another
   * isolate may make room between the processor's look and the runtime's, so the runtime asks
   * to be woken by {@linkcode OutputBinding.whenWritable} whenever this is true, and the wake
   * comes at once if there is room by then: a run that stopped at a full output is never lost.
   *
   * @returns Whether the output was seen full.
   */
  takeFull(): boolean {
    const full = this.#sawFull || this.spaceNow() === 0;
    this.#sawFull = false;
    return full;
  }

  /**
   * Calls `callback` once when `space` may have become non-zero: a full `fifo` connection's reader
   * took a frame, a connection was detached, or (for connections that cannot tell) after a 1 ms
   * poll. One callback at a time: a second call replaces the first. The runtime uses it to wake
   * a node that waits for room; the callback must not throw.
   *
   * @param callback Called once.
   */
  whenWritable(callback: () => void): void {
    this.#waiter = callback;
    const writers = this.#writers;
    for (let i = 0; i < writers.length; i++) {
      const writer = writers[i];
      if (writer.space !== 0) continue;
      if (writer.onSpace) writer.onSpace(this.#fire);
      else this.#pollTimer ??= setTimeout(this.#poll, 1);
    }
    if (this.spaceNow() > 0) this.#fire();
  }

  /** Frames offered by `write()` since construction, connected or not (for node stats). */
  get framesWritten(): number {
    return this.#framesWritten;
  }

  /**
   * Writes since construction that at least one connection refused (`write()` returned
   * `false`): frames one reader or more never got. Counted here, for every processor alike, and
   * reported in the node's stats (`framesRefused`, by output in `framesRefusedByOutput`); what
   * the processor does about it is its own business.
   */
  get framesRefused(): number {
    return this.#framesRefused;
  }

  /**
   * Offers `frame` to every connection; a no-op when there is none.
   *
   * @param frame The frame.
   * @returns `false` when at least one `fifo` connection was full and did not take it (counted in
   *   {@linkcode OutputBinding.framesRefused}).
   * @throws {FrameReleasedError} When `frame` is a released frame (every reference to it was
   *   dropped): nothing is written, and the error names this node and port.
   */
  write(frame: T): boolean {
    if (isOwnedFrame(frame)) {
      if (frame.released) {
        throw new FrameReleasedError(frame.kind, frame.origin, {
          node: this.node,
          port: this.label,
          use: "write",
        });
      }
      frame.holder = this;
    }
    const writers = this.#writers;
    this.#framesWritten++;
    this.owner?.wrote();
    let accepted = true;
    for (let i = 0; i < writers.length; i++) {
      if (!writers[i].push(frame)) accepted = false;
    }
    if (!accepted) {
      this.#sawFull = true;
      this.#framesRefused++;
    }
    if (this.#sampling) this.#capture(frame);
    return accepted;
  }

  /**
   * Asks this output's writer for a keyframe without being a reader (a probe, as a GStreamer pad
   * probe sends a force-key-unit event upstream); {@linkcode OutputBinding.takeKeyframeRequest}
   * reports it once.
   */
  requestKeyframe(): void {
    this.#keyframeWanted = true;
  }

  /**
   * Whether any reader (or a probe) asked for a keyframe since the last call; clears every
   * request.
   *
   * @returns Whether one was asked for.
   */
  takeKeyframeRequest(): boolean {
    let requested = this.#keyframeWanted;
    this.#keyframeWanted = false;
    const writers = this.#writers;
    for (let i = 0; i < writers.length; i++) {
      if (writers[i].takeKeyframeRequest?.()) requested = true;
    }
    return requested;
  }

  /**
   * For probes: calls `callback` with the next frame written, in a microtask after that write
   * (so after the writer's run, never inside it), holding a reference to the frame during the
   * call. Until then, and with no callback waiting, `write()` pays one boolean test; a capture
   * costs one retain, one release and one microtask, whatever the write rate.
   *
   * @param callback Receives the frame once (valid only during the call).
   */
  sampleNext(callback: (frame: unknown) => void): void {
    this.#samplers.push(callback);
    this.#sampling = true;
  }

  /**
   * For probes that need every frame (a live view of an encoded stream): calls `callback` with
   * each frame written, each in a microtask after its write, until
   * {@linkcode OutputBinding.cancelSample}. Each write then costs one retain, one release and
   * one microtask.
   *
   * @param callback Receives every frame (each valid only during its call).
   */
  sampleEvery(callback: (frame: unknown) => void): void {
    this.#everyFrame = [...this.#everyFrame, callback];
    this.#sampling = true;
  }

  /**
   * Forgets a callback of {@linkcode OutputBinding.sampleNext} that has not been called yet, or
   * one of {@linkcode OutputBinding.sampleEvery}.
   *
   * @param callback The callback.
   */
  cancelSample(callback: (frame: unknown) => void): void {
    this.#samplers = this.#samplers.filter((c) => c !== callback);
    this.#everyFrame = this.#everyFrame.filter((c) => c !== callback);
    this.#sampling = this.#samplers.length > 0 || this.#everyFrame.length > 0;
  }

  #capture(frame: T): void {
    const every = this.#everyFrame;
    const samplers = this.#samplers.length === 0 ? every : [...this.#samplers, ...every];
    this.#samplers = [];
    this.#sampling = every.length > 0;
    retainFrame(frame);
    queueMicrotask(() => {
      try {
        for (let i = 0; i < samplers.length; i++) samplers[i](frame);
      } finally {
        releaseFrame(frame);
      }
    });
  }

  /**
   * Adds a connection. Attaching the same writer twice has no effect.
   *
   * @param writer The writing end of a connection.
   */
  attach(writer: ConnectionWriter<T>): void {
    if (this.#writers.includes(writer)) return;
    this.#writers = [...this.#writers, writer];
    if (this.#ended) writer.end?.(true); // connected after its node ended: nothing will come
  }

  /** Whether the node ended its stream on this output (see `endOfStream()`). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Ends the stream on every connection (`true`: their readers end once they have read what is
   * queued, and so do connections attached later), or opens it again for a new run.
   *
   * @param ended Whether the node has ended.
   */
  endOfStream(ended: boolean): void {
    if (this.#ended === ended) return;
    this.#ended = ended;
    const writers = this.#writers;
    for (let i = 0; i < writers.length; i++) writers[i].end?.(ended);
  }

  /**
   * Removes a connection.
   *
   * @param writer The writing end to remove.
   * @returns Whether it was attached.
   */
  detach(writer: ConnectionWriter<T>): boolean {
    const before = this.#writers.length;
    this.#writers = this.#writers.filter((w) => w !== writer);
    const detached = this.#writers.length !== before;
    if (detached) this.#fire(); // the detached connection may have been the full one
    return detached;
  }

  #fire = (): void => {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    if (this.#pollTimer !== undefined) {
      clearTimeout(this.#pollTimer);
      this.#pollTimer = undefined;
    }
    waiter();
  };

  #poll = (): void => {
    this.#pollTimer = undefined;
    if (this.#waiter === undefined) return;
    if (this.spaceNow() > 0) this.#fire();
    else this.#pollTimer = setTimeout(this.#poll, 1);
  };
}
