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
