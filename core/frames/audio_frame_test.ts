import assert from "node:assert/strict";
import { createAudioFrame } from "./audio_frame.ts";
import { InvalidFrameShapeError } from "./memory.ts";

Deno.test("createAudioFrame() allocates interleaved samples and rejects bad counts", () => {
  const frame = createAudioFrame(2, 48_000, 10);
  assert.equal(frame.samples.length, 20);
  assert.equal(frame.kind, "audio");
  assert.throws(() => createAudioFrame(0, 48_000, 10), /channels must be a positive integer/);
  assert.throws(() => createAudioFrame(1, 48_000, 2.5), RangeError);
});

Deno.test("createAudioFrame() refuses bad counts and rates with InvalidFrameShapeError", () => {
  for (
    const [args, field] of [
      [[0, 48_000, 10], "channels"],
      [[1, 48_000, 2.5], "frameCount"],
      [[1, 0, 10], "sampleRate"],
      [[1, NaN, 10], "sampleRate"],
      [[1, Infinity, 10], "sampleRate"],
    ] as const
  ) {
    assert.throws(
      () => createAudioFrame(...(args as unknown as [number, number, number])),
      (e) =>
        e instanceof InvalidFrameShapeError && e.code === "invalid_frame_shape" &&
        e.field === field,
    );
  }
});
