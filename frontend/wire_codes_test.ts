import assert from "node:assert/strict";
import { ERROR_CODES } from "./error_codes.ts";
import { WireError, type WireErrorCode } from "../sessions/wire/errors.ts";

Deno.test("WireError: each code is in the front-ends' error table as a request's refusal", () => {
  const codes: WireErrorCode[] = [
    "wire_malformed",
    "wire_truncated",
    "wire_version",
    "wire_too_large",
  ];
  for (const code of codes) {
    const error = new WireError(code, "Cannot decode x", { field: "x" });
    assert.equal(ERROR_CODES[error.code].origin, "request");
    assert.equal(error.name, "WireError");
  }
});
