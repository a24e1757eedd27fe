import assert from "node:assert/strict";
import { FrameReleasedError, NodeRegistry, Runtime, type RuntimeEvent } from "../../mod.ts";
import {
  addOneNode,
  checkSinkNode,
  hoarderNode,
  resetReports,
  seqSourceNode,
  sinkReport,
  staleRelayNode,
} from "../fixtures/runtime/frame_nodes.ts";

const registry = new NodeRegistry([
  seqSourceNode,
  addOneNode,
  checkSinkNode,
  hoarderNode,
  staleRelayNode,
]);

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const SEED = Number(Deno.env.get("FRAME_TEST_SEED") ?? Date.now() % 1_000_000);

Deno.test(`Frames through random graphs (seed ${SEED}): content intact, fifo lossless, latest rising, nothing leaks`, async () => {
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  for (let graph = 0; graph < 12; graph++) {
    resetReports();
    // A small memory budget on some graphs makes allocation wait (back-pressure) now and then.
    const tight = random() < 0.3;
    await using rt = new Runtime({ registry, frameMemoryBytes: tight ? 64 * 1024 : undefined });
    const leakEvents: RuntimeEvent[] = [];
    rt.on((e) => e.type === "node-warning" && e.code === "frame_leak" && leakEvents.push(e));
    const total = 200 + Math.floor(random() * 400);
    const frameCount = 1 + Math.floor(random() * 64);
    rt.add("SeqSource", { total, frameCount }, { id: "src" });
    // Branches fan out from the source; each is a chain of 0-3 AddOne nodes ending in a sink.
    const branches = 1 + Math.floor(random() * 4);
    const sinks: { id: string; latest: boolean }[] = [];
    for (let b = 0; b < branches; b++) {
      const hops = Math.floor(random() * 4);
      const latest = random() < 0.35;
      let from = "src";
      for (let h = 0; h < hops; h++) {
        const id = `b${b}_add${h}`;
        rt.add("AddOne", {}, { id });
        const capacity = 1 + Math.floor(random() * 256);
        rt.connectByName(from, "out", id, "in", { capacity, policy: "fifo" });
        from = id;
      }
      const sink = `b${b}_sink`;
      rt.add("CheckSink", { hops, latest }, { id: sink });
      const capacity = 1 + Math.floor(random() * 256);
      rt.connectByName(from, "out", sink, "in", { capacity, policy: latest ? "latest" : "fifo" });
      sinks.push({ id: sink, latest });
    }
    await rt.start();
    // Rewire while running: now and then a branch's last hop is cut and connected again.
    const rewires = Math.floor(random() * 3);
    for (let r = 0; r < rewires; r++) {
      await new Promise((res) => setTimeout(res, Math.floor(random() * 5)));
      const victim = pick(sinks);
      const conn = rt.describe().connections.find((c) => c.to === `${victim.id}.in`);
      if (!conn) continue;
      rt.disconnect(conn.id);
      const [fromNode, fromPort] = conn.from.split(".");
      rt.connectByName(fromNode, fromPort, victim.id, "in", {
        capacity: 1 + Math.floor(random() * 256),
        policy: victim.latest ? "latest" : "fifo",
      });
      victim.latest = true; // frames were dropped with the old connection: only order counts now
    }
    const fifoSinks = sinks.filter((s) => !s.latest);
    await until(
      "every fifo sink to see every frame",
      () => fifoSinks.every((s) => sinkReport(s.id).received === total),
    );
    await rt.stop();
    for (const { id, latest } of sinks) {
      const report = sinkReport(id);
      assert.equal(report.corrupt, 0, `${id}: a block's content changed under it (seed ${SEED})`);
      if (!latest) {
        assert.equal(report.outOfOrder, 0, `${id}: fifo out of order (seed ${SEED})`);
        assert.equal(report.received, total);
      }
    }
    assert.deepEqual(rt.frameLeaks(), [], `graph ${graph} leaked (seed ${SEED})`);
    assert.deepEqual(leakEvents, []);
  }
});

