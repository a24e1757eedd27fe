import assert from "node:assert/strict";
import { createAudioFrame } from "../../core/frames/audio_frame.ts";
import { HeldAudio } from "./held_audio.ts";

function block(first: number, frames: number, channels: number) {
  const frame = createAudioFrame(channels, 48_000, frames);
  for (let i = 0; i < frames * channels; i++) frame.samples[i] = first * channels + i;
  return frame;
}

Deno.test("HeldAudio keeps every held block's samples while the ring wraps and grows", () => {
  const held = new HeldAudio();
  held.reset(2);
  let pushed = 0;
  // Hold up to 40 blocks of odd sizes, letting the oldest go now and then.
  for (let n = 0; n < 300; n++) {
    const frames = 37 + (n % 5) * 101;
    held.push(block(pushed, frames, 2), pushed, pushed + frames);
    pushed += frames;
    if (held.length > (n % 40)) held.shift();
    for (const b of held.blocks) {
      const out = new Float32Array(b.frameCount * 2);
      held.copy(b, 0, b.frameCount, out);
      assert.equal(out[0], b.start * 2);
      assert.equal(out[out.length - 1], (b.end * 2) - 1);
    }
  }
});

Deno.test("HeldAudio.reset() lets every block go and takes a new channel count", () => {
  const held = new HeldAudio();
  held.reset(1);
  held.push(block(0, 10, 1), 0, 10);
  held.reset(3);
  assert.equal(held.length, 0);
  assert.equal(held.oldest, undefined);
  held.push(block(0, 4, 3), 0, 4);
  const out = new Float32Array(3);
  held.copy(held.oldest!, 2, 3, out);
  assert.deepEqual([...out], [6, 7, 8]);
});
