/**
 * The implementation of {@linkcode OutputPort} over any number of connections.
 *
 * @module
 */

import type { ConnectionWriter } from "./connection.ts";
import type { OutputPort } from "./output_port.ts";

/**
 * An output port that fans out to every attached connection. The runtime attaches and detaches
 * connections; processor code only writes.
 *
 * @typeParam T The frame type.
 *
 * @example Fan out to two connections
 * ```ts
 * import { LocalConnection, OutputBinding } from "@streamlib/streamlib";
 *
 * const output = new OutputBinding<number>("out", "DataFrame");
 * const a = new LocalConnection<number>();
 * const b = new LocalConnection<number>();
 * output.attach(a);
 * output.attach(b);
 * output.write(7);
 * console.log(a.pop(), b.pop()); // 7 7
 * ```
 */
export class OutputBinding<T> implements OutputPort<T> {
  /** The port's name. */
  readonly name: string;
  /** The port type string. */
  readonly portType: string;
  #writers: ConnectionWriter<T>[] = [];
  #framesWritten = 0;

  /**
   * Creates an output with no connections.
   *
   * @param name The port's name.
   * @param portType The port type string.
   */
  constructor(name: string, portType: string) {
    this.name = name;
    this.portType = portType;
  }

  /** Whether at least one connection leaves this output. */
  get isConnected(): boolean {
    return this.#writers.length > 0;
  }

  /** Number of connections this output fans out to. */
  get connectionCount(): number {
    return this.#writers.length;
  }

  /** Frames offered by `write()` since construction, connected or not (for node stats). */
  get framesWritten(): number {
    return this.#framesWritten;
  }

  /**
   * Offers `frame` to every connection; a no-op when there is none.
   *
   * @param frame The frame.
   * @returns `false` when at least one `fifo` connection was full and did not take it.
   */
  write(frame: T): boolean {
    const writers = this.#writers;
    this.#framesWritten++;
    let accepted = true;
    for (let i = 0; i < writers.length; i++) {
      if (!writers[i].push(frame)) accepted = false;
    }
    return accepted;
  }

  /**
   * Adds a connection. Attaching the same writer twice has no effect.
   *
   * @param writer The writing end of a connection.
   */
  attach(writer: ConnectionWriter<T>): void {
    if (!this.#writers.includes(writer)) this.#writers = [...this.#writers, writer];
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
    return this.#writers.length !== before;
  }
}
