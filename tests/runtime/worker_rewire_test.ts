import assert from "node:assert/strict";
import { probe, resetProbes } from "../fixtures/runtime/test_nodes.ts";
import { sleep, until, workerRig } from "../fixtures/workers/harness.ts";

Deno.test("Runtime rewires cross-isolate connections while running and paused; the untouched branch sees every number once", async () => {
  resetProbes();
  await using rig = workerRig();
  const { rt } = rig;
  rt.add("Counter", { periodNs: 1e6 }, { id: "src" });
  rt.add("Relay", {}, { id: "relay", placement: { worker: "a" } });
  rt.add("Collector", {}, { id: "kept" });
  rt.add("Collector", {}, { id: "far", placement: { worker: "b" } });
  rt.add("Collector", {}, { id: "moved" });
  // The untouched branch crosses twice: main -> worker:a -> main.
  rt.connectByName("src", "out", "relay", "in", { capacity: 64 });
  rt.connectByName("relay", "out", "kept", "in", { capacity: 64 });

  let far = rt.connectByName("src", "out", "far", "in");
  let moved = rt.connectByName("relay", "out", "moved", "in");
  const rewire = () => {
    rt.disconnect(far.id);
    far = rt.connectByName("src", "out", "far", "in");
    rt.disconnect(moved.id);
    moved = rt.connectByName("relay", "out", "moved", "in");
  };

  await rt.start();
  for (let i = 0; i < 15; i++) {
    rewire();
    await sleep(3);
  }
  await rt.pause();
  assert.equal(rt.describe().nodes.find((n) => n.id === "relay")!.state, "paused");
  for (let i = 0; i < 3; i++) rewire();
  await rt.resume();
  assert.equal(rt.describe().nodes.find((n) => n.id === "relay")!.state, "running");
  await until(() => probe("kept").received.length >= 40, "40 numbers on the untouched branch");
  for (let i = 0; i < 5; i++) {
    rewire();
    await sleep(2);
  }
  await rt.stop();
  rewire(); // and while stopped

  const sent = probe("src").calls;
  assert.ok(sent >= 40);
  assert.deepEqual(probe("kept").received, Array.from({ length: sent }, (_, i) => i));
  const moves = probe("moved").received;
  assert.ok(moves.every((n, i) => i === 0 || n > moves[i - 1]), "the moved branch never repeats");
  const stats = rt.stats();
  assert.equal(stats.connections.conn_1.read, sent);
  assert.equal(stats.connections.conn_2.read, sent);
  assert.deepEqual(stats.connections[far.id].written, 0, "connected while stopped");
});
