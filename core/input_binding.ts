/**
 * The implementation of {@linkcode InputPort} over at most one connection.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "./error_codes.ts";
import type { ConnectionReader } from "./connection.ts";
import type { InputPort } from "./input_port.ts";

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
  /** Stable machine code (see `ERROR_CODES` in core/error_codes.ts). */
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
  #reader: ConnectionReader<T> | undefined;
  #framesRead = 0;
  /**
   * Who takes over the reference of each frame read (the node's `ctx.frames`, so the runtime
   * releases it when `process()` returns). Unset when the binding is used by hand.
   */
  owner: { adopt(frame: unknown): void } | undefined;

  /**
   * Creates an input with no connection.
   *
   * @param name The port's name.
   * @param portType The port type string.
   */
  constructor(name: string, portType: string) {
    this.name = name;
    this.portType = portType;
  }

  /** Whether a connection feeds this input. */
  get isConnected(): boolean {
    return this.#reader !== undefined;
  }

  /** Frames ready to read (0 when unconnected). */
  get available(): number {
    return this.#reader?.available ?? 0;
  }

  /**
   * Whether the connection's writer ended its stream and every frame it wrote has been read
   * (`false` when unconnected: nothing says the stream ended).
   */
  get ended(): boolean {
    return this.#reader?.ended === true;
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
    const frame = this.#reader?.pop();
    if (frame !== undefined) {
      this.#framesRead++;
      this.owner?.adopt(frame);
    }
    return frame;
  }

  /**
   * Takes the newest frame, discarding older ones.
   *
   * @returns The frame, or `undefined` when there is none.
   */
  readLatest(): T | undefined {
    const frame = this.#reader?.popLatest();
    if (frame !== undefined) {
      this.#framesRead++;
      this.owner?.adopt(frame);
    }
    return frame;
  }

  /** Asks the connection's writer for a keyframe (no-op when it cannot carry requests). */
  requestKeyframe(): void {
    this.#reader?.requestKeyframe?.();
  }

  /**
   * Feeds this input from `reader`.
   *
   * @param reader The reading end of a connection.
   * @throws {PortAlreadyConnectedError} When a connection is already attached.
   */
  attach(reader: ConnectionReader<T>): void {
    if (this.#reader) throw new PortAlreadyConnectedError(this.name);
    this.#reader = reader;
  }

  /**
   * Removes the connection, if any.
   *
   * @returns The reader that was attached, or `undefined`.
   */
  detach(): ConnectionReader<T> | undefined {
    const reader = this.#reader;
    this.#reader = undefined;
    return reader;
  }
}
