/**
 * A bounds-checked cursor over one message: every read checks the bytes are there first, so no
 * read passes the end and no length field makes it allocate more than the message holds.
 *
 * @module
 */

import { WireError } from "./errors.ts";
import { MAX_WIRE_INTEGER } from "./format.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Reads the fields of one message in order; throws only {@linkcode WireError}. */
export class WireReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset: number;

  /**
   * @param bytes The whole message.
   * @param offset Where reading starts.
   */
  constructor(bytes: Uint8Array, offset = 0) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#offset = offset;
  }

  /** The offset of the next read. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes left after the offset. */
  get remaining(): number {
    return this.#bytes.byteLength - this.#offset;
  }

  #need(n: number, field: string): number {
    if (n > this.remaining) {
      throw new WireError(
        "wire_truncated",
        `Cannot decode ${field}: the message ends ${n - this.remaining} bytes early`,
        { field, offset: this.#offset, found: this.remaining, expected: `${n} bytes` },
      );
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  u8(field: string): number {
    return this.#view.getUint8(this.#need(1, field));
  }

  u16(field: string): number {
    return this.#view.getUint16(this.#need(2, field), true);
  }

  u32(field: string): number {
    return this.#view.getUint32(this.#need(4, field), true);
  }

  /** A little-endian u64 that must be at most 2^53 - 1. */
  u64(field: string): number {
    const at = this.#need(8, field);
    const low = this.#view.getUint32(at, true);
    const high = this.#view.getUint32(at + 4, true);
    if (high > 0x1f_ffff) {
      throw new WireError(
        "wire_malformed",
        `Cannot decode ${field}: over 2^53 - 1, the largest integer the format carries`,
        { field, offset: at, expected: `an integer from 0 to ${MAX_WIRE_INTEGER}` },
      );
    }
    return high * 0x1_0000_0000 + low;
  }

  /** A little-endian two's complement i64 that must be within ±(2^53 - 1). */
  i64(field: string): number {
    const at = this.#need(8, field);
    const value = this.#view.getInt32(at + 4, true) * 0x1_0000_0000 +
      this.#view.getUint32(at, true);
    if (value > MAX_WIRE_INTEGER || value < -MAX_WIRE_INTEGER) {
      throw new WireError(
        "wire_malformed",
        `Cannot decode ${field}: beyond ±(2^53 - 1), the largest integers the format carries`,
        {
          field,
          offset: at,
          expected: `an integer from -${MAX_WIRE_INTEGER} to ${MAX_WIRE_INTEGER}`,
        },
      );
    }
    return value;
  }

  f64(field: string): number {
    return this.#view.getFloat64(this.#need(8, field), true);
  }

  /** A u16 length then that many bytes of UTF-8, refused over `maxBytes`. */
  string(field: string, maxBytes: number): string {
    const start = this.#offset;
    const length = this.u16(`${field} length`);
    if (length > maxBytes) {
      throw new WireError(
        "wire_too_large",
        `Cannot decode ${field}: ${length} bytes, over the limit of ${maxBytes}`,
        { field, offset: start, found: length, expected: `at most ${maxBytes} bytes` },
      );
    }
    const at = this.#need(length, field);
    try {
      return utf8.decode(this.#bytes.subarray(at, at + length));
    } catch {
      throw new WireError("wire_malformed", `Cannot decode ${field}: not valid UTF-8`, {
        field,
        offset: at,
        expected: "UTF-8 text",
      });
    }
  }

  /** The next `n` bytes, as a view (no copy). */
  take(n: number, field: string): Uint8Array {
    const at = this.#need(n, field);
    return this.#bytes.subarray(at, at + n);
  }

  /** The rest of the message, as a view (no copy). */
  rest(): Uint8Array {
    const at = this.#offset;
    this.#offset = this.#bytes.byteLength;
    return this.#bytes.subarray(at);
  }

  /** The rest of the message as UTF-8 text. */
  restText(field: string): string {
    const at = this.#offset;
    try {
      return utf8.decode(this.rest());
    } catch {
      throw new WireError("wire_malformed", `Cannot decode ${field}: not valid UTF-8`, {
        field,
        offset: at,
        expected: "UTF-8 text",
      });
    }
  }

  /** Refuses bytes after the last field. */
  end(): void {
    if (this.remaining !== 0) {
      throw new WireError(
        "wire_malformed",
        `Cannot decode the message: ${this.remaining} bytes after its last field`,
        { field: "end", offset: this.#offset, found: this.remaining, expected: "no more bytes" },
      );
    }
  }
}
