/**
 * Collects the fields of one message and joins them into one buffer, checking each value fits
 * the format first.
 *
 * @module
 */

import { WireError } from "./errors.ts";
import { MAX_WIRE_INTEGER } from "./format.ts";

const utf8 = new TextEncoder();

/** Writes fields in order; throws only {@linkcode WireError} for a value the format cannot carry. */
export class WireWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;
  readonly #scratch = new DataView(new ArrayBuffer(8));

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #fixed(n: number): void {
    this.bytes(new Uint8Array(this.#scratch.buffer.slice(0, n)));
  }

  bytes(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#length += bytes.byteLength;
  }

  u8(value: number, field: string): void {
    checkInteger(value, 0xff, field);
    this.#scratch.setUint8(0, value);
    this.#fixed(1);
  }

  u16(value: number, field: string): void {
    checkInteger(value, 0xffff, field);
    this.#scratch.setUint16(0, value, true);
    this.#fixed(2);
  }

  u32(value: number, field: string): void {
    checkInteger(value, 0xffff_ffff, field);
    this.#scratch.setUint32(0, value, true);
    this.#fixed(4);
  }

  u64(value: number, field: string): void {
    checkInteger(value, MAX_WIRE_INTEGER, field);
    this.#scratch.setUint32(0, value % 0x1_0000_0000, true);
    this.#scratch.setUint32(4, Math.floor(value / 0x1_0000_0000), true);
    this.#fixed(8);
  }

  f64(value: number): void {
    this.#scratch.setFloat64(0, value, true);
    this.#fixed(8);
  }

  /** A u16 length and UTF-8, refused over `maxBytes`. */
  string(value: string, field: string, maxBytes: number): void {
    if (typeof value !== "string") {
      throw new WireError("wire_malformed", `Cannot encode ${field}: not a string`, {
        field,
        expected: "a string",
      });
    }
    const bytes = utf8.encode(value);
    if (bytes.byteLength > maxBytes) {
      throw new WireError(
        "wire_too_large",
        `Cannot encode ${field}: ${bytes.byteLength} bytes of UTF-8, over the limit of ${maxBytes}`,
        { field, found: bytes.byteLength, expected: `at most ${maxBytes} bytes` },
      );
    }
    this.u16(bytes.byteLength, `${field} length`);
    this.bytes(bytes);
  }

  /** The fields joined. */
  finish(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }
}

/** Refuses a value that is not an integer from 0 to `max`. */
export function checkInteger(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new WireError(
      "wire_malformed",
      `Cannot encode ${field}: ${value} is not an integer from 0 to ${max}`,
      { field, found: String(value), expected: `an integer from 0 to ${max}` },
    );
  }
}
