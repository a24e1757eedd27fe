import assert from "node:assert/strict";
import { Runtime, type RuntimeStats } from "../../mod.ts";
import { floodNode, probe, resetProbes, testRegistry } from "../fixtures/runtime/test_nodes.ts";
import { until, workerRig } from "../fixtures/workers/harness.ts";

const TOTAL = 20_000;
const fifo4 = { capacity: 4, policy: "fifo" } as const;

/** Waits for TOTAL frames at `sink`, stops, and checks order and every connection's counters. */
async function everyFrameThrough(
  rt: Runtime,
  connections: readonly { id: string }[],
): Promise<RuntimeStats> {
  await until(() => probe("sink").received.length >= TOTAL, `${TOTAL} frames at the sink`);
  const stats = rt.stats();
  await rt.stop();
  const received = probe("sink").received;
  assert.equal(received.length, TOTAL);
  for (let i = 0; i < TOTAL; i++) assert.equal(received[i], i, `frame ${i}`);
  for (const { id } of connections) {
    const s = stats.connections[id];
    assert.deepEqual([s.written, s.read, s.dropped, s.fullRejections], [TOTAL, TOTAL, 0, 0], id);
  }
  return stats;
}

Deno.test("fifo back-pressure in one isolate: a flooding source is held back, nothing is lost", async () => {
  resetProbes();
  await using rt = new Runtime({ registry: testRegistry });
  rt.add(floodNode, { total: TOTAL }, { id: "flood" });
  rt.add("Relay", { async: true }, { id: "slow" }); // each call awaits a microtask
  rt.add("Relay", {}, { id: "relay" });
  rt.add("Collector", {}, { id: "sink" });
  const a = rt.connectByName("flood", "out", "slow", "in", fifo4);
  const b = rt.connectByName("slow", "out", "relay", "in", fifo4);
  const c = rt.connectByName("relay", "out", "sink", "in", fifo4);
  await rt.start();
  const stats = await everyFrameThrough(rt, [a, b, c]);
  // The source writes only while its output has room (it throws on a refused write), so it
  // needed at least TOTAL / 4 runs, each started when the reader made room.
  assert.ok(probe("flood").calls >= TOTAL / 4, `${probe("flood").calls} runs`);
  assert.equal(stats.nodes.flood.state, "running");
});

Deno.test("fifo back-pressure across Workers: the writer waits on the reader's room bell, nothing is lost", async () => {
  resetProbes();
  await using rig = workerRig();
  const { rt } = rig;
  rt.add("Flood", { total: TOTAL }, { id: "flood", placement: { worker: "a" } });
  rt.add("Relay", {}, { id: "relay", placement: { worker: "b" } });
  rt.add("Collector", {}, { id: "sink" });
  const a = rt.connectByName("flood", "out", "relay", "in", fifo4);
  const b = rt.connectByName("relay", "out", "sink", "in", fifo4);
  await rt.start();
  await everyFrameThrough(rt, [a, b]);
});
