/**
 * The input side of a port, as processor code sees it.
 *
 * @module
 */

/**
 * A typed input: where a processor reads frames in `process()`.
 *
 * Reads never throw and never block. An unconnected input is empty.
 *
 * @typeParam T The frame type.
 */
export interface InputPort<T> {
  /** The port's name (`in_0` for the first element of an array port). */
  readonly name: string;
  /** The port type string, such as `"AudioFrame<2>"`. */
  readonly portType: string;
  /** Whether a connection feeds this input. */
  readonly isConnected: boolean;
  /** Frames ready to read (0 when unconnected). */
  readonly available: number;
  /**
   * Whether the writer ended its stream and every frame it wrote has been read: nothing more will
   * come (`false` when unconnected). A processor that waits for a block on every input (a mixer)
   * stops waiting for this one.
   */
  readonly ended: boolean;
  /**
   * Takes the oldest frame.
   *
   * @returns The frame, or `undefined` when there is none.
   */
  read(): T | undefined;
  /**
   * Takes the newest frame and discards older ones (counted as dropped on the connection).
   *
   * @returns The frame, or `undefined` when there is none.
   */
  readLatest(): T | undefined;
  /**
   * Asks the node writing into this input for a keyframe, as GStreamer's upstream
   * force-key-unit event does: an encoder reads it with `OutputPort.takeKeyframeRequest()`.
   * Carried by connections within an isolate and between isolates (Workers); a no-op when
   * unconnected or when the connection cannot carry it (into a native plugin).
   */
  requestKeyframe(): void;
}
