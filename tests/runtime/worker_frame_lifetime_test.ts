/**
 * Frame lifetime across isolates: a use after release in a Worker fails with the typed error, and
 * a Worker killed mid-stream gives back every pool slot it held while the rest of the graph runs.
 */

import assert from "node:assert/strict";
import { NodeRegistry, Runtime, type RuntimeEvent } from "../../mod.ts";
import { WorkerBackend } from "../../ffi/mod.ts";
import {
  checkSinkNode,
  hoarderNode,
  resetReports,
  seqSourceNode,
  sinkReport,
  staleRelayNode,
} from "../fixtures/runtime/frame_nodes.ts";
import { keeperNode } from "../fixtures/runtime/keeper_node.ts";
import { until } from "../fixtures/workers/harness.ts";

const FRAME_NODES = new URL("../fixtures/runtime/frame_nodes.ts", import.meta.url).href;
const KEEPER = new URL("../fixtures/runtime/keeper_node.ts", import.meta.url).href;

function rig(slotCount = 64) {
  const backend = new WorkerBackend({
    pool: { slotBytes: 4096, slotCount },
    registries: [FRAME_NODES, KEEPER],
  });
  const rt = new Runtime({
    registry: new NodeRegistry([
      seqSourceNode,
      checkSinkNode,
      hoarderNode,
      keeperNode,
      staleRelayNode,
    ]),
    isolates: backend,
  });
  const events: RuntimeEvent[] = [];
  rt.on((e) => events.push(e));
  return {
    rt,
    backend,
    events,
    async [Symbol.asyncDispose]() {
      await rt[Symbol.asyncDispose]();
      await backend.close();
    },
  };
}

Deno.test("A frame read in a Worker after its run returned throws FrameReleasedError there; the node fails, nothing leaks", async () => {
  await using r = rig();
  const { rt, backend, events } = r;
  rt.add("SeqSource", { total: 10 }, { id: "src" });
  rt.add("Hoarder", { reuse: true }, { id: "late", placement: { worker: "w" } });
  rt.connectByName("src", "out", "late", "in", { capacity: 1, policy: "fifo" });
  await rt.start();
  const isError = (e: RuntimeEvent) => e.type === "node-error" && e.node === "late";
  await until(() => events.some(isError), "the late reader in the Worker to fail");
  const error = events.find(isError) as RuntimeEvent & { name?: string; message: string };
  assert.equal(error.name, "FrameReleasedError");
  // Read across an isolate, the frame still names its maker and the node that held it.
  assert.match(
    error.message,
    /Cannot read a released audio frame \(made by 'src', last held by 'late' at 'late.in'\)/,
  );
  assert.equal(rt.describe().nodes.find((n) => n.id === "late")?.isolate, "worker:w");
  assert.equal(rt.describe().nodes.find((n) => n.id === "late")?.state, "error");
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0);
});

Deno.test("Runtime.stop() reports a frame kept and never released in a Worker, and frees what is queued to a failed Worker node", async () => {
  await using r = rig();
  const { rt, backend } = r;
  rt.add("SeqSource", { total: 10 }, { id: "src" });
  rt.add("Hoarder", {}, { id: "hoard", placement: { worker: "w" } });
  rt.connectByName("src", "out", "hoard", "in", { capacity: 4, policy: "fifo" });
  rt.add("SeqSource", { total: 10 }, { id: "src2" });
  rt.add("Hoarder", { reuse: true }, { id: "late", placement: { worker: "w" } });
  const toLate = rt.connectByName("src2", "out", "late", "in", { capacity: 8, policy: "fifo" });
  await rt.start();
  await until(() => rt.stats().nodes.src.framesOut === 10, "the first source to finish");
  await until(
    () => rt.describe().nodes.find((n) => n.id === "late")?.state === "error",
    "the late reader to fail",
  );
  await rt.stop();
  // The kept block is counted in the Worker, where it was read, under the node that kept it.
  assert.deepEqual(rt.frameLeaks(), [
    { node: "hoard", port: "hoard.in", madeBy: "src", kind: "audio", count: 1 },
  ]);
  const leak = r.events.find((e) => e.type === "node-warning" && e.code === "frame_leak") as
    | { node: string; port: string; processor: string }
    | undefined;
  assert.deepEqual([leak?.node, leak?.port, leak?.processor], ["hoard", "in", "Hoarder"]);
  // Only that block's slot is in use: what was queued to the failed node was dropped at stop.
  assert.equal(backend.pool.stats().inUse, 1);
  assert.equal(rt.stats().connections[toLate.id].queued, 0);
});

