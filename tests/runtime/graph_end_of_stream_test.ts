/**
 * Ending a whole graph (GStreamer's EOS sent into a pipeline): `rt.endOfStream()` ends every
 * source, live ones included, the end runs down every branch after what is queued, and
 * `end-of-stream` follows; a node asks for the same with `ctx.endOfStream({ graph: true })` (what
 * `VideoWindow` does when its window is closed), in one isolate and across a Worker; a source on a
 * host that cannot end it (a native plugin's) makes the runtime stop instead.
 */

import assert from "node:assert/strict";
import { NodeRegistry, Runtime, type RuntimeEvent } from "../../mod.ts";
import { fileURLToPath } from "node:url";
import { NativePlugin, WorkerBackend } from "../../ffi/mod.ts";
import { until, workerRig } from "../fixtures/workers/harness.ts";
import { tap } from "../fixtures/workers/worker_nodes.ts";
import {
  addOneNode,
  checkSinkNode,
  closingSinkNode,
  resetReports,
  seqSourceNode,
  sinkReport,
} from "../fixtures/runtime/frame_nodes.ts";

const registry = new NodeRegistry([seqSourceNode, addOneNode, checkSinkNode, closingSinkNode]);
/** Live: a source that never ends by itself. */
const LIVE = { total: 1e12, frameCount: 8 };

