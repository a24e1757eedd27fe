import assert from "node:assert/strict";
import { AllpassFilter } from "./allpass_filter.ts";

Deno.test("AllpassFilter.process() gives Freeverb's impulse response -1, then 1, g, g^2 ... every delay", () => {
  const allpass = new AllpassFilter(7);
  allpass.feedback = 0.5;
  const out = Array.from({ length: 36 }, (_, n) => allpass.process(n === 0 ? 1 : 0));
  const expected = Array.from(
    { length: 36 },
    (_, n) => n === 0 ? -1 : n % 7 === 0 ? 0.5 ** (n / 7 - 1) : 0,
  );
  assert.deepEqual(out, expected);
});

Deno.test("AllpassFilter.reset() clears the delay line and rejects bad delays", () => {
  const allpass = new AllpassFilter(2);
  allpass.process(1);
  allpass.reset();
  assert.deepEqual([0, 0, 0].map((x) => allpass.process(x)), [0, 0, 0]);
  assert.throws(() => new AllpassFilter(1.5), RangeError);
});
