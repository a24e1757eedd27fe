/**
 * {@linkcode fitUtf8}: a message within a transport's bound of bytes.
 *
 * @module
 */

const utf8 = new TextEncoder();

/**
 * `text` within `maxBytes` of UTF-8: as is when it fits, else cut at a character's start and
 * marked with how long it was (the mark left out when even it does not fit), so a message that
 * names what a client sent and what is valid (every input of a pipeline, every pipeline of a
 * server) never exceeds what a transport carries: the session wire format's error message, a
 * gRPC status message in an HTTP/2 trailer.
 *
 * @param text The text.
 * @param maxBytes The most UTF-8 bytes it may take.
 * @returns The text, or its start and the mark.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitUtf8 } from "./_fit_utf8.ts";
 *
 * assert.equal(fitUtf8("short", 64), "short");
 * const cut = fitUtf8("é".repeat(100), 64);
 * assert.ok(new TextEncoder().encode(cut).byteLength <= 64);
 * assert.match(cut, /^é+ \.\.\. \(cut: 200 bytes, the most is 64\)$/);
 * assert.equal(fitUtf8("abcdef", 3), "abc");
 * ```
 */
export function fitUtf8(text: string, maxBytes: number): string {
  const bytes = utf8.encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  let marker = ` ... (cut: ${bytes.byteLength} bytes, the most is ${maxBytes})`;
  if (marker.length > maxBytes) marker = "";
  let end = maxBytes - marker.length;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(0, end)) + marker;
}
