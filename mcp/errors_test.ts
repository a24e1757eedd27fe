import assert from "node:assert/strict";
import { Runtime } from "../mod.ts";
import { builtinRegistry } from "../processors/mod.ts";
import { failureText, toolFailure } from "./errors.ts";

Deno.test("toolFailure() maps a Worker placement without a host to placement_unavailable", () => {
  const rt = new Runtime({ registry: builtinRegistry });
  let failure;
  try {
    rt.add("Gain", {}, { id: "g", placement: { worker: "dsp" } });
  } catch (error) {
    failure = toolFailure(error);
  }
  assert.equal(failure?.code, "placement_unavailable");
  assert.equal(failure?.details.node, "g");
  assert.deepEqual(failure?.details.available, ["main"]);
  assert.match(failureText(failure!), /\nHint: Leave 'placement' out/);
});

Deno.test("toolFailure() keeps the message of an unexpected error as internal_error", () => {
  const failure = toolFailure(new RangeError("boom"));
  assert.deepEqual(failure, {
    code: "internal_error",
    message: "RangeError: boom",
    details: { name: "RangeError" },
  });
  assert.equal(toolFailure("text").code, "internal_error");
});

Deno.test({
  name: "toolFailure() maps an OS error without a class of its own (ENOSPC) to file_error",
  ignore: Deno.build.os !== "linux",
  fn() {
    let error: unknown;
    try {
      Deno.writeTextFileSync("/dev/full", "a manifest"); // always full
    } catch (thrown) {
      error = thrown;
    }
    const failure = toolFailure(error, {}, "path");
    assert.equal(failure.code, "file_error", failure.message);
    assert.equal(failure.field, "path");
    assert.equal(failure.details.errno, "ENOSPC");
    assert.match(failure.message, /No space left on device/);
  },
});

Deno.test("toolFailure() maps a folder given as a file to file_error, not internal_error", () => {
  let error: unknown;
  try {
    Deno.readTextFileSync(Deno.cwd());
  } catch (thrown) {
    error = thrown;
  }
  const failure = toolFailure(error);
  assert.equal(failure.code, "file_error", failure.message);
  assert.equal(failure.field, undefined, "no argument named the file");
});
