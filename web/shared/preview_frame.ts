/**
 * The binary message that carries one video preview: a small JSON header, then RGBA pixels.
 *
 * @module
 */

/** What a preview message says about its pixels. */
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

/** A decoded preview message. */
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
 * import { decodePreviewFrame, encodePreviewFrame } from "./preview_frame.ts";
 *
 * const header = { output: "scale.out", width: 1, height: 1, timestampNs: 0 };
 * const message = encodePreviewFrame(header, new Uint8Array([255, 0, 0, 255]));
 * console.log(decodePreviewFrame(message)?.header.output); // scale.out
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
