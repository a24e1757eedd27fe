/**
 * The one error the wire codec throws.
 *
 * @module
 */

/** Why a message cannot be decoded (or a value cannot be encoded). */
export type WireErrorCode = "wire_malformed" | "wire_truncated" | "wire_version" | "wire_too_large";

/** What a {@linkcode WireError} says about where and what. */
export interface WireErrorDetails {
  /** The field at fault (`header.magic`, `metadata.key`, `frame.samples`, ...). */
  readonly field: string;
  /** The byte offset in the message where the field starts, when decoding. */
  readonly offset?: number;
  /** The value found or the bound passed, when there is one. */
  readonly found?: number | string;
  /** What is valid there. */
  readonly expected?: string;
}

/**
 * A message that cannot be decoded, or a value that cannot be encoded: the only thing the wire
 * codec throws, whatever the bytes. Codes: `wire_malformed` (a field with a value the format does
 * not allow, or bytes after the end), `wire_truncated` (the bytes end before the message does),
 * `wire_version` (a version this codec does not read), `wire_too_large` (over the message size
 * option or a field's bound).
 *
 * @example Catch a truncated message by its code
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWireMessage, WireError } from "@streamlib/streamlib/sessions/wire";
 *
 * assert.throws(
 *   () => decodeWireMessage(new Uint8Array([0x53, 0x4c, 1])),
 *   (error) => error instanceof WireError && error.code === "wire_truncated",
 * );
 * ```
 */
export class WireError extends Error {
  /** The stable code. */
  readonly code: WireErrorCode;
  /** The field at fault, its offset, what was found and what is valid. */
  readonly details: WireErrorDetails;

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message What was wrong and what is valid.
   * @param details The field, offset, found value and what is expected.
   */
  constructor(code: WireErrorCode, message: string, details: WireErrorDetails) {
    super(message);
    this.name = "WireError";
    this.code = code;
    this.details = details;
  }
}
