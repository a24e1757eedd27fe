import assert from "node:assert/strict";
import { dominantFrequency } from "./fft.ts";
import { SineOscillator } from "./sine_oscillator.ts";

Deno.test("SineOscillator.fill() writes the set frequency and amplitude on every channel", () => {
  const osc = new SineOscillator({
    sampleRate: 48_000,
    frequency: 1_000,
    amplitude: 0.5,
    channels: 3,
  });
  const block = new Float32Array(4800 * 3);
  osc.fill(block);
  for (let channel = 0; channel < 3; channel++) {
    const f = dominantFrequency(block, 48_000, { channels: 3, channel });
    assert.ok(Math.abs(f - 1_000) < 0.5, `channel ${channel}: ${f} Hz`);
  }
  for (let n = 0; n < 4800; n++) {
    assert.equal(block[3 * n], block[3 * n + 1]);
    assert.equal(block[3 * n], block[3 * n + 2]);
  }
  const peak = block.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
  assert.ok(Math.abs(peak - 0.5) < 1e-3, `peak ${peak}`);
});

Deno.test("SineOscillator.fill() continues the phase across blocks and frequency changes", () => {
  const rate = 48_000;
  const osc = new SineOscillator({ sampleRate: rate, frequency: 1_000 });
  const blocks: Float32Array[] = [];
  for (const frequency of [1_000, 3_000, 250, 3_000]) {
    osc.frequency = frequency;
    const block = new Float32Array(101); // odd length: blocks end at arbitrary phases
    osc.fill(block);
    blocks.push(block);
  }
  const signal = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const block of blocks) {
    signal.set(block, offset);
    offset += block.length;
  }
  // A unit sine at f moves at most 2*pi*f/rate between samples; a phase reset would jump further.
  const maxStep = (2 * Math.PI * 3_000) / rate + 1e-6;
  for (let n = 1; n < signal.length; n++) {
    assert.ok(Math.abs(signal[n] - signal[n - 1]) <= maxStep, `jump at sample ${n}`);
  }
  // The phase after all blocks is the sum of every block's increments.
  const cycles = (101 * (1_000 + 3_000 + 250 + 3_000)) / rate;
  assert.ok(Math.abs(osc.phase - (cycles % 1)) < 1e-9);
});

Deno.test("SineOscillator.amplitude ramps over the next block instead of jumping", () => {
  const osc = new SineOscillator({ sampleRate: 8_000, frequency: 0, phase: 0.25 });
  const block = new Float32Array(4);
  osc.fill(block);
  assert.deepEqual(Array.from(block), [1, 1, 1, 1]); // 0 Hz at a quarter cycle: sin = 1
  osc.amplitude = 0;
  osc.fill(block);
  assert.deepEqual(Array.from(block), [0.75, 0.5, 0.25, 0]);
  osc.fill(block);
  assert.deepEqual(Array.from(block), [0, 0, 0, 0]);
  assert.equal(osc.amplitude, 0);
});

Deno.test("SineOscillator.reset() restarts at the given phase", () => {
  const osc = new SineOscillator({ sampleRate: 8_000, frequency: 1_000 });
  const block = new Float32Array(3);
  osc.fill(block);
  osc.reset(0.25);
  osc.fill(block);
  assert.equal(block[0], 1);
});

Deno.test("SineOscillator rejects out-of-range settings with RangeError", () => {
  assert.throws(
    () => new SineOscillator({ sampleRate: 0, frequency: 1 }),
    { name: "RangeError", message: /sampleRate must be a positive finite number, got 0/ },
  );
  assert.throws(
    () => new SineOscillator({ sampleRate: 48_000, frequency: 24_000 }),
    { name: "RangeError", message: /expected a value in \[0, 24000\) Hz, got 24000/ },
  );
  assert.throws(
    () => new SineOscillator({ sampleRate: 48_000, frequency: 1, channels: 0 }),
    RangeError,
  );
  const osc = new SineOscillator({ sampleRate: 48_000, frequency: 1 });
  assert.throws(() => (osc.amplitude = NaN), RangeError);
  assert.throws(() => osc.fill(new Float32Array(4), 5), {
    name: "RangeError",
    message: "Cannot fill sine block: 5 frames of 1 channels do not fit in 4 samples",
  });
});

/** Largest difference between `block` (mono) and `Math.sin` at the phases `phaseAt(n)`. */
function maxError(block: Float32Array, phaseAt: (n: number) => number): number {
  let worst = 0;
  for (let n = 0; n < block.length; n++) {
    worst = Math.max(worst, Math.abs(block[n] - Math.sin(2 * Math.PI * phaseAt(n))));
  }
  return worst;
}

/** Twice the most rounding a float sample in [-1, 1] carries (2^-25): the bound asserted. */
const FLOAT_ROUNDING_BOUND = 2 ** -24;

Deno.test("SineOscillator.fill() stays within a float's rounding of Math.sin over 10 s, in blocks of any size", () => {
  const rate = 48_000;
  for (const frequency of [1, 440, 997.3, 12_000, 23_999]) {
    const osc = new SineOscillator({ sampleRate: rate, frequency, phase: 0.1 });
    const increment = frequency / rate;
    let done = 0;
    let worst = 0;
    // Odd sizes, and blocks longer than the 1024-sample restart, so every boundary is crossed.
    for (const size of [1, 7, 480, 1023, 1024, 1025, 4096, 16_384]) {
      for (let repeat = 0; repeat < 40; repeat++) {
        const block = new Float32Array(size);
        osc.fill(block);
        const first = done;
        worst = Math.max(worst, maxError(block, (n) => (0.1 + (first + n) * increment) % 1));
        done += size;
      }
    }
    assert.ok(done > 10 * rate, `${done} samples`);
    assert.ok(worst <= FLOAT_ROUNDING_BOUND, `${frequency} Hz: max error ${worst}`);
    assert.ok(Math.abs(osc.phase - ((0.1 + done * increment) % 1)) < 1e-9, `${frequency} Hz phase`);
  }
});

Deno.test("SineOscillator.fill() keeps the exact phase across frequency changes", () => {
  const rate = 44_100;
  const osc = new SineOscillator({ sampleRate: rate, frequency: 440, channels: 2 });
  let phase = 0;
  let worst = 0;
  for (const frequency of [440, 660, 1_000, 50, 440, 20_000, 441]) {
    osc.frequency = frequency;
    const block = new Float32Array(2 * 1500);
    osc.fill(block);
    const left = block.filter((_, i) => i % 2 === 0);
    assert.deepEqual(left, block.filter((_, i) => i % 2 === 1), "both channels equal");
    const start = phase;
    worst = Math.max(worst, maxError(left, (n) => (start + (n * frequency) / rate) % 1));
    phase = (phase + (1500 * frequency) / rate) % 1;
  }
  assert.ok(worst <= FLOAT_ROUNDING_BOUND, `max error ${worst}`);
});

Deno.test("SineOscillator.advance() moves the phase as fill() would", () => {
  const a = new SineOscillator({ sampleRate: 48_000, frequency: 1234.5 });
  const b = new SineOscillator({ sampleRate: 48_000, frequency: 1234.5 });
  a.fill(new Float32Array(777));
  b.advance(777);
  assert.ok(Math.abs(a.phase - b.phase) < 1e-12);
  assert.throws(() => b.advance(-1), RangeError);
});
