import assert from "node:assert/strict";
import { ConfigValidationError, NodeNotFoundError, RuntimeStateError } from "../mod.ts";
import { createRuntime } from "../processors/mod.ts";
import { changeConfig, nodeOf, portOf } from "./config_change.ts";
import { RecordingLockError } from "./live_fields.ts";

function graph() {
  const rt = createRuntime();
  rt.add("TestToneGenerator", {}, { id: "tone", onError: "restart", maxRestarts: 5 });
  rt.add("Gain", {}, { id: "gain" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("tone", "audio", "gain", "in", { capacity: 5 });
  rt.connectByName("gain", "out", "sink", "in");
  return rt;
}

Deno.test("changeConfig() re-creates the node with its id, options and connections", () => {
  const rt = graph();
  const { node, changed } = changeConfig(rt, "tone", { frequency: 1000, blockSize: 64 }, []);
  assert.deepEqual(changed, ["frequency", "blockSize"]);
  assert.equal((node.config as { frequency: number }).frequency, 1000);
  assert.equal(node.onError, "restart");
  assert.equal(node.maxRestarts, 5);
  const c = rt.describe().connections.find((x) => x.from === "tone.audio");
  assert.equal(c?.to, "gain.in");
  assert.equal(c?.capacity, 5);
});

Deno.test("changeConfig() applies only live fields while running", async () => {
  const rt = graph();
  await rt.start();
  try {
    changeConfig(rt, "gain", { gain: 0.5 }, ["gain"]);
    assert.throws(
      () => changeConfig(rt, "tone", { blockSize: 64 }, ["frequency"]),
      (e: unknown) => e instanceof RecordingLockError && e.fields[0] === "blockSize",
    );
    await rt.pause();
    changeConfig(rt, "tone", { blockSize: 64 }, ["frequency"]);
  } finally {
    await rt.settled();
    await rt.stop();
  }
});

Deno.test("changeConfig() validates before touching the graph", () => {
  const rt = graph();
  const before = JSON.stringify(rt.describe().connections);
  assert.throws(() => changeConfig(rt, "tone", { frequency: -1 }, []), ConfigValidationError);
  assert.throws(() => changeConfig(rt, "nope", {}, []), NodeNotFoundError);
  assert.equal(JSON.stringify(rt.describe().connections), before);
  assert.ok(RuntimeStateError);
});

Deno.test("nodeOf() and portOf() split node.port ends", () => {
  assert.equal(nodeOf("mix_1.in_0"), "mix_1");
  assert.equal(portOf("mix_1.in_0"), "in_0");
});
