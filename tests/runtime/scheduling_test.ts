import assert from "node:assert/strict";
import { Runtime } from "../../mod.ts";
import { builtinRegistry, TestToneGenerator } from "../../processors/mod.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";
import {
  collectorNode,
  counterNode,
  probe,
  relayNode,
  resetProbes,
  testRegistry,
  wokenNode,
} from "../fixtures/runtime/test_nodes.ts";

function setup(maxCatchUp = 4) {
  resetProbes();
  const time = new FakeTime();
  const registry = testRegistry.with(builtinRegistry);
  const rt = new Runtime({ registry, clock: time, timers: time, maxCatchUp });
  return { rt, time };
}

Deno.test("Runtime loop nodes run at absolute deadlines: jittery timers do not drift", async () => {
  const { rt, time } = setup();
  rt.add(counterNode, { periodNs: 1e6 }, { id: "src" });
  time.lateByNs = 400_000; // every timer fires 0.4 ms late
  await rt.start();
  await time.advance(100e6);
  const stats = rt.stats().nodes.src;
  assert.equal(stats.calls, 100); // deadlines 0..99 ms; deadline 100 ms fires at 100.4 ms
  assert.equal(stats.lateRuns, 0);
  assert.equal(stats.periodNs, 1e6);
  await time.advance(1e6);
  assert.equal(rt.stats().nodes.src.calls, 101);
  await rt.stop();
});

Deno.test("Runtime loop nodes catch up a bounded number of runs and count late and skipped ones", async () => {
  const { rt, time } = setup(4);
  rt.add(counterNode, { periodNs: 1e6 }, { id: "src" });
  await rt.start();
  await time.advance(0); // deadline 0
  time.jump(10e6); // the event loop stalls for 10 ms
  time.fireDue();
  const stats = rt.stats().nodes.src;
  assert.equal(stats.calls, 1 + 4); // deadlines 1..4 ms caught up
  assert.equal(stats.lateRuns, 4);
  assert.equal(stats.skippedRuns, 6); // deadlines 5..10 ms dropped
  await time.advance(1e6);
  assert.equal(rt.stats().nodes.src.calls, 6); // back on the grid: 11 ms
  await rt.stop();
});

Deno.test("Runtime loop deadlines restart from now after a pause", async () => {
  const { rt, time } = setup();
  rt.add(counterNode, { periodNs: 2e6 }, { id: "src" });
  await rt.start();
  await time.advance(3e6); // 0, 2 ms
  await rt.pause();
  await time.advance(50e6);
  assert.equal(probe("src").calls, 2);
  await rt.resume();
  await time.advance(0);
  assert.equal(probe("src").calls, 3);
  assert.equal(rt.stats().nodes.src.lateRuns + rt.stats().nodes.src.skippedRuns, 0);
  await rt.stop();
});

Deno.test("Runtime push nodes run once per turn however many frames arrived", async () => {
  const { rt, time } = setup(8);
  const src = rt.add(counterNode, { periodNs: 1e6 }, { id: "src" });
  const relay = rt.add(relayNode, {}, { id: "relay" });
  const sink = rt.add(collectorNode, {}, { id: "sink" });
  rt.connect(src.outputs.out, relay.inputs.in, { capacity: 16 });
  rt.connect(relay.outputs.out, sink.inputs.in, { capacity: 16 });
  await rt.start();
  await time.advance(0);
  time.jump(7e6);
  time.fireDue(); // seven loop runs in one tick: seven frames before the next turn
  await time.advance(0);
  assert.deepEqual([probe("relay").calls, probe("sink").calls], [2, 2]);
  assert.deepEqual(probe("sink").received, [0, 1, 2, 3, 4, 5, 6, 7]);
  await rt.stop();
});

Deno.test("Runtime pull nodes run when woken, coalesced, and not while paused or stopped", async () => {
  const { rt, time } = setup();
  const src = rt.add(wokenNode, {}, { id: "pull" });
  const sink = rt.add(collectorNode, {}, { id: "sink" });
  rt.connect(src.outputs.out, sink.inputs.in);
  await rt.start();
  const wake = probe("pull").wake!;
  for (let i = 0; i < 100; i++) wake();
  await time.advance(0);
  assert.equal(probe("pull").calls, 1);
  await rt.pause();
  wake();
  await time.advance(5e6);
  assert.equal(probe("pull").calls, 1);
  await rt.resume();
  await time.advance(0);
  assert.equal(probe("pull").calls, 2);
  await rt.stop();
  wake();
  await time.advance(5e6);
  assert.equal(probe("pull").calls, 2);
  assert.deepEqual(probe("sink").received, [0, 1]);
});

