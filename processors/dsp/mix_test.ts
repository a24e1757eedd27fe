import assert from "node:assert/strict";
import { mix } from "./mix.ts";

Deno.test("mix() sums inputs with per-input gains", () => {
  const a = new Float32Array([1, 2, 3, 4]);
  const b = new Float32Array([10, 20, 30, 40]);
  const c = new Float32Array([100, 200, 300, 400]);
  const out = new Float32Array(4);
  mix([a, b, c], [1, 0.5, 0], out);
  assert.deepEqual(Array.from(out), [6, 12, 18, 24]);
  mix([a, b], undefined, out);
  assert.deepEqual(Array.from(out), [11, 22, 33, 44]);
  mix([a, b], [2], out); // a missing gain counts as 1
  assert.deepEqual(Array.from(out), [12, 24, 36, 48]);
});

Deno.test("mix() mixes only `length` samples and silences with no inputs", () => {
  const out = new Float32Array([9, 9, 9, 9]);
  mix([new Float32Array([1, 1])], [1], out, 2);
  assert.deepEqual(Array.from(out), [1, 1, 9, 9]);
  mix([], [], out);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0]);
});

Deno.test("mix() may write into its first input", () => {
  const a = new Float32Array([1, 2]);
  mix([a, new Float32Array([1, 1])], [3, 1], a);
  assert.deepEqual(Array.from(a), [4, 7]);
});

Deno.test("mix() rejects short inputs and aliasing of later inputs", () => {
  const out = new Float32Array(4);
  assert.throws(() => mix([new Float32Array(4), new Float32Array(2)], [], out), {
    name: "RangeError",
    message: "Cannot mix 4 samples: input 1 has only 2",
  });
  assert.throws(() => mix([new Float32Array(4), out], [], out), RangeError);
  assert.throws(() => mix([], [], out, 5), RangeError);
});
