import assert from "node:assert/strict";
import { AllpassFilter } from "./allpass_filter.ts";
import { CombFilter } from "./comb_filter.ts";
import {
  Freeverb,
  FREEVERB_ALLPASS_TUNINGS,
  FREEVERB_COMB_TUNINGS,
  FREEVERB_STEREO_SPREAD,
} from "./freeverb.ts";

const RATE = 44_100;

/** Runs a stereo impulse (on the left only) through `reverb` and returns `seconds` of output. */
function impulseResponse(reverb: Freeverb, seconds: number): Float32Array {
  const frames = Math.round(seconds * reverb.sampleRate);
  const block = new Float32Array(2 * frames);
  block[0] = 1;
  const blockFrames = 512;
  for (let start = 0; start < frames; start += blockFrames) {
    const n = Math.min(blockFrames, frames - start);
    const view = block.subarray(2 * start, 2 * (start + n));
    reverb.process(view);
  }
  return block;
}

function energy(samples: Float32Array, fromSecond: number, toSecond: number, rate = RATE): number {
  let sum = 0;
  for (let i = 2 * Math.round(fromSecond * rate); i < 2 * Math.round(toSecond * rate); i++) {
    sum += samples[i] * samples[i];
  }
  return sum;
}

Deno.test("Freeverb.process() turns an impulse into a decaying tail", () => {
  const response = impulseResponse(new Freeverb({ sampleRate: RATE, roomSize: 0.7 }), 3);
  const windows = [0.1, 0.3, 0.6, 1.0, 1.5, 2.0, 2.5].map((t) => energy(response, t, t + 0.1));
  for (let i = 1; i < windows.length; i++) {
    assert.ok(windows[i] < windows[i - 1], `window ${i} (${windows[i]}) >= window ${i - 1}`);
  }
  assert.ok(windows.at(-1)! > 1e-12, "the tail is still audible 2.5 s after the impulse");
  assert.ok(response.every(Number.isFinite));
});

Deno.test("Freeverb.process() with wet 0 and dry 1 is the identity", () => {
  const reverb = new Freeverb({ sampleRate: 48_000, wet: 0, dry: 1 });
  const input = new Float32Array(2 * 4096).map((_, i) => Math.sin(i * 0.01) * 0.8);
  const output = new Float32Array(input.length);
  reverb.process(input, output);
  reverb.process(input, output); // with a tail already in the delay lines
  assert.deepEqual(output, input);
});

Deno.test("Freeverb.width sets how different the two tails are", () => {
  const mono = impulseResponse(new Freeverb({ sampleRate: RATE, width: 0 }), 0.5);
  for (let i = 0; i < mono.length; i += 2) assert.equal(mono[i], mono[i + 1]);

  const wide = impulseResponse(new Freeverb({ sampleRate: RATE, width: 1 }), 0.5);
  let lr = 0;
  let ll = 0;
  let rr = 0;
  for (let i = 0; i < wide.length; i += 2) {
    lr += wide[i] * wide[i + 1];
    ll += wide[i] * wide[i];
    rr += wide[i + 1] * wide[i + 1];
  }
  const correlation = lr / Math.sqrt(ll * rr);
  assert.ok(Math.abs(correlation) < 0.5, `left/right correlation ${correlation}`);
});

Deno.test("Freeverb scales its delays with the sample rate", () => {
  for (const rate of [44_100, 88_200]) {
    const response = impulseResponse(new Freeverb({ sampleRate: rate }), 0.1);
    const first = response.findIndex((x) => x !== 0) >> 1;
    // The shortest comb is 1116 samples at 44.1 kHz.
    assert.equal(first, Math.round((1116 * rate) / 44_100));
  }
});

