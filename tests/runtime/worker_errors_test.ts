import assert from "node:assert/strict";
import type { NodeErrorEvent, WorkerExitEvent } from "../../core/lifecycle/events.ts";
import type { NativeConnectionStats } from "../../ffi/transport/connection_shared_state.ts";
import { until, workerRig } from "../fixtures/workers/harness.ts";
import { crasherNode, type CrashMode, tap } from "../fixtures/workers/worker_nodes.ts";

Deno.test("A processor that throws in a Worker goes to error with its stack; the rest keep running", async () => {
  await using rig = workerRig();
  const { rt, events } = rig;
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("Crasher", { mode: "throw", failAt: 3 }, { id: "crasher", placement: { worker: "w" } });
  rt.add("Gain", {}, { id: "gain", placement: { worker: "w" } });
  rt.add("AudioTap", {}, { id: "after_gain" });
  rt.connectByName("tone", "audio", "crasher", "in");
  rt.connectByName("tone", "audio", "gain", "in");
  rt.connectByName("gain", "out", "after_gain", "in");

  await rt.start();
  const isError = (e: unknown): e is NodeErrorEvent =>
    (e as NodeErrorEvent).type === "node-error" && (e as NodeErrorEvent).node === "crasher";
  await until(() => events.some(isError), "the crasher's node-error event");
  const error = events.find(isError)!;
  assert.equal(error.phase, "process");
  assert.equal(error.name, "RangeError");
  assert.equal(error.message, "crasher broke on purpose");
  assert.match(error.stack!, /worker_nodes\.ts/);
  assert.equal(error.action, "stop-processor");
  await until(
    () => rt.describe().nodes.find((n) => n.id === "crasher")!.state === "error",
    "error",
  );

  const seen = tap("after_gain").frameNumbers.length;
  await until(() => tap("after_gain").frameNumbers.length >= seen + 5, "the gain to keep going");
  await rt.stop();
  const crasher = rt.describe().nodes.find((n) => n.id === "crasher")!;
  assert.deepEqual(crasher.failure, { phase: "process", message: "crasher broke on purpose" });
  assert.equal(rt.state, "stopped");
});

Deno.test("A Worker node failing with onError 'stop-runtime' stops the whole runtime", async () => {
  await using rig = workerRig();
  const { rt } = rig;
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("Crasher", { mode: "throw", failAt: 2 }, {
    id: "crasher",
    placement: { worker: "w" },
    onError: "stop-runtime",
  });
  rt.connectByName("tone", "audio", "crasher", "in");
  await rt.start();
  await until(() => rt.state === "stopped", "the runtime to stop");
  // As in the main isolate: torn down at stop(), its failure kept until the next start.
  const crasher = rt.describe().nodes.find((n) => n.id === "crasher")!;
  assert.deepEqual(crasher.failure, { phase: "process", message: "crasher broke on purpose" });
});

for (const mode of ["close", "uncaught", "exit", "terminate"] as const) {
  Deno.test(`A Worker that dies (${mode}) takes its nodes to error; the runtime keeps running and stops`, async () => {
    await using rig = workerRig();
    const { rt, backend, events } = rig;
    const crash: CrashMode = mode === "terminate" ? "none" : mode;
    rt.add("TestToneGenerator", {}, { id: "tone" });
    rt.add("Crasher", { mode: crash, failAt: 5 }, {
      id: "crasher",
      placement: { worker: "doomed" },
    });
    rt.add("Gain", {}, { id: "gain", placement: { worker: "doomed" } });
    rt.add("AudioTap", {}, { id: "dry" });
    rt.add("AudioTap", {}, { id: "wet" });
    const toCrasher = rt.connectByName("tone", "audio", "crasher", "in");
    const toGain = rt.connectByName("tone", "audio", "gain", "in");
    const fromGain = rt.connectByName("gain", "out", "wet", "in");
    const dry = rt.connectByName("tone", "audio", "dry", "in");

    await rt.start();
    if (mode === "terminate") {
      await until(() => tap("wet").frameNumbers.length >= 3, "frames through the Worker");
      await backend.hosts[0].terminate();
    }
    const isExit = (e: unknown): e is WorkerExitEvent =>
      (e as WorkerExitEvent).type === "worker-exit";
    await until(() => events.some(isExit), "the worker-exit event");
    const exit = events.find(isExit)!;
    assert.equal(exit.worker, "doomed");
    assert.equal(exit.isolate, "worker:doomed");
    assert.deepEqual([...exit.nodes].sort(), ["crasher", "gain"]);
    assert.deepEqual([...exit.connections].sort(), [toCrasher.id, toGain.id, fromGain.id].sort());
    if (mode === "exit") assert.equal(exit.exitCode, 3);
    if (mode === "uncaught") assert.match(exit.message, /crasher threw outside process\(\)/);

    for (const node of ["crasher", "gain"]) {
      const described = rt.describe().nodes.find((n) => n.id === node)!;
      assert.equal(described.state, "error", node);
      assert.match(described.failure!.message, /^Worker 'doomed' died: /);
      const error = events.find((e) => e.type === "node-error" && e.node === node);
      assert.equal((error as NodeErrorEvent).name, "WorkerExitedError");
    }
    assert.equal(rt.state, "running");
    const before = tap("dry").frameNumbers.length;
    await until(() => tap("dry").frameNumbers.length >= before + 3, "the main branch to go on");
    const torn = rt.stats().connections[toGain.id] as NativeConnectionStats;
    assert.equal(torn.abandoned, true);
    const written = torn.written;
    await until(() => tap("dry").frameNumbers.length >= before + 5, "two more blocks");
    assert.equal((rt.stats().connections[toGain.id] as NativeConnectionStats).written, written);

    await rt.stop();
    assert.equal(rt.state, "stopped");
    assert.equal(rt.stats().connections[dry.id].queued, 0);
    // Everything the dead Worker held (its frames, the frames queued to it) is back in the pool.
    assert.equal(backend.pool.stats().inUse, 0, "every pool slot is free again");
    assert.deepEqual(rt.frameLeaks(), []);
    assert.equal(rt.describe().nodes.find((n) => n.id === "gain")!.state, "error");
  });
}

