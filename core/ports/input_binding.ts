/**
 * The implementation of {@linkcode InputPort} over at most one connection.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { ConnectionReader } from "../transport/connection.ts";
import type { InputPort } from "./input_port.ts";
import { OwnedFrame } from "../frames/owned_frame.ts";

/**
 * Thrown when a second connection is attached to an input (connections are 1-to-1).
 *
 * @example A second connection into one input is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { InputBinding } from "@streamlib/streamlib";
 * import { PortAlreadyConnectedError } from "./input_binding.ts";
 * import { LocalConnection } from "./local_connection.ts";
 *
 * const input = new InputBinding<number>("in", "DataFrame");
 * input.attach(new LocalConnection<number>());
 * try {
 *   input.attach(new LocalConnection<number>());
 * } catch (error) {
 *   assert.equal(error instanceof PortAlreadyConnectedError && error.port, "in");
 * }
 * ```
 */
export class PortAlreadyConnectedError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "port_already_connected";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { port: this.port };
  }
  /** The input's name. */
  readonly port: string;

  /**
   * Creates the error.
   *
   * @param port The input's name.
   */
  constructor(port: string) {
    super(`Cannot connect input '${port}': it already has a connection, disconnect it first`);
    this.name = "PortAlreadyConnectedError";
    this.port = port;
  }
}

/**
 * An input port bound to zero or one connection. The runtime attaches and detaches connections;
 * processor code only reads.
 *
 * @typeParam T The frame type.
 *
 * @example Read the newest of several frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { InputBinding } from "@streamlib/streamlib";
 * import { LocalConnection } from "./local_connection.ts";
 *
 * const conn = new LocalConnection<number>({ capacity: 8 });
 * const input = new InputBinding<number>("in", "DataFrame");
 * input.attach(conn);
 * conn.push(1);
 * conn.push(2);
 * assert.equal(input.readLatest(), 2);
 * assert.equal(conn.dropped, 1);
 * ```
 */
export class InputBinding<T> implements InputPort<T> {
  /** The port's name. */
  readonly name: string;
  /** The port type string. */
  readonly portType: string;
  /**
   * `node.port`, for lifetime reports: frames read here are held at this label (set by the
   * runtime; the port name alone by default).
   */
  label: string;
  /** The node that reads here (set by the runtime's `ctx.frames`; `""` by default). */
  node = "";
  #reader: ConnectionReader<T> | undefined;
  #framesRead = 0;
  #discarding = false;
  /** Frames a run read and gave back for want of memory, oldest first: read before the queue. */
  #returned: T[] = [];
  /**
   * Who takes over the reference of each frame read (the node's `ctx.frames`, so the runtime
   * releases it when `process()` returns, or gives it back here with
   * {@linkcode InputBinding.giveBack}). Unset when the binding is used by hand.
   */
  owner: InputOwner | undefined;

  /**
   * Creates an input with no connection.
   *
   * @param name The port's name.
   * @param portType The port type string.
   */
  constructor(name: string, portType: string) {
    this.name = name;
    this.portType = portType;
    this.label = name;
  }

  /** Whether a connection feeds this input. */
  get isConnected(): boolean {
    return this.#reader !== undefined;
  }

  /** Frames ready to read (0 when unconnected). */
  get available(): number {
    return this.#returned.length + (this.#reader?.available ?? 0);
  }

  /**
   * Whether the connection's writer ended its stream and every frame it wrote has been read
   * (`false` when unconnected: nothing says the stream ended).
   */
  get ended(): boolean {
    return this.#returned.length === 0 && this.#reader?.ended === true;
  }

  /** Frames given back by a run that found no frame memory, waiting to be read again. */
  get givenBack(): number {
    return this.#returned.length;
  }

  /** Frames returned by `read()` and `readLatest()` since construction (for node stats). */
  get framesRead(): number {
    return this.#framesRead;
  }

  /**
   * Takes the oldest frame.
   *
   * @returns The frame, or `undefined` when there is none.
   */
  read(): T | undefined {
    if (this.#returned.length > 0) {
      const again = this.#returned.shift()!; // counted when it was first read
      this.owner?.adopt(again, this);
      return again;
    }
    const frame = this.#reader?.pop();
    if (frame !== undefined) {
      this.#framesRead++;
      this.owner?.adopt(frame, this);
    }
    return frame;
  }

