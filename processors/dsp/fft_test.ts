import assert from "node:assert/strict";
import { dominantFrequency, RealFft } from "./fft.ts";

function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    for (let t = 0; t < n; t++) {
      re[k] += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      im[k] -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
  }
  return { re, im };
}

Deno.test("RealFft.forward() matches a direct DFT", () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (const size of [2, 4, 8, 64, 256]) {
    const x = new Float64Array(size).map(random);
    const re = new Float64Array(size / 2 + 1);
    const im = new Float64Array(size / 2 + 1);
    new RealFft(size).forward(x, re, im);
    const expected = naiveDft(x);
    for (let k = 0; k <= size / 2; k++) {
      assert.ok(Math.abs(re[k] - expected.re[k]) < 1e-9, `size ${size} re[${k}]`);
      assert.ok(Math.abs(im[k] - expected.im[k]) < 1e-9, `size ${size} im[${k}]`);
    }
  }
});

Deno.test("RealFft rejects sizes that are not powers of two and short buffers", () => {
  for (const size of [0, 1, 3, 100, 2.5]) {
    assert.throws(() => new RealFft(size), {
      name: "RangeError",
      message: `Cannot create a real FFT: size must be a power of two from 2 to 2^30, got ${size}`,
    });
  }
  const fft = new RealFft(8);
  assert.throws(
    () => fft.forward(new Float64Array(8), new Float64Array(4), new Float64Array(5)),
    RangeError,
  );
});

Deno.test("dominantFrequency() finds tones between bins to a fraction of a hertz", () => {
  const rate = 44_100;
  for (const frequency of [50, 440, 997.3, 1_000, 12_345.6]) {
    const x = new Float32Array(rate / 2).map((_, n) =>
      0.3 * Math.sin((2 * Math.PI * frequency * n) / rate + 0.4) + 0.2 // with a DC offset
    );
    const found = dominantFrequency(x, rate);
    assert.ok(Math.abs(found - frequency) < 0.1, `${frequency} Hz measured as ${found} Hz`);
  }
});

Deno.test("dominantFrequency() analyses one channel of interleaved samples", () => {
  const rate = 48_000;
  const x = new Float32Array(2 * 9_600);
  for (let n = 0; n < 9_600; n++) {
    x[2 * n] = Math.sin((2 * Math.PI * 440 * n) / rate);
    x[2 * n + 1] = 0.1 * Math.sin((2 * Math.PI * 1_500 * n) / rate);
  }
  assert.ok(Math.abs(dominantFrequency(x, rate, { channels: 2 }) - 440) < 0.2);
  assert.ok(Math.abs(dominantFrequency(x, rate, { channels: 2, channel: 1 }) - 1_500) < 0.2);
});

Deno.test("dominantFrequency() rejects silence, short signals and bad channels", () => {
  assert.throws(() => dominantFrequency(new Float32Array(1024).fill(0.5), 48_000), {
    name: "RangeError",
    message: "Cannot find a dominant frequency: the signal is silent",
  });
  assert.throws(() => dominantFrequency(new Float32Array(3), 48_000), RangeError);
  assert.throws(
    () => dominantFrequency(new Float32Array(64), 48_000, { channels: 2, channel: 2 }),
    {
      name: "RangeError",
      message: "Cannot find a dominant frequency: channel 2 does not exist, expected 0 to 1",
    },
  );
});
