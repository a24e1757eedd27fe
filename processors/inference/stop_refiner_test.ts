import assert from "node:assert/strict";
import { noise } from "../../tests/fixtures/speech.ts";
import { LEVEL_BLOCK, StopRefiner } from "./stop_refiner.ts";

const W = 512;

/** Records `audio` window by window from timeline position 0 up to 23 W, the decision. */
function recorded(audio: Float32Array, lookback: number): StopRefiner {
  const refiner = new StopRefiner({ lookback, silence: 9 * W, marginDb: 3 });
  for (let at = 0; at < 23 * W; at += W) refiner.record(audio.subarray(at, at + W), at);
  return refiner;
}

/** Loud noise (peak 0.3) until `end`, then quiet noise (peak 0.03). */
function speechThenNoise(length: number, end: number): Float32Array {
  const loud = noise(length, 0.3, 1);
  const quiet = noise(length, 0.03, 2);
  return loud.map((v, i) => i < end ? v : quiet[i]);
}

Deno.test("StopRefiner.refine() moves a late stop back to where the level fell", () => {
  const audio = speechThenNoise(40 * W, 10 * W + 100);
  const refiner = recorded(audio, 8 * W);
  // The model's probability fell 5 windows late; the decision came 8 windows later.
  assert.equal(refiner.refine(0, 15 * W, 23 * W), 10 * W + LEVEL_BLOCK);
});

Deno.test("StopRefiner.refine() keeps the stop when speech ended before the lookback", () => {
  const audio = speechThenNoise(40 * W, 5 * W);
  assert.equal(recorded(audio, 4 * W).refine(0, 15 * W, 23 * W), 15 * W);
});

Deno.test("StopRefiner.refine() keeps the stop when the closing silence is as loud as the speech", () => {
  const audio = speechThenNoise(40 * W, 10 * W);
  audio.set(noise(W, 0.3, 3), 18 * W); // a loud transient inside the closing silence
  assert.equal(recorded(audio, 8 * W).refine(0, 15 * W, 23 * W), 15 * W);
});

Deno.test("StopRefiner.refine() never goes before the segment's first speech", () => {
  const audio = speechThenNoise(40 * W, 10 * W);
  assert.equal(recorded(audio, 8 * W).refine(12 * W, 15 * W, 23 * W), 15 * W);
  audio.set(noise(LEVEL_BLOCK, 0.3, 4), 12 * W);
  assert.equal(recorded(audio, 8 * W).refine(12 * W + 5, 15 * W, 23 * W), 12 * W + LEVEL_BLOCK);
});

Deno.test("StopRefiner.refine() counts digital silence as -70 dBFS", () => {
  const audio = new Float32Array(40 * W);
  audio.set(noise(10 * W, 0.3, 1));
  audio.set(noise(2 * W, 1e-4, 5), 10 * W); // a -84 dBFS tail: not speech
  assert.equal(recorded(audio, 8 * W).refine(0, 15 * W, 23 * W), 10 * W);
});

Deno.test("StopRefiner.refine() with no lookback keeps the model's stop", () => {
  const audio = speechThenNoise(40 * W, 10 * W);
  assert.equal(recorded(audio, 0).refine(0, 15 * W, 23 * W), 15 * W);
});
