import assert from "node:assert/strict";
import { createAudioFrame } from "./audio_frame.ts";

Deno.test("createAudioFrame() allocates interleaved samples and rejects bad counts", () => {
  const frame = createAudioFrame(2, 48_000, 10);
  assert.equal(frame.samples.length, 20);
  assert.equal(frame.kind, "audio");
  assert.throws(() => createAudioFrame(0, 48_000, 10), /channels must be a positive integer/);
  assert.throws(() => createAudioFrame(1, 48_000, 2.5), RangeError);
});