/** The `node-eos` events up to `end-of-stream`; rejects after `ms`. */
function ended(rt: Runtime, ms = 20_000): Promise<RuntimeEvent[]> {
  const events: RuntimeEvent[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no end-of-stream; ended: ${JSON.stringify(events)}`)),
      ms,
    );
    const off = rt.on((event) => {
      if (event.type === "node-eos") events.push(event);
      if (event.type !== "end-of-stream") return;
      clearTimeout(timer);
      off();
      resolve(events);
    });
  });
}

const EXT = Deno.build.os === "darwin" ? "dylib" : Deno.build.os === "windows" ? "dll" : "so";
const PREFIX = Deno.build.os === "windows" ? "" : "lib";
/** The example plugin of the workspace's release build (its `NativeTone` is a native source). */
const EXAMPLE_PLUGIN = fileURLToPath(
  new URL(`../../crates/target/release/${PREFIX}streamlib_example_plugin.${EXT}`, import.meta.url),
);

const nodesOf = (events: RuntimeEvent[]) =>
  events.flatMap((e) => e.type === "node-eos" ? [e.node] : []).sort();

Deno.test("Runtime.endOfStream() ends a graph of live sources after every frame queued is delivered", async () => {
  resetReports();
  await using rt = new Runtime({ registry });
  rt.add("SeqSource", LIVE, { id: "src" });
  rt.add("AddOne", {}, { id: "add" });
  rt.add("CheckSink", { hops: 1 }, { id: "sink" });
  rt.add("SeqSource", LIVE, { id: "other" });
  rt.add("CheckSink", {}, { id: "other_sink" });
  rt.connectByName("src", "out", "add", "in", { capacity: 4, policy: "fifo" });
  rt.connectByName("add", "out", "sink", "in", { capacity: 4, policy: "fifo" });
  rt.connectByName("other", "out", "other_sink", "in", { capacity: 4, policy: "fifo" });
  const done = ended(rt);
  await rt.start();
  await until(() => sinkReport("sink").received > 20, "frames through the chain");
  rt.endOfStream();
  const events = await done;
  assert.deepEqual(nodesOf(events), ["add", "other", "other_sink", "sink", "src"]);
  assert.ok(events.every((e) => !("graph" in e)), "nobody asked: the application ended it");
  assert.equal(rt.ended, true);
  rt.endOfStream(); // ended already: nothing
  for (const id of ["sink", "other_sink"]) {
    const report = sinkReport(id);
    assert.equal(report.corrupt, 0);
    assert.equal(report.outOfOrder, 0, `${id}: every frame, in order`);
    assert.equal(report.received, report.last + 1, `${id}: nothing lost before the end`);
  }
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("Runtime.endOfStream() refuses a runtime that is not running or paused", async () => {
  await using rt = new Runtime({ registry });
  rt.add("SeqSource", LIVE, { id: "src" });
  assert.throws(() => rt.endOfStream(), (error: Error & { code?: string; details?: unknown }) => {
    assert.equal(error.name, "RuntimeStateError");
    assert.equal(error.code, "invalid_state");
    assert.match(error.message, /it is stopped, expected running or paused/);
    return true;
  });
});

Deno.test("ctx.endOfStream({ graph: true }) from a sink ends every branch, live sources too", async () => {
  resetReports();
  await using rt = new Runtime({ registry });
  rt.add("SeqSource", LIVE, { id: "src" });
  rt.add("ClosingSink", { after: 50 }, { id: "window" });
  rt.add("AddOne", {}, { id: "add" });
  rt.add("CheckSink", { hops: 1 }, { id: "recorder" });
  rt.connectByName("src", "out", "window", "in", { capacity: 4, policy: "fifo" });
  rt.add("SeqSource", LIVE, { id: "other" });
  rt.connectByName("other", "out", "add", "in", { capacity: 4, policy: "fifo" });
  rt.connectByName("add", "out", "recorder", "in", { capacity: 4, policy: "fifo" });
  for (let run = 1; run <= 2; run++) {
    const done = ended(rt);
    await rt.start();
    const events = await done;
    assert.deepEqual(nodesOf(events), ["add", "other", "recorder", "src", "window"]);
    const asked = events.filter((e) => e.type === "node-eos" && e.graph === true);
    assert.deepEqual(asked.map((e) => e.type === "node-eos" && e.node), ["window"]);
    assert.equal(rt.ended, true);
    const recorder = sinkReport("recorder");
    assert.equal(recorder.outOfOrder, 0);
    assert.equal(recorder.received, recorder.last + 1, "the other branch drained in order");
    await rt.stop();
    assert.deepEqual(rt.frameLeaks(), []);
    resetReports(); // the next run counts from 0
  }
});

Deno.test("ctx.endOfStream({ graph: true }) crosses Workers both ways", async () => {
  resetReports();
  const backend = new WorkerBackend({
    pool: { slotBytes: 4096, slotCount: 64 },
    registries: [new URL("../fixtures/runtime/frame_nodes.ts", import.meta.url)],
  });
  try {
    await using rt = new Runtime({ registry, isolates: backend });
    // The window asks from a Worker; the live source it ends runs on another.
    rt.add("SeqSource", LIVE, { id: "src", placement: { worker: "a" } });
    rt.add("AddOne", {}, { id: "add" });
    rt.add("ClosingSink", { hops: 1, after: 30 }, { id: "window", placement: { worker: "b" } });
    rt.connectByName("src", "out", "add", "in", { capacity: 4, policy: "fifo" });
    rt.connectByName("add", "out", "window", "in", { capacity: 4, policy: "fifo" });
    const done = ended(rt);
    await rt.start();
    const events = await done;
    assert.deepEqual(nodesOf(events), ["add", "src", "window"]);
    assert.ok(events.some((e) => e.type === "node-eos" && e.node === "window" && e.graph));
    await rt.stop();
    assert.deepEqual(rt.frameLeaks(), []);
  } finally {
    await backend.close();
  }
});

Deno.test("Runtime.endOfStream() stops the runtime when a source is on a host that cannot end it (a native plugin's)", async () => {
  const plugin = NativePlugin.load(EXAMPLE_PLUGIN);
  try {
    await using rig = workerRig();
    const { rt } = rig;
    rt.use(plugin);
    rt.add("NativeTone", {}, { id: "ntone" });
    rt.add("AudioTap", {}, { id: "ntone_tap" });
    rt.connectByName("ntone", "audio", "ntone_tap", "in");
    await rt.start();
    await until(() => tap("ntone_tap").frameNumbers.length >= 5, "blocks from NativeTone");
    rt.endOfStream();
    await until(() => rt.state === "stopped", "the runtime stopped");
    assert.equal(rt.ended, false, "stopped, not ended: the native source could not end");
    assert.deepEqual(rt.frameLeaks(), []);
  } finally {
    plugin.close();
  }
});
