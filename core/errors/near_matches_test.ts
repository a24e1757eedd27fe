import assert from "node:assert/strict";
import { levenshtein, nearMatches } from "./near_matches.ts";

Deno.test("levenshtein() counts insertions, deletions and substitutions", () => {
  assert.equal(levenshtein("", "abc"), 3);
  assert.equal(levenshtein("kitten", "sitting"), 3);
  assert.equal(levenshtein("Gain", "Gain"), 0);
  assert.equal(levenshtein("NullSnk", "NullSink"), 1);
});

Deno.test("nearMatches() ranks close names first and ignores distant ones", () => {
  const names = ["AudioMixer", "Gain", "NullSink", "TestToneGenerator"];
  assert.deepEqual(nearMatches("AudioMixr", names), ["AudioMixer"]);
  assert.deepEqual(nearMatches("gian", names), ["Gain"]);
  assert.deepEqual(nearMatches("ToneGenerator", names), ["TestToneGenerator"]);
  assert.deepEqual(nearMatches("Camera", names), []);
});

Deno.test("levenshtein() with a bound agrees with the full distance up to it, Infinity above", () => {
  const words = ["", "a", "Gain", "gian", "kitten", "sitting", "AudioMixer", "AudioMixr", "xyzzy"];
  for (const a of words) {
    for (const b of words) {
      const full = levenshtein(a, b);
      for (const max of [0, 1, 2, 3, 5, 20]) {
        assert.equal(levenshtein(a, b, max), full <= max ? full : Infinity, `${a} ${b} ${max}`);
      }
    }
  }
});

Deno.test("nearMatches() skips megabyte names and candidates at once", () => {
  const huge = "c".repeat(1_000_000);
  const started = performance.now();
  assert.deepEqual(nearMatches(huge, ["a".repeat(1_000_000), "cc"]), []);
  assert.deepEqual(nearMatches("ccc", [huge, "cccc"]), ["cccc"]);
  assert.ok(performance.now() - started < 1_000);
});