Deno.test("Runtime.stop() reports frames never released by the node and port that hold them, with a frame_leak warning", async () => {
  resetReports();
  await using rt = new Runtime({ registry });
  const warnings: RuntimeEvent[] = [];
  rt.on((e) => e.type === "node-warning" && warnings.push(e));
  rt.add("SeqSource", { total: 10 }, { id: "src" });
  rt.add("Hoarder", {}, { id: "hoard" });
  rt.connectByName("src", "out", "hoard", "in", { capacity: 4, policy: "fifo" });
  await rt.start();
  await until("the hoarder to read", () => rt.stats().nodes.hoard.calls > 0);
  await new Promise((r) => setTimeout(r, 20));
  await rt.stop();
  // The hoarder kept it: it is named, not the source that made it.
  assert.deepEqual(rt.frameLeaks(), [
    { node: "hoard", port: "hoard.in", madeBy: "src", kind: "audio", count: 1 },
  ]);
  assert.equal(warnings.length, 1);
  const warning = warnings[0] as { node: string; port: string; processor: string; message: string };
  assert.deepEqual([warning.node, warning.port, warning.processor], ["hoard", "in", "Hoarder"]);
  assert.match(
    warning.message,
    /1 audio frame\(s\) held by 'hoard' at 'hoard.in' \(made by 'src'\) were never released/,
  );
});

Deno.test("A frame read after its run returned throws FrameReleasedError; the node fails per its policy", async () => {
  await using rt = new Runtime({ registry });
  const errors: RuntimeEvent[] = [];
  rt.on((e) => e.type === "node-error" && errors.push(e));
  rt.add("SeqSource", { total: 10 }, { id: "src" });
  rt.add("Hoarder", { reuse: true }, { id: "late" });
  rt.connectByName("src", "out", "late", "in", { capacity: 1, policy: "fifo" });
  await rt.start();
  await until("the late reader to fail", () => errors.length > 0);
  assert.equal(rt.describe().nodes.find((n) => n.id === "late")?.state, "error");
  await rt.stop();
  const error = errors[0] as { node: string; message: string; name?: string };
  assert.equal(error.node, "late");
  assert.match(
    error.message,
    /Cannot read a released audio frame \(made by 'src', last held by 'late' at 'late.in'\)/,
  );
  assert.deepEqual(rt.frameLeaks(), []);
  assert.ok(new FrameReleasedError("audio", "src").code === "frame_released");
});

Deno.test("A node asking for a frame above maxFrameBytes fails with FrameTooLargeError; the rest of the graph runs on", async () => {
  resetReports();
  await using rt = new Runtime({ registry, maxFrameBytes: 1024 * 1024 });
  const errors: RuntimeEvent[] = [];
  rt.on((e) => e.type === "node-error" && errors.push(e));
  rt.add("SeqSource", { total: 100, frameCount: 1_000_000 }, { id: "huge" }); // 4 MB blocks
  rt.add("CheckSink", {}, { id: "huge_sink" });
  rt.add("SeqSource", { total: 300, frameCount: 16 }, { id: "small" });
  rt.add("CheckSink", {}, { id: "small_sink" });
  rt.connectByName("huge", "out", "huge_sink", "in", { capacity: 4, policy: "fifo" });
  rt.connectByName("small", "out", "small_sink", "in", { capacity: 4, policy: "fifo" });
  await rt.start();
  await until("the small branch to finish", () => sinkReport("small_sink").received === 300);
  assert.equal(rt.describe().nodes.find((n) => n.id === "huge")?.state, "error");
  await rt.stop();
  const error = errors[0] as { node: string; message: string };
  assert.equal(error.node, "huge");
  assert.match(
    error.message,
    /Cannot allocate a frame of 4000000 bytes: .* at most 1048576 bytes per frame/,
  );
  assert.equal(sinkReport("huge_sink").received, 0);
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("Writing a released frame throws FrameReleasedError in the writer, naming its node and port; nothing dead reaches the reader", async () => {
  resetReports();
  await using rt = new Runtime({ registry });
  const errors: RuntimeEvent[] = [];
  rt.on((e) => e.type === "node-error" && errors.push(e));
  rt.add("SeqSource", { total: 10 }, { id: "src" });
  rt.add("StaleRelay", {}, { id: "relay" });
  rt.add("CheckSink", {}, { id: "sink" });
  rt.connectByName("src", "out", "relay", "in", { capacity: 4, policy: "fifo" });
  rt.connectByName("relay", "out", "sink", "in", { capacity: 4, policy: "fifo" });
  await rt.start();
  await until("the relay to fail", () => errors.length > 0);
  assert.notEqual(rt.describe().nodes.find((n) => n.id === "sink")?.state, "error");
  await rt.stop();
  assert.equal(errors.length, 1, "only the writer fails, the reader is not blamed");
  const error = errors[0] as { node: string; name?: string; code?: string; message: string };
  assert.deepEqual([error.node, error.name], ["relay", "FrameReleasedError"]);
  assert.match(
    error.message,
    /Cannot write a released audio frame \(made by 'src'\) to 'relay.out': node 'relay'/,
  );
  assert.equal(sinkReport("sink").received, 0);
  assert.deepEqual(rt.frameLeaks(), []);
});
