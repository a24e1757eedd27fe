import assert from "node:assert/strict";
import { Freeverb } from "../../processors/dsp/freeverb.ts";
import { InvalidArgumentError, InvalidHandleError } from "../native/errors.ts";
import { NativeFreeverb } from "./native_freeverb.ts";

/** Pink-ish noise from a fixed seed, interleaved stereo. */
function noise(frames: number, seed: number): Float32Array {
  const out = new Float32Array(2 * frames);
  let state = seed >>> 0;
  let low = 0;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    low = 0.9 * low + 0.1 * (state / 2 ** 32 - 0.5);
    out[i] = low * 3;
  }
  return out;
}

Deno.test("NativeFreeverb.process() gives the TypeScript Freeverb's output bit for bit", () => {
  for (const sampleRate of [48_000, 44_100, 16_000]) {
    const settings = { roomSize: 0.8, damping: 0.3, wet: 0.4, dry: 0.6, width: 0.7 };
    const ts = new Freeverb({ sampleRate, ...settings });
    using native = NativeFreeverb.create({ sampleRate, ...settings });
    // Block sizes across the chunk and delay-line boundaries, parameters changed on the way,
    // then frozen, then reset.
    const steps: [number, (r: Freeverb | NativeFreeverb) => void][] = [
      [4800, () => {}],
      [1, () => {}],
      [255, (r) => (r.roomSize = 0.2)],
      [2049, (r) => (r.damping = 1)],
      [777, (r) => (r.width = 0)],
      [4800, (r) => (r.frozen = true)],
      [300, (r) => (r.frozen = false)],
      [1000, (r) => r.reset()],
    ];
    for (const [i, [frames, change]] of steps.entries()) {
      change(ts);
      change(native);
      const want = noise(frames, sampleRate + i);
      const got = want.slice();
      ts.process(want);
      native.process(got);
      assert.deepEqual(
        new Uint32Array(got.buffer),
        new Uint32Array(want.buffer),
        `${sampleRate} Hz, step ${i}`,
      );
    }
  }
});

Deno.test("NativeFreeverb.process() works on part of a block and leaves the rest", () => {
  using native = NativeFreeverb.create({ sampleRate: 48_000, wet: 0, dry: 0.5 });
  const block = new Float32Array([1, 1, 1, 1, 1, 1]);
  native.process(block, 2);
  assert.deepEqual([...block], [0.5, 0.5, 0.5, 0.5, 1, 1]);
});

Deno.test("NativeFreeverb refuses bad rates, parameters and frame counts, and calls once closed", () => {
  assert.throws(() => NativeFreeverb.create({ sampleRate: 999 }), InvalidArgumentError);
  assert.throws(() => NativeFreeverb.create({ sampleRate: 48_000.5 }), InvalidArgumentError);
  assert.throws(
    () => NativeFreeverb.create({ sampleRate: 48_000, wet: 1.5 }),
    InvalidArgumentError,
  );
  const native = NativeFreeverb.create({ sampleRate: 48_000 });
  assert.throws(() => (native.damping = Number.NaN), InvalidArgumentError);
  assert.equal(native.damping, 0.5);
  assert.throws(() => native.process(new Float32Array(4), 3), InvalidArgumentError);
  native.close();
  native.close();
  assert.throws(() => native.process(new Float32Array(4)), InvalidHandleError);
});
