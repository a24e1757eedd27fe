/**
 * The output side of a port, as processor code sees it.
 *
 * @module
 */

/**
 * A typed output: where a processor writes frames in `process()`.
 *
 * An output may fan out to several connections. Writing never throws and never blocks; writing to
 * an unconnected output is a no-op.
 *
 * @typeParam T The frame type.
 *
 * @example Write to an unconnected output
 * ```ts
 * import assert from "node:assert/strict";
 * import { OutputBinding, type OutputPort } from "@streamlib/streamlib";
 *
 * const port: OutputPort<number> = new OutputBinding<number>("out", "DataFrame");
 * assert.ok(port.write(1)); // nothing refused it
 * ```
 */
export interface OutputPort<T> {
  /** The port's name (`out_0` for the first element of an array port). */
  readonly name: string;
  /** The port type string, such as `"AudioFrame<2>"`. */
  readonly portType: string;
  /** Whether at least one connection leaves this output. */
  readonly isConnected: boolean;
  /** Number of connections this output fans out to. */
  readonly connectionCount: number;
  /**
   * Frames `write()` takes now without a `fifo` connection refusing one (`Infinity` when
   * unconnected or every connection is `latest`). The runtime does not run a node while one of
   * its outputs has no space, and runs it again when room frees; a processor that may write
   * several frames in one `process()` writes at most this many, and leaves the rest of its input
   * queued for the next run. Reading it costs a few nanoseconds per connection.
   */
  readonly space: number;
  /**
   * Offers `frame` to every connection.
   *
   * @returns `false` when at least one `fifo` connection was full and did not take it.
   */
  write(frame: T): boolean;
  /**
   * Whether a reader of this output asked for a keyframe (`InputPort.requestKeyframe()`) since
   * the last call; clears the requests. An encoder makes its next picture a keyframe.
   *
   * @returns Whether any connection's reader asked.
   */
  takeKeyframeRequest(): boolean;
}
