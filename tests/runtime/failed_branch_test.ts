/**
 * One failed branch never stops another (issue 32, item 3): a node that fails (or ends) stops
 * reading, and its input connections then discard what comes instead of filling up and holding
 * back the writer that fans out to it, and through that writer every sibling branch.
 */
import assert from "node:assert/strict";
import { Runtime, type RuntimeEvent } from "../../mod.ts";
import type { NodeErrorEvent } from "../../core/lifecycle/events.ts";
import type { NativeConnectionStats } from "../../ffi/transport/connection_shared_state.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";
import {
  collectorNode,
  counterNode,
  floodNode,
  probe,
  relayNode,
  resetProbes,
  testRegistry,
} from "../fixtures/runtime/test_nodes.ts";
import { until, workerRig } from "../fixtures/workers/harness.ts";
import { tap } from "../fixtures/workers/worker_nodes.ts";

const fifo2 = { capacity: 2, policy: "fifo" } as const;
/** Source periods (1 ms each) the fake-time tests run for. */
const TICKS = 300;

function fakeTimeRuntime() {
  resetProbes();
  const time = new FakeTime();
  const rt = new Runtime({ registry: testRegistry, clock: time, timers: time });
  const events: RuntimeEvent[] = [];
  rt.on((e) => events.push(e));
  const failed = (node: string) =>
    events.some((e) => e.type === "node-error" && (e as NodeErrorEvent).node === node);
  return { rt, time, failed };
}

