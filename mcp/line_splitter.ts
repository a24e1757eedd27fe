/**
 * `LineSplitter`: newline-delimited messages out of a byte stream, in time linear in the bytes
 * read and memory bounded by the longest line allowed.
 *
 * @module
 */

/** Bytes of an oversized line kept from its start and from its end (to find its id). */
const KEEP = 512;

/** What {@linkcode LineSplitter.push} yields: a line, or the news that one was too long. */
export type SplitLine =
  | { readonly kind: "line"; readonly bytes: Uint8Array }
  | {
    readonly kind: "too_long";
    /** The line's length in bytes. */
    readonly size: number;
    /** Its first bytes. */
    readonly head: Uint8Array;
    /** Its last bytes. */
    readonly tail: Uint8Array;
  };

/**
 * Splits bytes into lines at `\n` (a `\r` before it is dropped). A line longer than `maxBytes`
 * is not kept: its bytes are counted and discarded up to its newline, and it is reported as
 * `too_long` with its first and last bytes, so the reader can answer it and carry on. Each byte
 * is looked at once and copied at most once, so reading is linear in the input.
 *
 * @example Two lines in three chunks, and one too long
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineSplitter } from "./line_splitter.ts";
 *
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const splitter = new LineSplitter(8);
 * const text = (chunk: string) =>
 *   splitter.push(bytes(chunk)).map((l) => l.kind === "line" ? new TextDecoder().decode(l.bytes) : `<${l.size}>`);
 * assert.deepEqual(text('{"a"'), []);
 * assert.deepEqual(text(':1}\r\n{}\n0123456789'), ['{"a":1}', "{}"]);
 * assert.deepEqual(text("AB\n[]\n"), ["<12>", "[]"]);
 * ```
 */
export class LineSplitter {
  readonly #max: number;
  #parts: Uint8Array[] = [];
  #size = 0;
  #head: Uint8Array | undefined;
  #tail = new Uint8Array(0);

  /**
   * Creates a splitter.
   *
   * @param maxBytes The longest line kept, in bytes (without its newline).
   */
  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  /** Bytes of the unfinished line so far. */
  get pending(): number {
    return this.#size;
  }

  /**
   * Takes the next chunk of input.
   *
   * @param chunk The bytes.
   * @returns The lines it completed, in order.
   */
  push(chunk: Uint8Array): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      this.#append(chunk.subarray(start, end));
      if (newline === -1) break;
      out.push(this.#finish());
      start = newline + 1;
    }
    return out;
  }

  #append(segment: Uint8Array): void {
    if (segment.length === 0) return;
    this.#size += segment.length;
    if (this.#head === undefined && this.#size <= this.#max) {
      this.#parts.push(segment.slice());
      return;
    }
    if (this.#head === undefined) {
      // Over the limit: keep the head and the tail, let the rest go.
      const all = concat([...this.#parts, segment], this.#size);
      this.#head = all.slice(0, KEEP);
      this.#tail = all.slice(-KEEP);
      this.#parts = [];
      return;
    }
    if (this.#head.length < KEEP) {
      this.#head = concat([this.#head, segment.subarray(0, KEEP - this.#head.length)], 0);
    }
    const joined = concat([this.#tail, segment.subarray(-KEEP)], 0);
    this.#tail = joined.slice(-KEEP);
  }

  #finish(): SplitLine {
    const size = this.#size;
    const head = this.#head;
    const parts = this.#parts;
    this.#parts = [];
    this.#size = 0;
    this.#head = undefined;
    if (head !== undefined) {
      const tail = this.#tail;
      this.#tail = new Uint8Array(0);
      return { kind: "too_long", size, head, tail: stripCr(tail) };
    }
    return { kind: "line", bytes: stripCr(concat(parts, size)) };
  }
}

function stripCr(bytes: Uint8Array): Uint8Array {
  return bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes;
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const total = size || parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part.subarray(0, total - offset), offset);
    offset += part.length;
    if (offset >= total) break;
  }
  return out;
}
