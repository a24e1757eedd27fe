import assert from "node:assert/strict";
import { InvalidArgumentError, InvalidHandleError } from "../native/errors.ts";
import { Resampler, RESAMPLER_QUALITIES } from "./resampler.ts";
import { ResamplerChannelsError, ResamplerRateError } from "./resampler_errors.ts";

function tone(frames: number, channels: number, rate: number, hz: number, start = 0): Float32Array {
  const out = new Float32Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const v = 0.5 * Math.sin((2 * Math.PI * hz * (start + i)) / rate);
    for (let c = 0; c < channels; c++) out[i * channels + c] = v * (c + 1) / channels;
  }
  return out;
}

Deno.test("Resampler.process() counts without drift over a long run of odd block sizes", () => {
  for (
    const [from, to] of [[44_100, 48_000], [48_000, 16_000], [8_000, 44_100], [48_000, 47_999]]
  ) {
    using resampler = Resampler.create({
      inputRate: from,
      outputRate: to,
      channels: 2,
      quality: "fast",
    });
    const sizes = [1, 480, 37, 1024, 4097, 9000, 3];
    let input = 0;
    let output = 0;
    // Ten minutes of audio, in blocks of the sizes above; only the counts are checked.
    const block = new Float32Array(9000 * 2);
    for (let i = 0; input < from * 600; i++) {
      const n = sizes[i % sizes.length];
      output += resampler.process(block.subarray(0, n * 2)).length / 2;
      input += n;
    }
    const expected = Math.round(input * to / from);
    assert.ok(Math.abs(output - expected) <= 1, `${from}->${to}: ${output} vs ${expected}`);
    assert.deepEqual(resampler.stats(), {
      inputFrames: input,
      outputFrames: output,
      nonFiniteSamples: 0,
    });
  }
});

Deno.test("Resampler.process() keeps a tone's level and frequency at every quality, 1 to 8 channels", () => {
  for (const quality of RESAMPLER_QUALITIES) {
    for (const channels of [1, 2, 6, 8]) {
      using resampler = Resampler.create({
        inputRate: 48_000,
        outputRate: 44_100,
        channels,
        quality,
      });
      const out = Array.from(resampler.process(tone(48_000, channels, 48_000, 1_000)));
      const last = channels - 1; // its level is 0.5 * channels / channels
      const skip = resampler.latencyFrames + 2_000;
      let energy = 0;
      let crossings = 0;
      for (let i = skip; i < out.length / channels; i++) {
        const v = out[i * channels + last];
        energy += v * v;
        if (i > skip && Math.sign(v) !== Math.sign(out[(i - 1) * channels + last])) crossings++;
      }
      const frames = out.length / channels - skip;
      const rms = Math.sqrt(energy / frames);
      assert.ok(Math.abs(rms - 0.5 / Math.SQRT2) < 0.005, `${quality} x${channels}: rms ${rms}`);
      // 1 kHz: two crossings per cycle at 44.1 kHz.
      const hz = crossings / 2 / (frames / 44_100);
      assert.ok(Math.abs(hz - 1_000) < 2, `${quality} x${channels}: ${hz} Hz`);
    }
  }
});

Deno.test("Resampler.process() takes NaN and infinities as silence and counts them", () => {
  using resampler = Resampler.create({
    inputRate: 48_000,
    outputRate: 16_000,
    channels: 1,
    quality: "fast",
  });
  const bad = new Float32Array(4_800).fill(Number.NaN);
  bad[7] = Infinity;
  const out = resampler.process(bad);
  assert.equal(out.length, 1_600);
  assert.ok(out.every((v) => v === 0));
  // The caller's block is not written: the resampler converts a copy.
  assert.ok(Number.isNaN(bad[0]));
  // The filter's history is clean: a tone after the NaNs comes out finite and at its level.
  const after = resampler.process(tone(4_800, 1, 48_000, 500));
  assert.ok(after.every(Number.isFinite));
  assert.ok(Math.max(...after) > 0.45);
  assert.equal(resampler.stats().nonFiniteSamples, 4_800);
});

Deno.test("Resampler.process() takes empty blocks and refuses partial frames", () => {
  using resampler = Resampler.create({ inputRate: 48_000, outputRate: 44_100, channels: 2 });
  assert.equal(resampler.process(new Float32Array(0)).length, 0);
  assert.throws(() => resampler.process(new Float32Array(3)), InvalidArgumentError);
  assert.equal(resampler.stats().inputFrames, 0);
});

Deno.test("Resampler.reset() starts a new stream: the same input gives the same output", () => {
  using resampler = Resampler.create({ inputRate: 22_050, outputRate: 48_000, channels: 1 });
  const input = tone(2_205, 1, 22_050, 440);
  const first = resampler.process(input).slice();
  resampler.process(input);
  resampler.reset();
  assert.deepEqual(resampler.process(input), first);
  assert.equal(resampler.stats().inputFrames, 2_205);
});

Deno.test("Resampler.create() refuses bad rates, channel counts and qualities with codes", () => {
  for (const rate of [0, 999, 768_001, 44_100.5, Number.NaN, -48_000]) {
    assert.throws(
      () => Resampler.create({ inputRate: rate, outputRate: 48_000, channels: 1 }),
      (e) => e instanceof ResamplerRateError && e.code === "resampler_rate_out_of_range",
    );
    assert.throws(
      () => Resampler.create({ inputRate: 48_000, outputRate: rate, channels: 1 }),
      (e) => e instanceof ResamplerRateError && e.which === "output",
    );
  }
  for (const channels of [0, 9, 1.5]) {
    assert.throws(
      () => Resampler.create({ inputRate: 48_000, outputRate: 16_000, channels }),
      (e) => e instanceof ResamplerChannelsError && e.code === "resampler_too_many_channels",
    );
  }
  assert.throws(
    () =>
      Resampler.create({
        inputRate: 48_000,
        outputRate: 16_000,
        channels: 1,
        quality: "ultra" as unknown as "best",
      }),
    InvalidArgumentError,
  );
});

Deno.test("Resampler.close() is idempotent and a closed resampler refuses work", () => {
  const resampler = Resampler.create({ inputRate: 48_000, outputRate: 16_000, channels: 1 });
  resampler.close();
  resampler.close();
  assert.throws(() => resampler.process(new Float32Array(48)), InvalidHandleError);
  assert.throws(() => resampler.stats(), InvalidHandleError);
});