  /**
   * Takes the newest frame, discarding older ones.
   *
   * @returns The frame, or `undefined` when there is none.
   */
  readLatest(): T | undefined {
    if (this.#returned.length > 0) {
      // Frames given back are older than anything queued: the newest of them counts only when
      // nothing newer waits.
      const newest = (this.#reader?.available ?? 0) > 0 ? undefined : this.#returned.pop();
      this.#dropReturned();
      if (newest !== undefined) {
        this.owner?.adopt(newest, this);
        return newest;
      }
    }
    const frame = this.#reader?.popLatest();
    if (frame !== undefined) {
      this.#framesRead++;
      this.owner?.adopt(frame, this);
    }
    return frame;
  }

  /**
   * Takes back a frame read from here, in front of every frame still to read (the runtime calls
   * it when a run ends for want of frame memory; see `NodeFrames.flush()`). The reference the run
   * held is now this input's, until the frame is read again or dropped.
   *
   * @param frame The frame, read from this input.
   */
  giveBack(frame: unknown): void {
    this.#returned.unshift(frame as T);
  }

  /**
   * Drops the frames given back and not read again (the runtime calls it at teardown and on
   * disconnect, as it drops the connection's queue). Counted as dropped by the reading node.
   *
   * @returns How many were dropped.
   */
  clear(): number {
    return this.#dropReturned();
  }

  /** Asks the connection's writer for a keyframe (no-op when it cannot carry requests). */
  requestKeyframe(): void {
    this.#reader?.requestKeyframe?.();
  }

  /** Whether this input's node stopped reading (see {@linkcode InputBinding.setDiscarding}). */
  get discarding(): boolean {
    return this.#discarding;
  }

  /**
   * For the runtime: this input's node stopped reading (`true`: it failed, or ended before its
   * input did) or reads again (`false`: it was set up again). Passed on to the connection
   * (`ConnectionReader.setDiscarding`), now and to any connection attached later, so that it
   * drops what is queued, takes what its writer offers without queueing it and holds the writer
   * back no more; frames given back by a run are dropped too.
   *
   * @param discarding Whether the node stopped reading.
   *
   * @example The input of a failed node holds its writer back no longer
   * ```ts
   * import assert from "node:assert/strict";
   * import { InputBinding } from "@streamlib/streamlib";
   * import { LocalConnection } from "./local_connection.ts";
   *
   * const conn = new LocalConnection<number>({ capacity: 1, policy: "fifo" });
   * const input = new InputBinding<number>("in", "DataFrame");
   * input.attach(conn);
   * conn.push(1);
   * input.setDiscarding(true);
   * assert.equal(conn.space, Infinity);
   * assert.equal(conn.stats().dropped, 1);
   * ```
   */
  setDiscarding(discarding: boolean): void {
    if (this.#discarding === discarding) return;
    this.#discarding = discarding;
    if (discarding) this.#dropReturned();
    this.#reader?.setDiscarding?.(discarding);
  }

  /**
   * Feeds this input from `reader` (discarding, when this input's node stopped reading).
   *
   * @param reader The reading end of a connection.
   * @throws {PortAlreadyConnectedError} When a connection is already attached.
   */
  attach(reader: ConnectionReader<T>): void {
    if (this.#reader) throw new PortAlreadyConnectedError(this.name);
    this.#reader = reader;
    if (this.#discarding) reader.setDiscarding?.(true);
  }

  /**
   * Removes the connection, if any.
   *
   * @returns The reader that was attached, or `undefined`.
   */
  detach(): ConnectionReader<T> | undefined {
    const reader = this.#reader;
    this.#reader = undefined;
    this.#dropReturned();
    return reader;
  }

  #dropReturned(): number {
    const returned = this.#returned;
    const n = returned.length;
    for (let i = 0; i < n; i++) {
      const frame = returned[i];
      this.owner?.discard(frame);
      if (frame instanceof OwnedFrame) frame.release();
    }
    returned.length = 0;
    return n;
  }
}

/** What an {@linkcode InputBinding} tells about the frames it hands out (the node's `ctx.frames`). */
export interface InputOwner {
  /**
   * A frame was read: the current run holds its reference.
   *
   * @param frame The frame.
   * @param from The input it came from, which takes it back if the run ends for want of memory.
   */
  adopt(frame: unknown, from?: InputBinding<unknown>): void;
  /**
   * A frame given back to the input was dropped without being read again (skipped by
   * `readLatest()`, or dropped with its connection): counted as dropped by the node.
   *
   * @param frame The frame.
   */
  discard(frame: unknown): void;
}
