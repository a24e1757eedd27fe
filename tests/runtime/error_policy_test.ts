import assert from "node:assert/strict";
import { Runtime, type RuntimeEvent } from "../../mod.ts";
import type { NodeErrorEvent } from "../../core/lifecycle/events.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";
import {
  collectorNode,
  counterNode,
  probe,
  resetProbes,
  testRegistry,
} from "../fixtures/runtime/test_nodes.ts";

function setup() {
  resetProbes();
  const time = new FakeTime();
  const rt = new Runtime({ registry: testRegistry, clock: time, timers: time });
  const events: RuntimeEvent[] = [];
  rt.on((e) => events.push(e));
  const errors = () => events.filter((e): e is NodeErrorEvent => e.type === "node-error");
  return { rt, time, events, errors };
}

Deno.test("Runtime puts a node whose process() throws in state error; the rest keeps running", async () => {
  const { rt, time, errors } = setup();
  rt.add(counterNode, { throwAt: 3 }, { id: "bad" });
  rt.add(collectorNode, {}, { id: "bad_sink" });
  rt.connectByName("bad", "out", "bad_sink", "in");
  rt.add(counterNode, {}, { id: "good" });
  rt.add(collectorNode, {}, { id: "good_sink" });
  rt.connectByName("good", "out", "good_sink", "in");
  await rt.start();
  await time.advance(9e6);
  const [error] = errors();
  assert.equal(errors().length, 1);
  assert.equal(error.node, "bad");
  assert.equal(error.phase, "process");
  assert.equal(error.name, "RangeError");
  assert.equal(error.message, "counter broke at call 3");
  assert.match(error.stack!, /RangeError: counter broke at call 3\n\s+at Counter.process/);
  assert.equal(error.action, "stop-processor");
  const described = rt.describe();
  const bad = described.nodes.find((n) => n.id === "bad")!;
  assert.equal(bad.state, "error");
  assert.deepEqual(bad.failure, { phase: "process", message: "counter broke at call 3" });
  assert.equal(bad.stats.errors, 1);
  assert.deepEqual(probe("bad_sink").received, [0, 1]);
  assert.equal(probe("good_sink").received.length, 10);
  assert.equal(rt.state, "running");
  await rt.stop();
  assert.equal(probe("bad").teardowns, 1, "a node that failed in process() is still torn down");
  assert.equal(rt.describe().nodes.find((n) => n.id === "bad")!.state, "stopped");
});

Deno.test("Runtime reports a setup() failure and does not tear that node down", async () => {
  const { rt, errors } = setup();
  rt.add(collectorNode, { throwInSetup: true }, { id: "sink" });
  await rt.start();
  assert.deepEqual(
    errors().map((e) => [e.node, e.phase, e.name, e.message]),
    [["sink", "setup", "TypeError", "collector cannot open its file"]],
  );
  assert.equal(rt.describe().nodes[0].state, "error");
  await rt.stop();
  assert.equal(probe("sink").teardowns, 0);
});

Deno.test("Runtime fails a loop node whose setup() declares no period", async () => {
  const { rt, errors } = setup();
  rt.add(counterNode, { declarePeriod: false }, { id: "src" });
  await rt.start();
  assert.equal(errors()[0].name, "LoopPeriodMissingError");
  assert.match(errors()[0].message, /call ctx.loop\?.setPeriodNs\(ns\) in setup\(\)/);
  await rt.stop();
  assert.equal(probe("src").teardowns, 1, "setup() itself succeeded, so teardown() runs");
});

Deno.test("Runtime onError 'stop-runtime' stops the whole graph, draining the others", async () => {
  const { rt, time, events } = setup();
  rt.add(counterNode, { throwAt: 4 }, { id: "src", onError: "stop-runtime" });
  rt.add(collectorNode, {}, { id: "sink" });
  rt.connectByName("src", "out", "sink", "in");
  await rt.start();
  await time.advance(10e6);
  await rt.settled();
  assert.equal(rt.state, "stopped");
  assert.deepEqual(probe("sink").received, [0, 1, 2]);
  assert.equal(probe("sink").teardowns, 1);
  const error = events.find((e) => e.type === "node-error");
  assert.ok(error?.type === "node-error" && error.action === "stop-runtime");
});

Deno.test("Runtime onError 'stop-runtime' in setup() stops the runtime once start() is done", async () => {
  const { rt, events } = setup();
  rt.add(collectorNode, { throwInSetup: true }, { id: "sink", onError: "stop-runtime" });
  rt.add(counterNode, {}, { id: "src" });
  await rt.start();
  assert.equal(rt.state, "stopped");
  const states = events.filter((e) => e.type === "runtime-state").map((e) =>
    e.type === "runtime-state" ? e.to : ""
  );
  assert.deepEqual(states, ["starting", "running", "stopping", "stopped"]);
  assert.deepEqual([probe("src").setups, probe("src").teardowns], [1, 1]);
});

Deno.test("Runtime onError 'restart' sets the node up again, up to maxRestarts per run", async () => {
  const { rt, time, errors } = setup();
  // Calls 2 and later are counted across restarts by the probe: it breaks once at call 2 only.
  rt.add(counterNode, { throwAt: 2 }, { id: "src", onError: "restart", maxRestarts: 1 });
  rt.add(collectorNode, { throwAt: 1 }, { id: "sink", onError: "restart", maxRestarts: 2 });
  await rt.start();
  await time.advance(5e6);
  await rt.settled();
  const src = rt.describe().nodes.find((n) => n.id === "src")!;
  assert.equal(src.state, "running");
  assert.equal(src.stats.restarts, 1);
  assert.deepEqual([probe("src").setups, probe("src").teardowns], [2, 1]);
  assert.deepEqual(errors().map((e) => `${e.node}:${e.action}`), ["src:restart"]);
  await rt.stop();
  assert.deepEqual([probe("src").setups, probe("src").teardowns], [2, 2]);
});

Deno.test("Runtime onError 'restart' gives up after maxRestarts and leaves the node in error", async () => {
  const { rt, errors } = setup();
  rt.add(collectorNode, { throwInSetup: true }, { id: "sink", onError: "restart", maxRestarts: 2 });
  await rt.start();
  await rt.settled();
  assert.deepEqual(errors().map((e) => e.action), ["restart", "restart", "stop-processor"]);
  assert.equal(probe("sink").setups, 3);
  assert.equal(rt.describe().nodes[0].state, "error");
  await rt.stop();
});

Deno.test("Runtime.add() refuses unknown error policies and placements", () => {
  const { rt } = setup();
  assert.throws(
    () => rt.add(counterNode, {}, { onError: "retry" as never }),
    /Cannot add node 'counter_1': onError must be one of "stop-processor", "stop-runtime", "restart", got "retry"/,
  );
  assert.throws(
    () => rt.add(counterNode, {}, { maxRestarts: -1 }),
    /maxRestarts must be an integer/,
  );
  assert.throws(
    () => rt.add(counterNode, {}, { placement: "gpu" as never }),
    /expected "main" or \{ "worker": "<name>", "wait"\?: "event-loop" \| "block" \}, got "gpu"/,
  );
});
