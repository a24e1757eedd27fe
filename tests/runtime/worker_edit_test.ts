import assert from "node:assert/strict";
import { probe, resetProbes } from "../fixtures/runtime/test_nodes.ts";
import { until, workerRig } from "../fixtures/workers/harness.ts";

Deno.test("Runtime.add() and remove() of Worker nodes while running: a new Worker catches up, a re-added id runs again", async () => {
  resetProbes();
  await using rig = workerRig();
  const { rt, backend } = rig;
  rt.add("Counter", { periodNs: 2e6 }, { id: "src" });
  rt.add("Collector", {}, { id: "sink" });
  await rt.start();

  // A Worker that did not exist when the runtime started.
  rt.add("Relay", {}, { id: "relay", placement: { worker: "late" } });
  rt.connectByName("src", "out", "relay", "in");
  rt.connectByName("relay", "out", "sink", "in");
  await rt.settled();
  await until(() => probe("sink").received.length >= 5, "numbers through the late Worker");
  assert.equal(rt.describe().nodes.find((n) => n.id === "relay")!.state, "running");
  const thread = backend.hosts[0].threadId;

  // Reconfigure: remove and add under the same id; the new instance runs in the same Worker.
  rt.remove("relay");
  rt.add("Relay", {}, { id: "relay", placement: { worker: "late" } });
  rt.connectByName("src", "out", "relay", "in");
  rt.connectByName("relay", "out", "sink", "in");
  await rt.settled();
  const seen = probe("sink").received.length;
  await until(() => probe("sink").received.length >= seen + 5, "numbers through the new relay");
  assert.equal(backend.hosts[0].threadId, thread);
  await rt.stop();

  const received = probe("sink").received;
  assert.ok(received.every((n, i) => i === 0 || n > received[i - 1]), "no number twice");
  assert.equal(rt.describe().nodes.find((n) => n.id === "relay")!.state, "stopped");
});

Deno.test("WorkerHost starts a new Worker for nodes added after its Worker died", async () => {
  resetProbes();
  await using rig = workerRig();
  const { rt, backend, events } = rig;
  rt.add("Counter", { periodNs: 2e6 }, { id: "src" });
  rt.add("Relay", {}, { id: "old", placement: { worker: "w" } });
  rt.add("Collector", {}, { id: "sink" });
  rt.connectByName("src", "out", "old", "in");
  await rt.start();
  await until(() => backend.hosts[0].threadId !== undefined, "the Worker to start");
  const first = backend.hosts[0].threadId;
  await backend.hosts[0].terminate();
  await until(() => events.some((e) => e.type === "worker-exit"), "the worker-exit event");

  rt.add("Relay", {}, { id: "new", placement: { worker: "w" } });
  rt.connectByName("src", "out", "new", "in");
  rt.connectByName("new", "out", "sink", "in");
  await until(() => probe("sink").received.length >= 5, "numbers through the new Worker");
  assert.notEqual(backend.hosts[0].threadId, first);
  assert.equal(rt.describe().nodes.find((n) => n.id === "old")!.state, "error");
  rt.remove("old");
  await rt.stop();
  assert.equal(rt.describe().nodes.find((n) => n.id === "new")!.state, "stopped");
});
