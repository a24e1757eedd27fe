import assert from "node:assert/strict";
import { createToken, tokenProblem, tokensMatch } from "./token.ts";

Deno.test("createToken() makes distinct 32-digit hex tokens", () => {
  const a = createToken();
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, createToken());
  assert.equal(tokenProblem(a), undefined);
});

Deno.test("tokenProblem() refuses short, long and odd tokens", () => {
  assert.match(tokenProblem("short")!, /16 to 128/);
  assert.match(tokenProblem("x".repeat(200))!, /200 characters/);
  assert.match(tokenProblem("has spaces in it, see")!, /letters, digits/);
  assert.match(tokenProblem(42)!, /got number/);
});

Deno.test("tokensMatch() accepts only the exact token", () => {
  const t = "abcdefghijklmnop";
  assert.equal(tokensMatch(t, t), true);
  assert.equal(tokensMatch(`${t}q`, t), false);
  assert.equal(tokensMatch(t.slice(1), t), false);
  assert.equal(tokensMatch("", t), false);
  assert.equal(tokensMatch(undefined, t), false);
});