Deno.test("Killing a Worker that holds pool slots gives them all back while the main branch runs on", async () => {
  resetReports();
  await using r = rig(64);
  const { rt, backend, events } = r;
  // Main branch: every block checked for content and order.
  rt.add("SeqSource", { total: 1_000_000_000 }, { id: "src" });
  rt.add("CheckSink", {}, { id: "sink" });
  rt.connectByName("src", "out", "sink", "in", { capacity: 4, policy: "fifo" });
  // Worker branch: the keeper pins 40 slots, more queue to it.
  rt.add("SeqSource", { total: 1_000_000_000 }, { id: "feed" });
  rt.add("Keeper", { count: 40 }, { id: "keeper", placement: { worker: "doomed" } });
  rt.connectByName("feed", "out", "keeper", "in", { capacity: 8, policy: "fifo" });
  await rt.start();
  const pool = backend.pool;
  await until(() => pool.stats().inUse >= 40, "the Worker to pin 40 slots");
  const pinned = pool.stats().inUse;

  await backend.hosts[0].terminate();
  await until(() => events.some((e) => e.type === "worker-exit"), "the worker-exit event");
  // The dead Worker's 40 kept frames and the 8 queued to it come back; what stays in use is the
  // main branch's own traffic (a capacity-4 connection and one run's frames).
  await until(
    () => pool.stats().inUse <= 8,
    `the dead Worker's slots to come back (was ${pinned})`,
  );
  assert.equal(rt.state, "running");
  const before = sinkReport("sink").received;
  await until(() => sinkReport("sink").received >= before + 500, "the main branch to run on");
  await rt.stop();
  assert.equal(pool.stats().inUse, 0, "the pool is all free at stop");
  assert.deepEqual(rt.frameLeaks(), []);
  const report = sinkReport("sink");
  assert.equal(report.corrupt, 0);
  assert.equal(report.outOfOrder, 0);
  assert.equal(rt.describe().nodes.find((n) => n.id === "keeper")?.state, "error");
});

Deno.test("Writing a released frame in a Worker throws there, naming the writing node and port", async () => {
  resetReports();
  await using r = rig();
  const { rt, backend, events } = r;
  rt.add("SeqSource", { total: 10 }, { id: "src" });
  rt.add("StaleRelay", {}, { id: "relay", placement: { worker: "w" } });
  rt.add("CheckSink", {}, { id: "sink" });
  rt.connectByName("src", "out", "relay", "in", { capacity: 4, policy: "fifo" });
  rt.connectByName("relay", "out", "sink", "in", { capacity: 4, policy: "fifo" });
  await rt.start();
  const isError = (e: RuntimeEvent) => e.type === "node-error";
  await until(() => events.some(isError), "the relay in the Worker to fail");
  assert.notEqual(rt.describe().nodes.find((n) => n.id === "sink")?.state, "error");
  await rt.stop();
  const errors = events.filter(isError) as (RuntimeEvent & { name?: string; message: string })[];
  assert.deepEqual(errors.map((e) => [e.type === "node-error" && e.node, e.name]), [
    ["relay", "FrameReleasedError"],
  ]);
  assert.match(
    errors[0].message,
    /Cannot write a released audio frame \(made by 'src'\) to 'relay.out': node 'relay'/,
  );
  assert.equal(sinkReport("sink").received, 0);
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0);
});
