import assert from "node:assert/strict";
import { videoFrameByteLength } from "./video_frame.ts";

Deno.test("videoFrameByteLength() sizes packed and planar formats", () => {
  assert.equal(videoFrameByteLength("RGBA", 1920, 1080), 1920 * 1080 * 4);
  assert.equal(videoFrameByteLength("BGRA", 2, 2), 16);
  assert.equal(videoFrameByteLength("NV12", 1920, 1080), 1920 * 1080 * 3 / 2);
  assert.equal(videoFrameByteLength("I420", 3, 3), 9 + 2 * 4);
});
