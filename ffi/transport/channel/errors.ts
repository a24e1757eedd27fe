/**
 * Typed errors of the frame codec: a frame that does not fit a slot, or that has no encoding.
 *
 * @module
 */

import { FRAME_HEADER_BYTES } from "../frame_format.ts";

/**
 * A frame's payload is larger than a frame-pool slot can hold after the slot header. A
 * configuration error: create the pool with larger slots.
 *
 * @example Catch a frame that is too large
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameTooLargeError } from "./errors.ts";
 *
 * const error = new FrameTooLargeError("video", 8_294_400, 4096);
 * assert.equal(error.requiredSlotBytes, 8294464);
 * ```
 */
export class FrameTooLargeError extends RangeError {
  /** The frame kind. */
  readonly kind: string;
  /** The payload size, in bytes. */
  readonly payloadBytes: number;
  /** The pool's slot size, in bytes. */
  readonly slotBytes: number;
  /** The smallest slot size that would fit the frame. */
  readonly requiredSlotBytes: number;

  /**
   * Describes the frame and the slot it did not fit.
   *
   * @param kind The frame kind.
   * @param payloadBytes The payload size, in bytes.
   * @param slotBytes The pool's slot size, in bytes.
   */
  constructor(kind: string, payloadBytes: number, slotBytes: number) {
    const required = payloadBytes + FRAME_HEADER_BYTES;
    super(
      `Cannot put a ${kind} frame in a frame-pool slot: its payload is ${payloadBytes} bytes, ` +
        `a slot holds ${Math.max(0, slotBytes - FRAME_HEADER_BYTES)} (${slotBytes} bytes less ` +
        `the ${FRAME_HEADER_BYTES}-byte header); create the pool with slotBytes of at least ${required}`,
    );
    this.name = "FrameTooLargeError";
    this.kind = kind;
    this.payloadBytes = payloadBytes;
    this.slotBytes = slotBytes;
    this.requiredSlotBytes = required;
  }
}

/**
 * A frame the codec cannot encode (an unknown pixel format or codec, a channel count out of
 * range, fewer samples than `frameCount * channels`), or a value a `DataFrame` cannot carry.
 *
 * @example Catch an invalid frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidFrameError } from "./errors.ts";
 *
 * const error = new InvalidFrameError("video", "format", "RGB", "one of RGBA,BGRA,I420,NV12");
 * assert.equal(
 *   error.message,
 *   "Cannot encode a video frame: format RGB is invalid, expected one of RGBA,BGRA,I420,NV12",
 * );
 * ```
 */
export class InvalidFrameError extends TypeError {
  /** The frame kind. */
  readonly kind: string;
  /** The offending field. */
  readonly field: string;
  /** The value it had. */
  readonly value: unknown;
  /** What would be valid, in words. */
  readonly valid: string;

  /**
   * Describes the offending field.
   *
   * @param kind The frame kind.
   * @param field The offending field.
   * @param value Its value.
   * @param valid What would be valid.
   */
  constructor(kind: string, field: string, value: unknown, valid: string) {
    super(`Cannot encode a ${kind} frame: ${field} ${String(value)} is invalid, expected ${valid}`);
    this.name = "InvalidFrameError";
    this.kind = kind;
    this.field = field;
    this.value = value;
    this.valid = valid;
  }
}
