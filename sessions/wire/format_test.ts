import assert from "node:assert/strict";
import { VIDEO_CODECS } from "../../core/frames/encoded_video_frame.ts";
import { PIXEL_FORMATS } from "../../core/frames/video_frame.ts";
import { MESSAGE_TYPE_CODES, PIXEL_FORMAT_CODES, VIDEO_CODEC_CODES } from "./format.ts";

Deno.test("PIXEL_FORMAT_CODES and VIDEO_CODEC_CODES cover the runtime's formats and codecs", () => {
  // A format or codec the runtime adds needs a code, and so a new wire version
  // (docs/wire_format.md#versioning): this fails until one is made.
  assert.deepEqual([...PIXEL_FORMAT_CODES].sort(), [...PIXEL_FORMATS].sort());
  assert.deepEqual([...VIDEO_CODEC_CODES].sort(), [...VIDEO_CODECS].sort());
});

Deno.test("MESSAGE_TYPE_CODES: 1 to 8, each once", () => {
  assert.deepEqual(Object.values(MESSAGE_TYPE_CODES).sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
});
