import assert from "node:assert/strict";
import { createAudioFrame } from "../../core/frames/audio_frame.ts";
import type { EncodedVideoFrame } from "../../core/frames/encoded_video_frame.ts";
import { PIXEL_FORMATS, type VideoFrame } from "../../core/frames/video_frame.ts";
import {
  formatTag,
  FRAME_HEADER_BYTES,
  FRAME_HEADER_MAGIC,
  slotBytesFor,
  tagKind,
  tagValue,
  VIDEO_CODECS,
  videoSlotBytes,
} from "./frame_format.ts";

function video(format: string): VideoFrame {
  return {
    kind: "video",
    width: 1,
    height: 1,
    format,
    stride: 4,
    timestampNs: 0,
    frameNumber: 0,
    data: new Uint8Array(4),
  } as VideoFrame;
}

Deno.test("formatTag() gives the tags of the table in docs/cross_isolate.md", () => {
  assert.deepEqual(PIXEL_FORMATS.map((f) => formatTag(video(f))), [
    0x0100_0000,
    0x0100_0001,
    0x0100_0002,
    0x0100_0003,
  ]);
  assert.equal(formatTag(createAudioFrame(1, 8000, 1)), 0x0200_0001);
  assert.equal(formatTag(createAudioFrame(8, 8000, 1)), 0x0200_0008);
  const encoded = (codec: string) => ({ kind: "encoded-video", codec } as EncodedVideoFrame);
  assert.deepEqual(
    VIDEO_CODECS.map((c) => formatTag(encoded(c))),
    [0x0300_0000, 0x0300_0001, 0x0300_0002, 0x0300_0003, 0x0300_0004],
  );
  assert.equal(formatTag({ kind: "data", timestampNs: 0, value: null }), 0x0400_0000);
});

Deno.test("formatTag() returns -1 for what has no tag", () => {
  assert.equal(formatTag(video("RGB")), -1);
  assert.equal(formatTag({ ...createAudioFrame(1, 8000, 1), channels: 70_000 }), -1);
  assert.equal(
    formatTag({ kind: "encoded-video", codec: "mpeg2" } as unknown as EncodedVideoFrame),
    -1,
  );
});

Deno.test("tagKind() and tagValue() split a tag; the header is 64 bytes with an ASCII magic", () => {
  assert.equal(tagKind(0x0300_0004), 3);
  assert.equal(tagValue(0x0200_ffff), 0xffff);
  assert.equal(FRAME_HEADER_BYTES % 64, 0, "payloads stay 64-byte aligned");
  const magic = new Uint8Array(new Uint32Array([FRAME_HEADER_MAGIC]).buffer);
  assert.equal(new TextDecoder().decode(magic), "SLFR");
  assert.equal(slotBytesFor(0), 64);
  assert.equal(videoSlotBytes("NV12", 4, 4), 64 + 24);
});