Deno.test("Freeverb.frozen sustains the tail and reset() silences it", () => {
  const half = 2 * (RATE / 2);
  const run = (frozen: boolean) => {
    const reverb = new Freeverb({ sampleRate: RATE });
    const block = new Float32Array(half);
    block[0] = 1;
    reverb.process(block);
    reverb.frozen = frozen;
    const before = new Float32Array(half);
    reverb.process(before);
    for (let i = 0; i < 4; i++) reverb.process(new Float32Array(half).fill(frozen ? 1 : 0));
    const after = new Float32Array(half);
    reverb.process(after);
    return { reverb, ratio: energy(after, 0, 0.5) / energy(before, 0, 0.5) };
  };
  const frozen = run(true); // input is muted while frozen, so the 1s fed in change nothing
  assert.ok(frozen.ratio > 0.7 && frozen.ratio < 1.4, `frozen energy ratio ${frozen.ratio}`);
  const free = run(false);
  assert.ok(free.ratio < 1e-3, `free energy ratio ${free.ratio}`);

  frozen.reverb.reset();
  frozen.reverb.frozen = false;
  const silent = new Float32Array(half);
  frozen.reverb.process(silent);
  assert.ok(silent.every((x) => x === 0));
});

Deno.test("Freeverb rejects parameters outside [0, 1] and short buffers", () => {
  assert.throws(() => new Freeverb({ sampleRate: RATE, roomSize: 1.5 }), {
    name: "RangeError",
    message: "Cannot set Freeverb roomSize: expected a value in [0, 1], got 1.5",
  });
  const reverb = new Freeverb({ sampleRate: RATE });
  assert.throws(() => (reverb.damping = -0.1), RangeError);
  assert.throws(() => reverb.process(new Float32Array(8), new Float32Array(4)), RangeError);
  assert.throws(() => new Freeverb({ sampleRate: -1 }), RangeError);
});

Deno.test("Freeverb.process() matches the per-sample filter chain bit for bit", () => {
  // The reference: Freeverb sample by sample through CombFilter.process() and
  // AllpassFilter.process(), the way it was written before the block loops.
  const rate = 48_000;
  const scale = (t: number) => Math.max(1, Math.round((t * rate) / 44_100));
  const combs = [0, FREEVERB_STEREO_SPREAD].map((spread) =>
    FREEVERB_COMB_TUNINGS.map((t) => {
      const comb = new CombFilter(scale(t + spread));
      comb.feedback = 0.5 * 0.28 + 0.7;
      comb.damping = 0.5 * 0.4;
      return comb;
    })
  );
  const allpasses = [0, FREEVERB_STEREO_SPREAD].map((spread) =>
    FREEVERB_ALLPASS_TUNINGS.map((t) => new AllpassFilter(scale(t + spread)))
  );
  const [wet, dry, width] = [0.3, 0.7, 0.8];
  const wet1 = wet * (width / 2 + 0.5);
  const wet2 = wet * ((1 - width) / 2);
  const frames = 3 * 4800 + 17;
  let seed = 1;
  const input = new Float32Array(2 * frames).map(() => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  });
  const expected = new Float32Array(input.length);
  for (let i = 0; i < input.length; i += 2) {
    const mono = (input[i] + input[i + 1]) * 0.015;
    let outL = 0;
    let outR = 0;
    for (let c = 0; c < combs[0].length; c++) {
      outL += combs[0][c].process(mono);
      outR += combs[1][c].process(mono);
    }
    for (let a = 0; a < allpasses[0].length; a++) {
      outL = allpasses[0][a].process(outL);
      outR = allpasses[1][a].process(outR);
    }
    expected[i] = outL * wet1 + outR * wet2 + input[i] * dry;
    expected[i + 1] = outR * wet1 + outL * wet2 + input[i + 1] * dry;
  }
  const reverb = new Freeverb({ sampleRate: rate, roomSize: 0.5, damping: 0.5, wet, dry, width });
  const output = input.slice();
  // Blocks of uneven sizes, in place, across the 1024-frame chunks.
  for (const [start, n] of [[0, 4800], [4800, 1], [4801, 9216], [14017, 400]]) {
    reverb.process(output.subarray(2 * start, 2 * (start + n)));
  }
  assert.deepEqual(output, expected);
});
