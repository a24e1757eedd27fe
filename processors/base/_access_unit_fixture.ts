/**
 * A tiny H.264 access unit for the network sinks' tests.
 *
 * @module
 */

import type { EncodedVideoFrame } from "../../mod.ts";

/**
 * Access unit `i`: an IDR slice NAL unit of six bytes, stamped `i` ms.
 *
 * @param i Its frame number.
 * @returns The frame.
 */
export function accessUnit(i: number): EncodedVideoFrame {
  return {
    kind: "encoded-video",
    codec: "h264",
    data: new Uint8Array([0, 0, 0, 1, 0x65, i]),
    keyframe: true,
    timestampNs: i * 1e6,
    frameNumber: i,
  };
}
