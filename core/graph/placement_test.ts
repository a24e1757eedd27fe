import assert from "node:assert/strict";
import { errorPolicyProblem } from "../lifecycle/error_policy.ts";
import { isolateOf, placementProblem } from "./placement.ts";

Deno.test("isolateOf() names main and worker isolates", () => {
  assert.equal(isolateOf("main"), "main");
  assert.equal(isolateOf({ worker: "fft" }), "worker:fft");
});

Deno.test("placementProblem() accepts main and named workers and explains anything else", () => {
  assert.equal(placementProblem("main"), undefined);
  assert.equal(placementProblem({ worker: "video-1" }), undefined);
  for (const bad of ["worker", { worker: "" }, { worker: "a b" }, { worker: 1 }, {}, null]) {
    assert.ok(placementProblem(bad), JSON.stringify(bad));
  }
  assert.match(placementProblem({ worker: "x", cpu: 2 })!, /^expected "main" or/);
});

Deno.test("errorPolicyProblem() checks the policy and the restart limit", () => {
  assert.equal(errorPolicyProblem(undefined, undefined), undefined);
  assert.equal(errorPolicyProblem("restart", 0), undefined);
  assert.match(errorPolicyProblem("ignore", undefined)!, /^onError must be one of/);
  assert.match(errorPolicyProblem("restart", 1.5)!, /^maxRestarts must be an integer/);
});
