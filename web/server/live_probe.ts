/**
 * The probe transform of the dashboard's live view of encoded outputs: it runs in the isolate
 * that owns the output (a Worker's too) and copies each H.264 access unit out of its frame, so
 * the main isolate can hand it to the live view's WebRTC endpoint.
 *
 * @module
 */

/** One access unit as the live view sends it. */
export interface LiveAccessUnit {
  /** Annex B bytes (a copy). */
  readonly data: Uint8Array<ArrayBuffer>;
  /** Whether it decodes on its own (IDR with SPS and PPS). */
  readonly keyframe: boolean;
  /** Presentation time, ns. */
  readonly timestampNs: number;
}

/**
 * Copies an H.264 access unit out of an encoded video frame.
 *
 * @param frame The sampled frame (valid during the call only).
 * @returns The copy, or `null` for any other frame (another codec, or not encoded video).
 *
 * @example An access unit and a raw frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { liveAccessUnit } from "./live_probe.ts";
 *
 * const data = new Uint8Array([0, 0, 0, 1, 0x65]);
 * const unit = liveAccessUnit({ kind: "encoded-video", codec: "h264", keyframe: true, timestampNs: 7, data });
 * assert.deepEqual(unit && [...unit.data], [0, 0, 0, 1, 0x65]);
 * assert.notEqual(unit?.data, data); // a copy
 * assert.equal(liveAccessUnit({ kind: "video" }), null);
 * ```
 */
export function liveAccessUnit(frame: {
  kind: string;
  codec?: string;
  keyframe?: boolean;
  timestampNs?: number;
  data?: Uint8Array;
}): LiveAccessUnit | null {
  if (frame.kind !== "encoded-video" || frame.codec !== "h264" || !frame.data) return null;
  return {
    data: frame.data.slice(),
    keyframe: frame.keyframe === true,
    timestampNs: frame.timestampNs ?? 0,
  };
}
