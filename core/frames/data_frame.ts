/**
 * JSON-able messages between processors.
 *
 * @module
 */

/**
 * A JSON-able message (statistics, detections, control events) travelling between processors.
 * `T` must survive `JSON.stringify`; `deno task codegen` checks it.
 *
 * @typeParam T The message type.
 *
 * @example Send detection results
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DataFrame } from "@streamlib/streamlib";
 *
 * interface Detections {
 *   boxes: { x: number; y: number; label: string }[];
 * }
 * const frame: DataFrame<Detections> = {
 *   kind: "data",
 *   timestampNs: 0,
 *   value: { boxes: [{ x: 1, y: 2, label: "cat" }] },
 * };
 * assert.equal(frame.value.boxes[0].label, "cat");
 * ```
 */
export interface DataFrame<T = unknown> {
  /** Discriminant of the frame union. */
  readonly kind: "data";
  /** Time the message refers to, in nanoseconds on the monotonic media clock. */
  readonly timestampNs: number;
  /** The message. */
  readonly value: T;
}
