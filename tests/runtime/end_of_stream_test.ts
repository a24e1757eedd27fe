/**
 * End of stream (GStreamer's EOS): a source that calls `ctx.endOfStream()` ends, each reader ends
 * once it has read what is queued, and the runtime says `end-of-stream` when every node has
 * ended — in one isolate and across a Worker; a graph with a live branch never ends; a new run
 * starts over.
 */

import assert from "node:assert/strict";
import { NodeRegistry, Runtime, type RuntimeEvent } from "../../mod.ts";
import { WorkerBackend } from "../../ffi/mod.ts";
import {
  addOneNode,
  checkSinkNode,
  resetReports,
  seqSourceNode,
  sinkReport,
} from "../fixtures/runtime/frame_nodes.ts";
import { endOfStream } from "../fixtures/runtime/end_of_stream.ts";

const registry = new NodeRegistry([seqSourceNode, addOneNode, checkSinkNode]);

function chain(rt: Runtime, total: number, capacity: number): void {
  rt.add("SeqSource", { total, frameCount: 8, eos: true }, { id: "src" });
  rt.add("AddOne", {}, { id: "add" });
  rt.add("CheckSink", { hops: 1 }, { id: "sink" });
  rt.connectByName("src", "out", "add", "in", { capacity, policy: "fifo" });
  rt.connectByName("add", "out", "sink", "in", { capacity, policy: "fifo" });
}

Deno.test("end of stream runs down a chain after every frame is delivered, and again on the next start", async () => {
  resetReports();
  await using rt = new Runtime({ registry });
  chain(rt, 500, 4);
  for (let run = 1; run <= 2; run++) {
    const ended = endOfStream(rt);
    await rt.start();
    assert.deepEqual(await ended, ["src", "add", "sink"]);
    assert.equal(rt.ended, true);
    const report = sinkReport("sink");
    assert.equal(report.received, 500 * run, "every block arrived before the sink ended");
    assert.equal(report.corrupt, 0);
    await rt.stop();
    assert.deepEqual(rt.frameLeaks(), []);
    sinkReport("sink").last = -1; // the source counts from 0 again
  }
});

