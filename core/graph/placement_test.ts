import assert from "node:assert/strict";
import { errorPolicyProblem } from "../lifecycle/error_policy.ts";
import { isolateOf, placementProblem, waitOf } from "./placement.ts";

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

Deno.test("placementProblem() accepts a Worker's wait and names the valid ones for anything else", () => {
  assert.equal(placementProblem({ worker: "hop", wait: "block" }), undefined);
  assert.equal(placementProblem({ worker: "hop", wait: "event-loop" }), undefined);
  assert.equal(
    placementProblem({ worker: "hop", wait: "spin" }),
    'wait must be one of "event-loop", "block", got "spin"',
  );
  assert.match(placementProblem({ wait: "block" })!, /^expected "main" or/);
});

Deno.test("waitOf() is event-loop unless a Worker asks to block", () => {
  assert.equal(waitOf("main"), "event-loop");
  assert.equal(waitOf({ worker: "w" }), "event-loop");
  assert.equal(waitOf({ worker: "w", wait: "block" }), "block");
});