Deno.test("A loop source fanned out to a node that fails keeps feeding its healthy sibling", async () => {
  const { rt, time, failed } = fakeTimeRuntime();
  rt.add(counterNode, {}, { id: "src" });
  rt.add(collectorNode, {}, { id: "good" });
  rt.add(collectorNode, { throwAt: 3 }, { id: "bad" });
  rt.connectByName("src", "out", "good", "in", fifo2);
  const toBad = rt.connectByName("src", "out", "bad", "in", fifo2);
  await rt.start();
  await time.advance(TICKS * 1e6);
  assert.ok(failed("bad"));
  const stats = rt.stats();
  assert.equal(stats.nodes.bad.state, "error");
  // Every period made a frame and the healthy sink got each one, in order: no stall.
  assert.ok(probe("src").calls >= TICKS, `${probe("src").calls} source runs`);
  assert.deepEqual(probe("good").received, [...Array(probe("src").calls).keys()]);
  assert.equal(stats.nodes.src.blockedRuns, 0, "the source never waited for the failed node");
  assert.equal(stats.nodes.src.framesRefused, 0, "no write counts as refused");
  // What the failed node never read is counted on its connection, nothing queued or refused.
  const bad = stats.connections[toBad.id];
  assert.equal(bad.queued, 0);
  assert.equal(bad.fullRejections, 0);
  assert.equal(bad.read + bad.dropped + bad.discarded, probe("src").calls);
  assert.ok(bad.discarded >= TICKS - 5, `${bad.discarded} discarded`);
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("A transform in the middle keeps feeding its healthy branch when its other reader fails", async () => {
  const { rt, time, failed } = fakeTimeRuntime();
  rt.add(counterNode, {}, { id: "src" });
  rt.add(relayNode, {}, { id: "mid" });
  rt.add(collectorNode, {}, { id: "good" });
  rt.add(collectorNode, { throwAt: 2 }, { id: "bad" });
  rt.connectByName("src", "out", "mid", "in", fifo2);
  rt.connectByName("mid", "out", "good", "in", fifo2);
  const toBad = rt.connectByName("mid", "out", "bad", "in", fifo2);
  await rt.start();
  await time.advance(TICKS * 1e6);
  assert.ok(failed("bad"));
  const stats = rt.stats();
  assert.deepEqual(probe("good").received, [...Array(probe("src").calls).keys()]);
  assert.equal(stats.nodes.src.blockedRuns, 0);
  assert.equal(stats.nodes.mid.blockedRuns, 0);
  assert.ok(stats.connections[toBad.id].discarded >= TICKS - 5);
  await rt.stop();
});

Deno.test("A pull source fanned out to a node that fails writes on, every frame reaching its sibling", async () => {
  resetProbes();
  await using rt = new Runtime({ registry: testRegistry });
  const total = 5_000;
  rt.add(floodNode, { total }, { id: "flood" });
  rt.add(collectorNode, {}, { id: "good" });
  rt.add(collectorNode, { throwAt: 2 }, { id: "bad" });
  rt.connectByName("flood", "out", "good", "in", fifo2);
  const toBad = rt.connectByName("flood", "out", "bad", "in", fifo2);
  await rt.start();
  await until(() => probe("good").received.length >= total, `${total} frames at the good sink`);
  const stats = rt.stats();
  assert.deepEqual(probe("good").received, [...Array(total).keys()]);
  assert.equal(stats.nodes.bad.state, "error");
  const bad = stats.connections[toBad.id];
  assert.equal(bad.read + bad.dropped + bad.discarded, total);
  assert.ok(bad.discarded > total - 10, `${bad.discarded} discarded`);
  assert.equal(bad.fullRejections, 0);
});

Deno.test("A failed node restarted by its error policy holds its writer back again", async () => {
  const { rt, time, failed } = fakeTimeRuntime();
  rt.add(counterNode, {}, { id: "src" });
  rt.add(collectorNode, {}, { id: "good" });
  // The collector's probe counts calls across restarts: it throws once, at call 3.
  rt.add(collectorNode, { throwAt: 3 }, { id: "bad", onError: "restart", maxRestarts: 1 });
  rt.connectByName("src", "out", "good", "in", fifo2);
  const toBad = rt.connectByName("src", "out", "bad", "in", fifo2);
  await rt.start();
  await time.advance(TICKS * 1e6);
  await rt.settled();
  assert.ok(failed("bad"));
  const stats = rt.stats();
  assert.equal(stats.nodes.bad.state, "running");
  assert.equal(stats.nodes.bad.restarts, 1);
  const bad = stats.connections[toBad.id];
  // Set up again, it reads again: nearly every frame since reached it, and queued ones are
  // read, not discarded (the restart in fake time is instant: nothing or next to nothing is).
  assert.ok(probe("bad").received.length >= TICKS - 5, `${probe("bad").received.length} read`);
  assert.equal(bad.read + bad.dropped + bad.discarded + bad.queued, probe("src").calls);
  assert.deepEqual(probe("good").received, [...Array(probe("src").calls).keys()]);
  await rt.stop();
});

Deno.test("A node that fails in setup() holds back none of the nodes beside it", async () => {
  const { rt, time } = fakeTimeRuntime();
  rt.add(counterNode, {}, { id: "src" });
  rt.add(collectorNode, {}, { id: "good" });
  rt.add(collectorNode, { throwInSetup: true }, { id: "bad" });
  rt.connectByName("src", "out", "good", "in", fifo2);
  const toBad = rt.connectByName("src", "out", "bad", "in", fifo2);
  await rt.start();
  await time.advance(TICKS * 1e6);
  assert.equal(probe("good").received.length, probe("src").calls);
  assert.equal(rt.stats().connections[toBad.id].discarded, probe("src").calls);
  await rt.stop();
});

Deno.test("A node that ends before its input does holds back none of the nodes beside it", async () => {
  const { rt, time } = fakeTimeRuntime();
  rt.add(counterNode, {}, { id: "src" });
  rt.add(collectorNode, {}, { id: "good" });
  rt.add(collectorNode, { endAt: 3 }, { id: "done" }); // ends at its third call, reading no more
  rt.connectByName("src", "out", "good", "in", fifo2);
  const toDone = rt.connectByName("src", "out", "done", "in", fifo2);
  await rt.start();
  await time.advance(TICKS * 1e6);
  const stats = rt.stats();
  assert.equal(stats.nodes.done.state, "running", "ended, not failed");
  assert.deepEqual(probe("good").received, [...Array(probe("src").calls).keys()]);
  assert.equal(stats.nodes.src.blockedRuns, 0);
  const done = stats.connections[toDone.id];
  assert.equal(done.read + done.dropped + done.discarded, probe("src").calls);
  assert.ok(done.discarded >= TICKS - 5, `${done.discarded} discarded`);
  await rt.stop();
});

Deno.test("A pull source in the main isolate writes on when its reader on a Worker fails", async () => {
  resetProbes();
  await using rig = workerRig();
  const { rt } = rig;
  const total = 3_000;
  rt.add("Flood", { total }, { id: "flood" });
  rt.add("Collector", {}, { id: "good" });
  rt.add("Collector", { throwAt: 2 }, { id: "bad", placement: { worker: "w" } });
  rt.connectByName("flood", "out", "good", "in", fifo2);
  const toBad = rt.connectByName("flood", "out", "bad", "in", fifo2);
  await rt.start();
  await until(() => probe("good").received.length >= total, `${total} frames at the good sink`);
  assert.deepEqual(probe("good").received, [...Array(total).keys()]);
  // The Worker raises the channel's discard flag in shared memory as the node fails; its
  // node-error message to this isolate can come after the good sink has every frame.
  await until(() => rt.stats().nodes.bad.state === "error", "the failed node's state");
  const bad = rt.stats().connections[toBad.id] as NativeConnectionStats;
  assert.equal(bad.abandoned, false, "the channel stays open: a restart may read it again");
  assert.equal(bad.written + bad.discarded, total);
  await rt.stop();
  // Written: what the node read before it failed (as many as its reads and the writer's refills
  // overlapped in its first call), what was queued then (dropped as it failed, at most the
  // capacity), and at most one push that looked just before the discard flag rose.
  const read = rt.stats().nodes.bad.framesIn;
  assert.ok(bad.written <= read + 2 + 1, `${bad.written} written, ${read} read before failing`);
  assert.equal(rig.backend.pool.stats().inUse, 0, "every pool slot is free again");
  assert.deepEqual(rt.frameLeaks(), []);
});

for (const placement of ["main", "worker"] as const) {
  Deno.test(`A tone fanned out to a node that fails (${placement}) keeps its healthy branch at full rate; no frame leaks`, async () => {
    await using rig = workerRig();
    const { rt, events } = rig;
    const where = placement === "worker" ? { placement: { worker: "w" } } : {};
    rt.add("TestToneGenerator", {}, { id: "tone" });
    const dry = `dry_${placement}`; // taps are per isolate and test file: one id per test
    rt.add("AudioTap", {}, { id: dry });
    rt.add("Crasher", { mode: "throw", failAt: 3 }, { id: "crasher", ...where });
    rt.connectByName("tone", "audio", dry, "in");
    const toCrasher = rt.connectByName("tone", "audio", "crasher", "in", fifo2);
    await rt.start();
    await until(
      () => events.some((e) => e.type === "node-error" && e.node === "crasher"),
      "the crasher's node-error event",
    );
    // Before the failure the crasher's connection held the tone back like any reader's could.
    const { framesOut: before, blockedRuns: blockedBefore } = rt.stats().nodes.tone;
    // Far more blocks than the failed connection holds: it would have stopped the tone.
    await until(() => rt.stats().nodes.tone.framesOut >= before + 100, "100 more blocks");
    await until(
      () => tap(dry).frameNumbers.length >= rt.stats().nodes.tone.framesOut - 2,
      "the dry tap to keep up",
    );
    const stats = rt.stats();
    assert.equal(stats.nodes.crasher.state, "error");
    assert.equal(
      stats.nodes.tone.blockedRuns,
      blockedBefore,
      "the tone never waited for the failed node",
    );
    assert.equal(stats.nodes.tone.framesRefused, 0);
    const bad = stats.connections[toCrasher.id];
    assert.equal(bad.fullRejections, 0);
    assert.ok(bad.discarded >= 100, `${bad.discarded} discarded`);
    await rt.stop();
    const frames = tap(dry).frameNumbers;
    assert.deepEqual(frames, [...Array(frames.length).keys()].map((i) => frames[0] + i));
    assert.deepEqual(rt.frameLeaks(), []);
    assert.equal(rig.backend.pool.stats().inUse, 0, "every pool slot is free again");
  });
}