Deno.test("a graph with a live branch does not end; the ended branch stops running", async () => {
  resetReports();
  await using rt = new Runtime({ registry });
  chain(rt, 50, 8);
  rt.add("SeqSource", { total: 1e9, frameCount: 8 }, { id: "live" });
  rt.add("CheckSink", {}, { id: "live_sink" });
  rt.connectByName("live", "out", "live_sink", "in", { capacity: 8, policy: "fifo" });
  const events: RuntimeEvent[] = [];
  rt.on((e) => (e.type === "node-eos" || e.type === "end-of-stream") && events.push(e));
  await rt.start();
  const deadline = Date.now() + 5_000;
  while (events.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(events.map((e) => e.type === "node-eos" ? e.node : e.type), [
    "src",
    "add",
    "sink",
  ]);
  assert.equal(rt.ended, false);
  assert.equal(sinkReport("sink").received, 50);
  assert.ok(sinkReport("live_sink").received > 50, "the live branch keeps running");
  // Removing the live branch leaves only ended nodes: the graph has ended.
  const ended = endOfStream(rt);
  rt.remove("live");
  rt.remove("live_sink");
  assert.deepEqual(await ended, []);
  assert.equal(rt.ended, true);
  await rt.stop();
});

Deno.test("end of stream crosses a Worker after the last frame", async () => {
  resetReports();
  const backend = new WorkerBackend({
    pool: { slotBytes: 4096, slotCount: 64 },
    registries: [new URL("../fixtures/runtime/frame_nodes.ts", import.meta.url)],
  });
  try {
    await using rt = new Runtime({ registry, isolates: backend });
    rt.add("SeqSource", { total: 300, frameCount: 8, eos: true }, { id: "src" });
    rt.add("AddOne", {}, { id: "add", placement: { worker: "w" } });
    rt.add("CheckSink", { hops: 1 }, { id: "sink" });
    rt.connectByName("src", "out", "add", "in", { capacity: 4, policy: "fifo" });
    rt.connectByName("add", "out", "sink", "in", { capacity: 4, policy: "fifo" });
    const ended = endOfStream(rt);
    await rt.start();
    // The Worker's node-eos reaches the main isolate as a message, so it may arrive after the
    // sink's own: every node ended, and the sink only after all 300 frames.
    assert.deepEqual((await ended).sort(), ["add", "sink", "src"]);
    assert.equal(sinkReport("sink").received, 300);
    assert.equal(sinkReport("sink").corrupt, 0);
    // The Worker node's counters are its last ones once the graph has ended, not those of the
    // Worker's last periodic snapshot.
    const add = rt.stats().nodes.add;
    assert.deepEqual([add.framesIn, add.framesOut], [300, 300]);
    await rt.stop();
  } finally {
    await backend.close();
  }
});

for (const worker of [false, true]) {
  Deno.test(`a node that failed for good ends once its inputs end, so the graph still ends${worker ? " (in a Worker)" : ""}`, async () => {
    resetReports();
    const backend = worker
      ? new WorkerBackend({
        pool: { slotBytes: 4096, slotCount: 64 },
        registries: [new URL("../fixtures/runtime/frame_nodes.ts", import.meta.url)],
      })
      : undefined;
    try {
      await using rt = new Runtime({ registry, ...(backend && { isolates: backend }) });
      rt.add("SeqSource", { total: 300, frameCount: 8, eos: true }, { id: "src" });
      rt.add("AddOne", { failAt: 100 }, {
        id: "add",
        ...(worker && { placement: { worker: "w" } }),
      });
      rt.add("CheckSink", { hops: 1 }, { id: "sink" });
      // A healthy branch beside the failed one: its end must not wait for anything.
      rt.add("CheckSink", { hops: 0 }, { id: "tap" });
      rt.connectByName("src", "out", "add", "in", { capacity: 4, policy: "fifo" });
      rt.connectByName("add", "out", "sink", "in", { capacity: 4, policy: "fifo" });
      rt.connectByName("src", "out", "tap", "in", { capacity: 4, policy: "fifo" });
      const errors: string[] = [];
      rt.on((e) => e.type === "node-error" && errors.push(`${e.node}:${e.action}`));
      const ended = endOfStream(rt);
      await rt.start();
      assert.deepEqual((await ended).sort(), ["add", "sink", "src", "tap"]);
      assert.deepEqual(errors, ["add:stop-processor"]);
      assert.equal(rt.describe().nodes.find((n) => n.id === "add")?.state, "error");
      assert.equal(sinkReport("sink").received, 100, "what the node wrote before it failed");
      assert.equal(sinkReport("sink").corrupt, 0);
      assert.equal(sinkReport("tap").received, 300, "the healthy branch got every frame");
      await rt.stop();
      assert.deepEqual(rt.frameLeaks(), []);
    } finally {
      await backend?.close();
    }
  });
}

Deno.test("a node failed for good whose input is still fed does not end; set up again it reads again", async () => {
  resetReports();
  await using rt = new Runtime({ registry });
  rt.add("SeqSource", { total: 1e9, frameCount: 8 }, { id: "live" });
  rt.add("AddOne", { failAt: 20 }, { id: "add" });
  rt.add("CheckSink", { hops: 1 }, { id: "sink" });
  rt.connectByName("live", "out", "add", "in", { capacity: 4, policy: "fifo" });
  rt.connectByName("add", "out", "sink", "in", { capacity: 4, policy: "fifo" });
  const eos: string[] = [];
  rt.on((e) => e.type === "node-eos" && eos.push(e.node));
  await rt.start();
  const deadline = Date.now() + 10_000;
  while (rt.describe().nodes.find((n) => n.id === "add")?.state !== "error") {
    assert.ok(Date.now() < deadline, "add never failed");
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(eos, []);
  // A new config sets it up again (failAt 0: it no longer fails) and frames flow through it.
  const before = sinkReport("sink").received;
  await rt.setConfig("add", { failAt: 0 });
  while (sinkReport("sink").received < before + 20) {
    assert.ok(Date.now() < deadline, "no frames after the new setup");
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(rt.describe().nodes.find((n) => n.id === "add")?.state, "running");
  assert.deepEqual(eos, []);
  await rt.stop();
});