Deno.test("Runtime async push nodes are never re-entered and re-run once for frames that arrived meanwhile", async () => {
  const { rt, time } = setup();
  const src = rt.add(wokenNode, {}, { id: "pull" });
  const relay = rt.add(relayNode, { async: true }, { id: "relay" });
  const sink = rt.add(collectorNode, {}, { id: "sink" });
  rt.connect(src.outputs.out, relay.inputs.in);
  rt.connect(relay.outputs.out, sink.inputs.in);
  let open!: () => void;
  probe("relay").gate = new Promise((resolve) => open = resolve);
  await rt.start();
  const wake = probe("pull").wake!;
  wake();
  await time.advance(0); // the relay is now stuck in its first call
  wake();
  await time.advance(0);
  wake();
  await time.advance(0);
  assert.deepEqual([probe("pull").calls, probe("relay").calls], [3, 1]);
  open();
  await time.advance(0);
  await rt.stop();
  assert.deepEqual(probe("sink").received, [0, 1, 2]);
  assert.equal(probe("relay").calls, 2); // one re-run for the frames that came in meanwhile
  assert.equal(probe("relay").maxActive, 1);
  assert.ok(rt.stats().nodes.relay.processTime.count === 2);
});

Deno.test("TestToneGenerator under a runtime produces real-time audio: one block per blockSize / sampleRate", async () => {
  const { rt, time } = setup();
  const tone = rt.add(TestToneGenerator, { blockSize: 480, sampleRate: 48_000 });
  const sink = rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName(tone.name, "audio", sink.name, "in");
  await rt.start();
  await time.advance(1_000e6);
  const stats = rt.stats();
  assert.equal(stats.nodes[tone.name].periodNs, 10e6);
  assert.equal(stats.nodes[tone.name].calls, 101); // 0, 10, ..., 1000 ms
  assert.equal(stats.nodes.sink.framesIn, 101);
  await rt.stop();
});

Deno.test("a free-running source leaves timers their turn (no chain of turns that never yields)", async () => {
  const { NodeRegistry } = await import("../../mod.ts");
  const { checkSinkNode, seqSourceNode } = await import("../fixtures/runtime/frame_nodes.ts");
  await using rt = new Runtime({ registry: new NodeRegistry([seqSourceNode, checkSinkNode]) });
  rt.add("SeqSource", { total: 1e9, frameCount: 8 }, { id: "src" });
  rt.add("CheckSink", {}, { id: "sink" });
  rt.connectByName("src", "out", "sink", "in", { capacity: 8, policy: "fifo" });
  let last = performance.now();
  let worstGap = 0;
  const interval = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 5);
  await rt.start();
  await new Promise((resolve) => setTimeout(resolve, 400));
  clearInterval(interval);
  await rt.stop();
  assert.ok(rt.stats().nodes.src.framesOut > 1000, "the source ran");
  // Before the fix a 5 ms interval went ~1 s without firing while the source ran.
  assert.ok(worstGap < 150, `a 5 ms interval waited ${worstGap.toFixed(0)} ms`);
});

Deno.test("Runtime loop nodes: a live source stamps frames with the deadline served, so a stall leaves a gap, not a lag", async () => {
  const { rt, time } = setup(4);
  rt.add("TestPattern", { width: 16, height: 16, fps: 100, pixelFormat: "I420" }, {
    id: "pattern",
  });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("pattern", "video", "sink", "in");
  const stamps: number[] = [];
  using _probe = rt.probe("pattern.video", (s) => void stamps.push(s.summary.timestampNs!), {
    everyMs: 5,
  });
  await rt.start();
  const start = time.nowNs();
  await time.advance(0); // deadline 0
  time.jump(100e6); // the loop stalls for 100 ms: deadlines 10..40 ms caught up, 50..100 skipped
  time.fireDue();
  // The probe samples the next frame written once its period (on real timers) has passed.
  await new Promise((r) => setTimeout(r, 30));
  await time.advance(10e6); // deadline 110 ms
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(rt.stats().nodes.pattern.skippedRuns, 6);
  assert.equal(stamps.at(-1)! - start, 110e6, `on the clock after the stall: ${stamps}`);
  await rt.stop();
});

Deno.test("Runtime runs loop deadlines and push turns through the timers' guard", async () => {
  resetProbes();
  const time = new FakeTime();
  let guarded = 0;
  const timers = {
    setTimeout: (callback: () => void, ms: number) => time.setTimeout(callback, ms),
    clearTimeout: (id: number) => time.clearTimeout(id),
    guard: (turn: () => void) => {
      guarded++;
      turn();
    },
  };
  const registry = testRegistry.with(builtinRegistry);
  const rt = new Runtime({ registry, clock: time, timers });
  rt.add(counterNode, { periodNs: 1e6 }, { id: "src" });
  rt.add(relayNode, {}, { id: "relay" });
  rt.add(collectorNode, {}, { id: "sink" });
  rt.connectByName("src", "out", "relay", "in");
  rt.connectByName("relay", "out", "sink", "in");
  await rt.start();
  await time.advance(10e6);
  await rt.stop();
  const ticks = rt.stats().nodes.src.calls;
  assert.ok(ticks >= 10, `${ticks} deadlines`);
  assert.ok(probe("sink").received.length >= 10, `${probe("sink").received.length} received`);
  // Each deadline is one guarded call, and the turn its frame wakes (a microtask) another.
  assert.ok(guarded >= 2 * ticks, `${guarded} guarded calls for ${ticks} deadlines`);
});