Deno.test("A node whose definition the Worker cannot import goes to error (setup); its connections are torn down", async () => {
  await using rig = workerRig();
  const { rt, events } = rig;
  // Claims to live in a module that does not export it.
  const phantom = { ...crasherNode, descriptor: { ...crasherNode.descriptor, name: "Phantom" } };
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add(phantom, {}, { id: "ghost", placement: { worker: "w" } });
  rt.add("Gain", {}, { id: "gain", placement: { worker: "w" } });
  rt.add("AudioTap", {}, { id: "after_gain" });
  const toGhost = rt.connectByName("tone", "audio", "ghost", "in", { policy: "fifo", capacity: 2 });
  rt.connectByName("tone", "audio", "gain", "in");
  rt.connectByName("gain", "out", "after_gain", "in");
  await rt.start();
  await until(() => tap("after_gain").frameNumbers.length >= 10, "the gain to run");
  const error = events.find((e) => e.type === "node-error" && e.node === "ghost") as NodeErrorEvent;
  assert.equal(error.phase, "setup");
  assert.match(error.message, /Cannot find processor 'Phantom' in the Worker/);
  assert.equal(rt.describe().nodes.find((n) => n.id === "ghost")!.state, "error");
  const torn = rt.stats().connections[toGhost.id] as NativeConnectionStats;
  assert.equal(torn.abandoned, true);
  assert.equal(torn.fullRejections, 0, "the tone is not held back by a ring nobody reads");
  await rt.stop();
});

Deno.test("A Worker whose channel ends cannot be given back still dies cleanly: the exit says so and the runtime runs on", async () => {
  await using rig = workerRig();
  const { rt, backend, events } = rig;
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("Gain", {}, { id: "gain", placement: { worker: "doomed" } });
  rt.add("AudioTap", {}, { id: "wet" });
  rt.add("AudioTap", {}, { id: "dry" });
  const toGain = rt.connectByName("tone", "audio", "gain", "in");
  rt.connectByName("gain", "out", "wet", "in");
  rt.connectByName("tone", "audio", "dry", "in");
  await rt.start();
  await until(() => tap("wet").frameNumbers.length >= 3, "frames through the Worker");
  // The fault: giving back a dead Worker's ends throws, as when the native library cannot be
  // loaded. It runs in the Worker's exit handler, where a throw would end this process.
  const transport = backend.transport;
  const reclaim = transport.reclaimEnds;
  transport.reclaimEnds = (connection: string) => {
    throw new Error(`cannot adopt the ends of ${connection}: the library is gone`);
  };
  try {
    await backend.hosts[0].terminate();
    const isExit = (e: unknown): e is WorkerExitEvent =>
      (e as WorkerExitEvent).type === "worker-exit";
    await until(() => events.some(isExit), "the worker-exit event");
    const exit = events.find(isExit)!;
    assert.match(
      exit.message,
      new RegExp(`what it held could not be given back: connection ${toGain.id}: cannot adopt`),
    );
    assert.equal(rt.describe().nodes.find((n) => n.id === "gain")!.state, "error");
    assert.equal(rt.state, "running");
    const before = tap("dry").frameNumbers.length;
    await until(() => tap("dry").frameNumbers.length >= before + 3, "the main branch to go on");
  } finally {
    transport.reclaimEnds = reclaim;
  }
  await rt.stop();
  assert.equal(rt.state, "stopped");
});
