import assert from "node:assert/strict";
import { operationIssues } from "./check.ts";
import { ADD_NODE_SCHEMA, CONNECT_SCHEMA } from "./schemas.ts";

Deno.test("operationIssues() reports an unknown field whatever its name: a dot in it, or 1 MB of it", () => {
  const long = "f".repeat(1_000_000);
  for (const name of ["x.y", "a[0]", long]) {
    const issues = operationIssues(CONNECT_SCHEMA, { from: "a.out", to: "b.in", [name]: 1 });
    assert.deepEqual(issues.map((i) => i.code), ["unknown_field"], name.slice(0, 10));
    assert.ok(issues[0].field.length < 100, issues[0].field.slice(0, 100));
    assert.ok(issues[0].problem.length < 300);
  }
});

Deno.test("operationIssues() leaves the fields inside a known field to their own checks", () => {
  // `placement` is checked here, as a field of the operation; `config`'s fields are the
  // processor's to check.
  const issues = operationIssues(ADD_NODE_SCHEMA, {
    type: "Gain",
    config: { "any.name": 1 },
    placement: { worker: 5 },
  });
  assert.deepEqual(issues.map((i) => [i.code, i.field]), [["invalid_field", "placement"]]);
});
