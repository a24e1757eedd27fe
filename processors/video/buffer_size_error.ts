/**
 * The error for a frame buffer that is too small for the frame it should hold.
 *
 * @module
 */

/**
 * A source or destination buffer shorter than the frame it should hold.
 *
 * @example Report a short destination
 * ```ts
 * import assert from "node:assert/strict";
 * import { BufferSizeError } from "./buffer_size_error.ts";
 *
 * const error = new BufferSizeError("convert a 4x4 RGBA frame to I420", "destination", 24, 10);
 * assert.equal(
 *   error.message,
 *   "Cannot convert a 4x4 RGBA frame to I420: the destination has 10 bytes, expected at least 24",
 * );
 * ```
 */
export class BufferSizeError extends RangeError {
  /** Which buffer was short. */
  readonly role: "source" | "destination";
  /** Bytes the frame needs. */
  readonly expected: number;
  /** Bytes the buffer has. */
  readonly actual: number;

  /**
   * Creates the error.
   *
   * @param operation What was being done, e.g. `"scale a 64x48 I420 frame"`.
   * @param role Which buffer was short.
   * @param expected Bytes the frame needs.
   * @param actual Bytes the buffer has.
   */
  constructor(operation: string, role: "source" | "destination", expected: number, actual: number) {
    super(
      `Cannot ${operation}: the ${role} has ${actual} bytes, expected at least ${expected}`,
    );
    this.name = "BufferSizeError";
    this.role = role;
    this.expected = expected;
    this.actual = actual;
  }
}
