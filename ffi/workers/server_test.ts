import assert from "node:assert/strict";
import { gainNode } from "../../processors/transforms/gain.gen.ts";
import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
import { FramePool } from "../transport/frame_pool.ts";
import type { WorkerNodeSpec, WorkerReport } from "./protocol.ts";
import { WorkerServer } from "./server.ts";

function node(id: string, processor: string, moduleUrl: string | undefined): WorkerNodeSpec {
  return { id, processor, moduleUrl, config: {}, onError: "stop-processor", maxRestarts: 0 };
}

function server(pool: FramePool) {
  const reports: WorkerReport[] = [];
  const s = new WorkerServer({
    isolate: "worker:t",
    pool,
    registries: [],
    post: (r) => reports.push(r),
  });
  return { server: s, reports };
}

Deno.test("WorkerServer applies commands in order and answers calls with a snapshot", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
  const { server: s, reports } = server(pool);
  s.handle({ op: "addNode", spec: node("gain", "Gain", gainNode.moduleUrl) });
  s.handle({ op: "addNode", spec: node("sink", "NullSink", nullSinkNode.moduleUrl) });
  const from = { node: "gain", port: "out" };
  const to = { node: "sink", port: "in" };
  s.handle({ op: "connect", spec: { id: "c1", from, to, capacity: 4, policy: "fifo" } });
  s.handle({ op: "call", id: 7, call: "setup" });
  await s.idle(); // the host awaits setup before it posts run
  s.handle({ op: "run" });
  await s.idle();
  const reply = reports.find((r) => r.type === "reply")!;
  assert.equal(reply.type === "reply" && reply.id, 7);
  assert.equal(reply.type === "reply" && reply.snapshot.nodes.gain.state, "starting");
  assert.deepEqual(Object.keys(s.snapshot().connections), ["c1"]);
  const running = reports.filter((r) =>
    r.type === "event" && r.event.type === "node-state" && r.event.to === "running"
  );
  assert.equal(running.length, 2);
  assert.deepEqual(running.map((r) => r.type === "event" && r.current?.state), [
    "running",
    "running",
  ]);
  s.handle({ op: "call", id: 8, call: "halt" });
  s.handle({ op: "call", id: 9, call: "teardown" });
  await s.idle();
  assert.equal(s.snapshot().nodes.sink.state, "stopped");
  await s.close();
});

Deno.test("WorkerServer reports a node whose definition cannot be found as node-failed", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
  const { server: s, reports } = server(pool);
  s.handle({ op: "addNode", spec: node("fft", "Fft", gainNode.moduleUrl) });
  s.handle({ op: "call", id: 1, call: "removeNode", node: "fft" });
  await s.idle();
  const failed = reports.find((r) => r.type === "node-failed");
  assert.equal(failed?.type === "node-failed" && failed.node, "fft");
  assert.match(failed?.type === "node-failed" ? failed.message : "", /Cannot find processor 'Fft'/);
  assert.equal(s.active, false);
  assert.ok(reports.some((r) => r.type === "reply" && r.id === 1), "removing it still answers");
});
