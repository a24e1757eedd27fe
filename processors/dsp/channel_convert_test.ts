import assert from "node:assert/strict";
import { convertChannels } from "./channel_convert.ts";

Deno.test("convertChannels() averages stereo to mono and duplicates mono to stereo", () => {
  const mono = new Float32Array(3);
  convertChannels(new Float32Array([1, 0, 0.5, 0.25, -1, 1]), 2, mono, 1);
  assert.deepEqual(Array.from(mono), [0.5, 0.375, 0]);
  const stereo = new Float32Array(6);
  convertChannels(mono, 1, stereo, 2);
  assert.deepEqual(Array.from(stereo), [0.5, 0.5, 0.375, 0.375, 0, 0]);
});

Deno.test("convertChannels() downmixes N to M by averaging channels i % M", () => {
  // One 6-channel frame: L R C LFE Ls Rs.
  const frame = new Float32Array([0.3, 0.6, 0.9, 0, 0.6, 0.3]);
  const stereo = new Float32Array(2);
  convertChannels(frame, 6, stereo, 2);
  assert.ok(Math.abs(stereo[0] - 0.6) < 1e-7); // (L + C + Ls) / 3
  assert.ok(Math.abs(stereo[1] - 0.3) < 1e-7); // (R + LFE + Rs) / 3
  const mono = new Float32Array(1);
  convertChannels(frame, 6, mono, 1);
  assert.ok(Math.abs(mono[0] - 0.45) < 1e-7);
  const four = new Float32Array(4);
  convertChannels(frame, 6, four, 4);
  assert.deepEqual(Array.from(four, (x) => Number(x.toFixed(6))), [0.45, 0.45, 0.9, 0]);
});

Deno.test("convertChannels() upmixes by repeating the input channels", () => {
  const out = new Float32Array(5);
  convertChannels(new Float32Array([1, 2]), 2, out, 5);
  assert.deepEqual(Array.from(out), [1, 2, 1, 2, 1]);
});

Deno.test("convertChannels() copies equal layouts and honours frames", () => {
  const out = new Float32Array(4);
  convertChannels(new Float32Array([1, 2, 3, 4]), 2, out, 2, 1);
  assert.deepEqual(Array.from(out), [1, 2, 0, 0]);
  convertChannels(new Float32Array([1, 2, 3, 4]), 2, out, 2);
  assert.deepEqual(Array.from(out), [1, 2, 3, 4]);
});

Deno.test("convertChannels() rejects bad channel counts and frames that do not fit", () => {
  assert.throws(() => convertChannels(new Float32Array(2), 0, new Float32Array(2), 1), {
    name: "RangeError",
    message: "Cannot convert channels: inChannels must be a positive integer, got 0",
  });
  assert.throws(() => convertChannels(new Float32Array(4), 2, new Float32Array(2), 1, 3), {
    name: "RangeError",
    message: "Cannot convert 3 frames from 2 to 1 channels: at most 2 fit in the buffers",
  });
});
