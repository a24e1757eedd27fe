import assert from "node:assert/strict";
import { Runtime, type RuntimeEvent, RuntimeStateError } from "../../mod.ts";
import type { NodeState } from "../../core/lifecycle/stats.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";
import {
  collectorNode,
  counterNode,
  probe,
  relayNode,
  resetProbes,
  testRegistry,
} from "../fixtures/runtime/test_nodes.ts";

function setup() {
  resetProbes();
  const time = new FakeTime();
  const rt = new Runtime({ registry: testRegistry, clock: time, timers: time });
  const events: RuntimeEvent[] = [];
  rt.on((e) => events.push(e));
  return { rt, time, events };
}

Deno.test("Runtime lifecycle goes stopped → running ⇄ paused → stopped with an event per transition", async () => {
  const { rt, events } = setup();
  rt.add(counterNode, {}, { id: "src" });
  await rt.start();
  await rt.pause();
  await rt.resume();
  await rt.stop();
  const transitions = events.filter((e) => e.type === "runtime-state").map((e) =>
    e.type === "runtime-state" ? `${e.from}>${e.to}` : ""
  );
  assert.deepEqual(transitions, [
    "stopped>starting",
    "starting>running",
    "running>paused",
    "paused>running",
    "running>stopping",
    "stopping>stopped",
  ]);
  const node = events.filter((e) => e.type === "node-state").map((e) =>
    e.type === "node-state" ? e.to : ""
  );
  assert.deepEqual(node, ["starting", "running", "paused", "running", "stopping", "stopped"]);
  for (const event of events) {
    assert.equal(typeof event.timeNs, "number");
    assert.deepEqual(JSON.parse(JSON.stringify(event)), event);
  }
});

Deno.test("Runtime calls setup and teardown once per processor per run", async () => {
  const { rt } = setup();
  rt.add(counterNode, {}, { id: "src" });
  rt.add(collectorNode, {}, { id: "sink" });
  rt.connectByName("src", "out", "sink", "in");
  for (let run = 1; run <= 2; run++) {
    await rt.start();
    await rt.pause();
    await rt.resume();
    await rt.stop();
    for (const id of ["src", "sink"]) {
      assert.equal(probe(id).setups, run, `${id} setups`);
      assert.equal(probe(id).teardowns, run, `${id} teardowns`);
    }
  }
});

Deno.test("Runtime refuses invalid transitions naming the current state", async () => {
  const { rt } = setup();
  await assert.rejects(
    () => rt.stop(),
    /Cannot stop the runtime: it is stopped, expected running or paused/,
  );
  await assert.rejects(() => rt.pause(), RuntimeStateError);
  await assert.rejects(() => rt.resume(), /it is stopped, expected paused/);
  await rt.start();
  await assert.rejects(
    () => rt.start(),
    (e) => e instanceof RuntimeStateError && e.state === "running" && e.action === "start",
  );
  await assert.rejects(
    () => rt.resume(),
    /Cannot resume the runtime: it is running, expected paused/,
  );
  await rt.pause();
  await assert.rejects(() => rt.pause(), /it is paused, expected running/);
  await rt.stop();
});

Deno.test("Runtime.stop() lets push nodes process what is queued, then tears down sinks", async () => {
  const { rt, time } = setup();
  const src = rt.add(counterNode, {}, { id: "src" });
  const relay = rt.add(relayNode, { async: true }, { id: "relay" });
  const sink = rt.add(collectorNode, {}, { id: "sink" });
  rt.connect(src.outputs.out, relay.inputs.in, { capacity: 64 });
  rt.connect(relay.outputs.out, sink.inputs.in, { capacity: 64 });
  await rt.start();
  await time.advance(5e6);
  time.jump(3e6);
  time.fireDue(); // three more frames, not yet seen by the relay
  assert.equal(rt.stats().connections.conn_1.queued, 3);
  await rt.stop();
  assert.deepEqual(probe("sink").received, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(rt.stats().connections.conn_1.queued, 0);
  assert.equal(rt.stats().connections.conn_2.queued, 0);
  assert.deepEqual([probe("sink").setups, probe("sink").teardowns], [1, 1]);
});

Deno.test("Runtime.stop() drains frames queued before a pause", async () => {
  const { rt, time } = setup();
  const src = rt.add(counterNode, {}, { id: "src" });
  const sink = rt.add(collectorNode, {}, { id: "sink" });
  rt.connect(src.outputs.out, sink.inputs.in, { capacity: 64 });
  await rt.start();
  await time.advance(2e6);
  time.jump(1e6);
  time.fireDue();
  const paused = rt.pause();
  assert.equal(rt.stats().connections.conn_1.queued, 1);
  await paused;
  await time.advance(10e6); // paused: nothing runs
  assert.deepEqual(probe("sink").received, [0, 1, 2]);
  await rt.stop();
  assert.deepEqual(probe("sink").received, [0, 1, 2, 3]);
});

Deno.test("Runtime sets up nodes added while running and tears down removed ones", async () => {
  const { rt, time } = setup();
  const src = rt.add(counterNode, {}, { id: "src" });
  await rt.start();
  const late = rt.add(collectorNode, {}, { id: "late" });
  rt.connect(src.outputs.out, late.inputs.in);
  await rt.settled();
  assert.equal(rt.describe().nodes.find((n) => n.id === "late")!.state, "running" as NodeState);
  await time.advance(3e6);
  assert.ok(probe("late").received.length > 0);
  rt.remove("late");
  await rt.settled();
  assert.deepEqual([probe("late").setups, probe("late").teardowns], [1, 1]);
  await rt.pause();
  rt.add(collectorNode, {}, { id: "paused" });
  await rt.settled();
  assert.equal(rt.describe().nodes.find((n) => n.id === "paused")!.state, "paused");
  await rt.stop();
  assert.deepEqual([probe("paused").setups, probe("paused").teardowns], [1, 1]);
});

Deno.test("Runtime sets a node re-added under a removed node's id up only after the old teardown", async () => {
  const { rt } = setup();
  rt.add(collectorNode, {}, { id: "sink" });
  await rt.start();
  rt.remove("sink");
  rt.add(collectorNode, { latest: true }, { id: "sink" }); // reconfigure: same id, new config
  await rt.settled();
  assert.deepEqual(probe("sink").log, ["setup", "teardown", "setup"]);
  assert.equal(rt.describe().nodes[0].state, "running");
  await rt.stop();
  assert.deepEqual(probe("sink").log, ["setup", "teardown", "setup", "teardown"]);
});

Deno.test("Runtime emits node-added, node-removed, connection-added and connection-removed", () => {
  const { rt, events } = setup();
  const src = rt.add(counterNode);
  const sink = rt.add(collectorNode);
  const c = rt.connect(src.outputs.out, sink.inputs.in);
  rt.remove(sink.name);
  assert.deepEqual(
    events.map((e) => e.type),
    ["node-added", "node-added", "connection-added", "connection-removed", "node-removed"],
  );
  const added = events[2];
  assert.ok(added.type === "connection-added");
  assert.equal(added.connection, c.id);
  assert.equal(added.from, "counter_1.out");
  assert.equal(added.to, "collector_1.in");
});

Deno.test("Runtime[Symbol.asyncDispose]() stops a running runtime", async () => {
  const { rt } = setup();
  rt.add(counterNode, {}, { id: "src" });
  {
    await using running = rt;
    await running.start();
  }
  assert.equal(rt.state, "stopped");
  assert.equal(probe("src").teardowns, 1);
});
