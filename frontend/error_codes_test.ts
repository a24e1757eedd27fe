import assert from "node:assert/strict";
import { ERROR_CODES as RUNTIME_ERROR_CODES } from "../core/errors/codes.ts";
import { ControlPolicyError } from "./control_policy.ts";
import { ERROR_CODES, FRONTEND_ERROR_CODES, hasRuntimeCode, isCodedError } from "./error_codes.ts";
import { BodyReadError } from "./read_body.ts";

Deno.test("FRONTEND_ERROR_CODES: no code is also a runtime code, and each is a request's or access's", () => {
  for (const [code, { origin }] of Object.entries(FRONTEND_ERROR_CODES)) {
    assert.ok(!Object.hasOwn(RUNTIME_ERROR_CODES, code), `${code} is in both tables`);
    assert.ok(origin === "request" || origin === "access", `${code} has origin ${origin}`);
  }
});

Deno.test("ERROR_CODES: the runtime's codes then the front-ends', each with its meaning", () => {
  assert.deepEqual(Object.keys(ERROR_CODES), [
    ...Object.keys(RUNTIME_ERROR_CODES),
    ...Object.keys(FRONTEND_ERROR_CODES),
  ]);
  assert.equal(ERROR_CODES.missing_token, FRONTEND_ERROR_CODES.missing_token);
  assert.equal(ERROR_CODES.cycle, RUNTIME_ERROR_CODES.cycle);
});

Deno.test("ERROR_CODES: every error class of frontend/ carries a code of the table", () => {
  const errors = [
    new ControlPolicyError("id_too_long", "id", "Cannot add: the id is too long", []),
    new BodyReadError("body_too_large", "Cannot read the body: over 10 bytes"),
  ];
  for (const error of errors) assert.ok(Object.hasOwn(ERROR_CODES, error.code), error.name);
});

Deno.test("isCodedError() takes both tables' codes; hasRuntimeCode() only the runtime's", () => {
  const tool = Object.assign(new Error("x"), { code: "unknown_tool" as const, details: {} });
  const cycle = Object.assign(new Error("x"), { code: "cycle" as const, details: {} });
  assert.ok(isCodedError(tool) && !hasRuntimeCode(tool));
  assert.ok(isCodedError(cycle) && hasRuntimeCode(cycle));
  assert.ok(!isCodedError(Object.assign(new Error("x"), { code: "ENOENT", details: {} })));
  assert.ok(!isCodedError({ code: "cycle", details: {} }));
});
