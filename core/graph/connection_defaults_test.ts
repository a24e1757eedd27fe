import assert from "node:assert/strict";
import { connectionOptionsProblem, defaultConnectionOptions } from "./connection_defaults.ts";

Deno.test("defaultConnectionOptions() picks by the output's frame type, then the input's", () => {
  assert.deepEqual(defaultConnectionOptions("VideoFrame", "VideoFrame"), {
    capacity: 3,
    policy: "latest",
  });
  assert.deepEqual(defaultConnectionOptions("EncodedVideoFrame", "Frame"), {
    capacity: 30,
    policy: "fifo",
  });
  assert.deepEqual(defaultConnectionOptions("AudioFrame<1>", "AudioFrame"), {
    capacity: 8,
    policy: "fifo",
  });
  assert.deepEqual(defaultConnectionOptions("DataFrame<{ a: number }>", "Frame"), {
    capacity: 16,
    policy: "fifo",
  });
  assert.deepEqual(defaultConnectionOptions("Frame", "VideoFrame").policy, "latest");
  assert.deepEqual(defaultConnectionOptions("Frame", "Frame"), { capacity: 8, policy: "fifo" });
});

Deno.test("connectionOptionsProblem() names the bad field and the valid range", () => {
  assert.equal(connectionOptionsProblem({}), undefined);
  assert.equal(connectionOptionsProblem({ capacity: 1, policy: "latest" }), undefined);
  assert.match(connectionOptionsProblem({ capacity: 2 ** 25 })!, /^capacity must be an integer/);
  assert.match(connectionOptionsProblem({ capacity: "4" })!, /got "4"$/);
  assert.equal(
    connectionOptionsProblem({ policy: "drop" }),
    'policy must be "latest" or "fifo", got "drop"',
  );
});
