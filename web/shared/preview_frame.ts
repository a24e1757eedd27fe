/**
 * The binary message that carries one video preview: a small JSON header, then RGBA pixels.
 *
 * @module
 */

/**
 * What a preview message says about its pixels.
 *
 * @example How many pixel bytes follow a header
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PreviewHeader } from "@streamlib/streamlib/web";
 *
 * const header: PreviewHeader = { output: "scale.out", width: 160, height: 90, timestampNs: 0 };
 * assert.equal(header.width * header.height * 4, 57600);
 * ```
 */
export interface PreviewHeader {
  /** The output it previews (`node.port`). */
  output: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** The frame's timestamp, on the media clock. */
  timestampNs: number;
}

/**
 * A decoded preview message.
 *
 * @example Read one pixel of a decoded preview
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePreviewFrame, type PreviewFrame } from "@streamlib/streamlib/web";
 *
 * // A 2x1 preview: u32 header length (little-endian), JSON header, RGBA pixels.
 * const json = new TextEncoder().encode(JSON.stringify({ output: "bars.video", width: 2, height: 1, timestampNs: 0 }));
 * const message = new Uint8Array(4 + json.length + 8);
 * new DataView(message.buffer).setUint32(0, json.length, true);
 * message.set(json, 4);
 * message.set([255, 0, 0, 255, 0, 0, 255, 255], 4 + json.length); // red, blue
 * const frame: PreviewFrame = decodePreviewFrame(message)!;
 * const x = 1;
 * assert.deepEqual(frame.rgba.subarray(4 * x, 4 * x + 4), new Uint8Array([0, 0, 255, 255]));
 * ```
 */
export interface PreviewFrame {
  /** The header. */
  header: PreviewHeader;
  /** `width * height * 4` bytes of RGBA. */
  rgba: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes a preview: a little-endian `u32` header length, the header as UTF-8 JSON, the pixels.
 *
 * @param header What the pixels are.
 * @param rgba `width * height * 4` bytes.
 * @returns The message.
 *
 * @example Round-trip a 1x1 preview
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePreviewFrame, encodePreviewFrame } from "./preview_frame.ts";
 *
 * const header = { output: "scale.out", width: 1, height: 1, timestampNs: 0 };
 * const message = encodePreviewFrame(header, new Uint8Array([255, 0, 0, 255]));
 * assert.equal(decodePreviewFrame(message)?.header.output, "scale.out");
 * ```
 */
export function encodePreviewFrame(
  header: PreviewHeader,
  rgba: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const json = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.byteLength + rgba.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 4);
  out.set(rgba, 4 + json.byteLength);
  return out;
}

/**
 * Decodes a preview message.
 *
 * @param message The bytes from {@linkcode encodePreviewFrame}.
 * @returns The header and pixels, or `undefined` when the message is malformed.
 *
 * @example Decode a 1x1 preview, and refuse one whose pixels are cut short
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePreviewFrame } from "@streamlib/streamlib/web";
 *
 * const header = { output: "scale.out", width: 1, height: 1, timestampNs: 5_000_000 };
 * const json = new TextEncoder().encode(JSON.stringify(header));
 * const message = new Uint8Array(4 + json.length + 4);
 * new DataView(message.buffer).setUint32(0, json.length, true);
 * message.set(json, 4);
 * message.set([255, 0, 0, 255], 4 + json.length);
 * assert.equal(decodePreviewFrame(message)?.header.timestampNs, 5000000);
 * assert.equal(decodePreviewFrame(message.subarray(0, message.length - 1)), undefined);
 * ```
 */
export function decodePreviewFrame(message: Uint8Array | ArrayBuffer): PreviewFrame | undefined {
  const bytes = message instanceof Uint8Array ? message : new Uint8Array(message);
  if (bytes.byteLength < 4) return undefined;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + length > bytes.byteLength) return undefined;
  try {
    const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as PreviewHeader;
    const rgba = bytes.subarray(4 + length);
    if (rgba.byteLength !== header.width * header.height * 4) return undefined;
    return { header, rgba };
  } catch {
    return undefined;
  }
}
