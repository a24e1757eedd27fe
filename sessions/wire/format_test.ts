import assert from "node:assert/strict";
import { VIDEO_CODECS } from "../../core/frames/encoded_video_frame.ts";
import { PIXEL_FORMATS } from "../../core/frames/video_frame.ts";
import {
  MESSAGE_TYPE_CODES,
  PIXEL_FORMAT_CODES,
  VERSION_2_TYPE_CODES,
  VIDEO_CODEC_CODES,
} from "./format.ts";

Deno.test("PIXEL_FORMAT_CODES and VIDEO_CODEC_CODES cover the runtime's formats and codecs", () => {
  // A format or codec the runtime adds needs a code, and so a new wire version
  // (docs/wire_format.md#versioning): this fails until one is made.
  assert.deepEqual([...PIXEL_FORMAT_CODES].sort(), [...PIXEL_FORMATS].sort());
  assert.deepEqual([...VIDEO_CODEC_CODES].sort(), [...VIDEO_CODECS].sort());
});

Deno.test("MESSAGE_TYPE_CODES: 1 to 10, each once, 9 and 10 past version 2's", () => {
  const codes = Object.values(MESSAGE_TYPE_CODES).sort((a, b) => a - b);
  assert.deepEqual(codes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(VERSION_2_TYPE_CODES, 8);
  assert.deepEqual([MESSAGE_TYPE_CODES.configure, MESSAGE_TYPE_CODES.configured], [9, 10]);
});
