import assert from "node:assert/strict";
import { probe, resetProbes } from "../fixtures/runtime/test_nodes.ts";
import { until, workerRig } from "../fixtures/workers/harness.ts";

Deno.test("WorkerBackend puts the nodes naming one worker in one Worker, and two names in two", async () => {
  resetProbes();
  await using rig = workerRig();
  const { rt, backend } = rig;
  rt.add("Counter", { periodNs: 2e6 }, { id: "src" });
  rt.add("Relay", {}, { id: "a", placement: { worker: "g1" } });
  rt.add("Relay", {}, { id: "b", placement: { worker: "g1" } });
  rt.add("Relay", {}, { id: "c", placement: { worker: "g2" } });
  rt.add("Collector", {}, { id: "sink" });
  rt.connectByName("src", "out", "a", "in");
  rt.connectByName("a", "out", "b", "in"); // inside g1
  rt.connectByName("b", "out", "c", "in"); // g1 -> g2
  rt.connectByName("c", "out", "sink", "in");

  const described = rt.describe();
  assert.deepEqual(described.isolates, {
    main: ["src", "sink"],
    "worker:g1": ["a", "b"],
    "worker:g2": ["c"],
  });
  assert.deepEqual(described.connections.map((c) => c.crossIsolate), [true, false, true, true]);
  assert.deepEqual(backend.hosts.map((h) => h.isolate), ["worker:g1", "worker:g2"]);

  await rt.start();
  await until(() => probe("sink").received.length >= 10, "10 numbers through both Workers");
  const [g1, g2] = backend.hosts;
  assert.ok(g1.threadId !== undefined && g2.threadId !== undefined);
  assert.notEqual(g1.threadId, g2.threadId);
  await rt.stop();

  const sent = probe("src").calls;
  assert.deepEqual(probe("sink").received, Array.from({ length: sent }, (_, i) => i));
  const stats = rt.stats();
  assert.equal(stats.connections.conn_2.read, sent, "the connection inside g1 has counters");
  assert.equal(stats.nodes.b.framesIn, sent);
  assert.equal(backend.hosts.length, 2);
});
