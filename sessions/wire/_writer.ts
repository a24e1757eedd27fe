/**
 * Writes the fields of one message into one growing buffer, checking each value fits the format
 * first. A payload is copied once, into the message.
 *
 * @module
 */

import { WireError } from "./errors.ts";
import { MAX_WIRE_INTEGER } from "./format.ts";

const utf8 = new TextEncoder();

/** Writes fields in order; throws only {@linkcode WireError} for a value the format cannot carry. */
export class WireWriter {
  #buffer: Uint8Array<ArrayBuffer>;
  #view: DataView;
  #length = 0;

  /** @param capacity The first buffer's size in bytes; it grows as needed. */
  constructor(capacity = 256) {
    this.#buffer = new Uint8Array(capacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Makes room for `n` more bytes and returns where they go. It may replace `#buffer` and
   * `#view`: call it before reading either (`this.#view.setUint8(this.#reserve(1), v)` would
   * write to the old view).
   */
  #reserve(n: number): number {
    const at = this.#length;
    const needed = at + n;
    if (needed > this.#buffer.byteLength) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.#buffer.byteLength));
      grown.set(this.#buffer.subarray(0, at));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = needed;
    return at;
  }

  bytes(bytes: Uint8Array): void {
    // Reserve first: it may replace the buffer, and `set` must go to the new one.
    const at = this.#reserve(bytes.byteLength);
    this.#buffer.set(bytes, at);
  }

  u8(value: number, field: string): void {
    checkInteger(value, 0xff, field);
    const at = this.#reserve(1);
    this.#view.setUint8(at, value);
  }

  u16(value: number, field: string): void {
    checkInteger(value, 0xffff, field);
    const at = this.#reserve(2);
    this.#view.setUint16(at, value, true);
  }

  u32(value: number, field: string): void {
    checkInteger(value, 0xffff_ffff, field);
    const at = this.#reserve(4);
    this.#view.setUint32(at, value, true);
  }

  /** Overwrites a u32 written earlier (the header's length). */
  setU32(at: number, value: number, field: string): void {
    checkInteger(value, 0xffff_ffff, field);
    this.#view.setUint32(at, value, true);
  }

  u64(value: number, field: string): void {
    checkInteger(value, MAX_WIRE_INTEGER, field);
    const at = this.#reserve(8);
    this.#view.setUint32(at, value % 0x1_0000_0000, true);
    this.#view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
  }

  /** A little-endian two's complement i64 within ±(2^53 - 1) (a timestamp may be negative). */
  i64(value: number, field: string): void {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_WIRE_INTEGER) {
      throw new WireError(
        "wire_malformed",
        `Cannot encode ${field}: ${value} is not an integer from -${MAX_WIRE_INTEGER} to ${MAX_WIRE_INTEGER}`,
        {
          field,
          found: String(value),
          expected: `an integer from -${MAX_WIRE_INTEGER} to ${MAX_WIRE_INTEGER}`,
        },
      );
    }
    const at = this.#reserve(8);
    const high = Math.floor(value / 0x1_0000_0000);
    this.#view.setUint32(at, value - high * 0x1_0000_0000, true);
    this.#view.setInt32(at + 4, high, true);
  }

  f64(value: number): void {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, value, true);
  }

  /** `samples` as little-endian f32. */
  f32s(samples: Float32Array): void {
    const at = this.#reserve(samples.byteLength);
    if (LITTLE_ENDIAN) {
      this.#buffer.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), at);
    } else {
      for (let i = 0; i < samples.length; i++) this.#view.setFloat32(at + 4 * i, samples[i], true);
    }
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

  /** The bytes written (a copy only when the buffer is larger than they are). */
  finish(): Uint8Array<ArrayBuffer> {
    return this.#length === this.#buffer.byteLength
      ? this.#buffer
      : this.#buffer.slice(0, this.#length);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
