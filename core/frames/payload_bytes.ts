/**
 * The payload bytes of a frame, as memory windows count them: its samples or data, or a data
 * frame's value as JSON text.
 *
 * @module
 */

/**
 * A frame's payload bytes: the byte length of its samples (audio) or data (video, encoded), or
 * for a data frame the length of its value's JSON text; 0 for anything else, and for a value
 * `JSON.stringify` refuses.
 *
 * The one measure of a frame's size wherever unread frames are bounded in bytes (an application
 * output's `maxUnreadBytes`, a session's windows both ways), so both sides of a window agree.
 *
 * @param frame The frame (or a plain copy of one).
 * @returns Its payload bytes.
 *
 * @example A data frame counts its JSON text
 * ```ts
 * import assert from "node:assert/strict";
 * import { framePayloadBytes } from "./payload_bytes.ts";
 *
 * assert.equal(framePayloadBytes({ kind: "data", timestampNs: 0, value: { n: 1 } }), 7);
 * assert.equal(framePayloadBytes({ kind: "audio", samples: new Float32Array(4) }), 16);
 * ```
 */
export function framePayloadBytes(frame: unknown): number {
  const f = frame as { samples?: unknown; data?: unknown; value?: unknown } | null;
  if (f === null || typeof f !== "object") return 0;
  if (ArrayBuffer.isView(f.samples)) return f.samples.byteLength;
  if (ArrayBuffer.isView(f.data)) return f.data.byteLength;
  if (f.value !== undefined) {
    try {
      return JSON.stringify(f.value)?.length ?? 0;
    } catch {
      return 0; // a cycle or a BigInt: refused where the frame is encoded, not here
    }
  }
  return 0;
}
