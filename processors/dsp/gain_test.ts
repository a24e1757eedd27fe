import assert from "node:assert/strict";
import { applyGain, applyGainRamp, decibelsToGain, gainToDecibels } from "./gain.ts";

Deno.test("applyGain() scales in place and clips only when asked", () => {
  const block = new Float32Array([0.5, -0.75, 0.25]);
  applyGain(block, 2);
  assert.deepEqual(Array.from(block), [1, -1.5, 0.5]);
  applyGain(block, 1, true);
  assert.deepEqual(Array.from(block), [1, -1, 0.5]);
  applyGain(block, 0, false, 1);
  assert.deepEqual(Array.from(block), [0, -1, 0.5]);
});

Deno.test("applyGainRamp() ramps per frame across channels and ends at the target", () => {
  const block = new Float32Array(8).fill(1);
  applyGainRamp(block, 2, 1, 0);
  assert.deepEqual(Array.from(block), [0.75, 0.75, 0.5, 0.5, 0.25, 0.25, 0, 0]);
  const loud = new Float32Array([1, 1]);
  applyGainRamp(loud, 1, 2, 4, true);
  assert.deepEqual(Array.from(loud), [1, 1]);
  assert.throws(() => applyGainRamp(block, 0, 1, 1), RangeError);
});

Deno.test("decibelsToGain() and gainToDecibels() are inverses", () => {
  assert.equal(decibelsToGain(0), 1);
  assert.equal(decibelsToGain(-Infinity), 0);
  assert.equal(gainToDecibels(0), -Infinity);
  for (const db of [-60, -6, 0, 3, 12]) {
    assert.ok(Math.abs(gainToDecibels(decibelsToGain(db)) - db) < 1e-12);
  }
});
