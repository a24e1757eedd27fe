import assert from "node:assert/strict";
import { CombFilter } from "./comb_filter.ts";

Deno.test("CombFilter.process() recirculates with feedback and lowpass damping", () => {
  const comb = new CombFilter(2);
  comb.feedback = 0.5;
  comb.damping = 0.5;
  const out = [1, 0, 0, 0, 0, 0, 0, 0].map((x) => comb.process(x));
  // t=2: the impulse comes out; the lowpass state becomes 0.5 and 0.25 goes back in. t=3: the state
  // decays to 0.25 and 0.125 goes in, which comes out at t=5; and so on.
  assert.deepEqual(out, [0, 0, 1, 0, 0.25, 0.125, 0.125, 0.09375]);
  assert.equal(comb.delay, 2);
});

Deno.test("CombFilter.reset() clears the delay line and state", () => {
  const comb = new CombFilter(3);
  comb.feedback = 0.9;
  comb.process(1);
  comb.reset();
  assert.deepEqual([0, 0, 0, 0, 0].map((x) => comb.process(x)), [0, 0, 0, 0, 0]);
  assert.throws(() => new CombFilter(0), {
    name: "RangeError",
    message: "Cannot create a comb filter: delay must be a positive integer, got 0",
  });
});
