/**
 * The random-graph property test of `frame_lifetime_test.ts`, across isolates: transforms are
 * placed at random in the main isolate or one of two Workers, so frames cross native connections
 * (by slot reference) and local ones, fan out, and are rewired while running. Every sink checks
 * each block's content (every sample = its number + the hops it went through) and order; at stop
 * the shared frame pool is all free and nothing leaked in any isolate.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { NodeRegistry, Runtime } from "../../mod.ts";
import { NativePlugin, WorkerBackend } from "../../ffi/mod.ts";
import {
  addOneNode,
  checkSinkNode,
  resetReports,
  seqSourceNode,
  sinkReport,
  stereoAddOneNode,
  stereoCheckSinkNode,
  stereoSeqSourceNode,
} from "../fixtures/runtime/frame_nodes.ts";
import { until } from "../fixtures/workers/harness.ts";

const FRAME_NODES = new URL("../fixtures/runtime/frame_nodes.ts", import.meta.url).href;

/** mulberry32, so a failing run can be repeated with its seed. */
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

const SEED = Number(Deno.env.get("FRAME_TEST_SEED") ?? Date.now() % 1_000_000);
const PLACES = [undefined, { worker: "w0" }, { worker: "w1" }] as const;

Deno.test(`Frames through random graphs across Workers (seed ${SEED}): content intact, fifo lossless, latest rising, pool all free at stop`, async () => {
  // The pool has more slots than every connection can queue.
  await randomGraphs(SEED, 4096, true);
});

Deno.test(`Frames through random graphs across Workers with an 8-slot pool (seed ${SEED}): content intact, every frame delivered or counted, pool all free at stop`, async () => {
  // Frames made while every slot is held live in JavaScript memory and must be copied into a
  // slot to cross an isolate: a fifo writer keeps such a frame until a slot frees (back-pressure)
  // and gives it up, counted, after POOL_WAIT_LIMIT_MS (when queues hold every slot, a wait that
  // would never end). With 8 slots and queues of up to 256 frames that happens.
  await randomGraphs(SEED + 1, 8, false);
});

Deno.test(`Frames through random graphs across Workers and a native plugin (seed ${SEED}): content intact, fifo lossless, pool all free at stop`, async () => {
  // NativeGain (gain 1, so content is unchanged) from the example plugin: its frames go TS ->
  // native -> Worker by slot reference, and its isolate releases them like any other.
  const ext = Deno.build.os === "darwin" ? "dylib" : Deno.build.os === "windows" ? "dll" : "so";
  const prefix = Deno.build.os === "windows" ? "" : "lib";
  const path = fileURLToPath(
    new URL(
      `../../crates/target/release/${prefix}streamlib_example_plugin.${ext}`,
      import.meta.url,
    ),
  );
  const plugin = NativePlugin.load(path);
  try {
    await randomGraphs(SEED + 2, 4096, true, plugin);
  } finally {
    plugin.close();
  }
});

/** Waits until `snapshot()` has not changed for 600 ms (at most 20 s). */
async function settled(snapshot: () => string): Promise<void> {
  let last = snapshot();
  let since = performance.now();
  const deadline = since + 20_000;
  while (performance.now() - since < 600) {
    if (performance.now() > deadline) throw new Error("the graph never settled");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = snapshot();
    if (now !== last) [last, since] = [now, performance.now()];
  }
}

async function randomGraphs(
  seed: number,
  slotCount: number,
  lossless: boolean,
  plugin?: NativePlugin,
): Promise<void> {
  const SEED = seed;
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  // One backend for every graph: its Workers stay up between runtimes, as in a long-lived app.
  const backend = new WorkerBackend({
    // Blocks of up to 64 frames of f32, stereo beside the native plugin.
    pool: { slotBytes: 64 + 64 * 4 * (plugin ? 2 : 1), slotCount },
    registries: [FRAME_NODES],
  });
  try {
    for (let graph = 0; graph < 6; graph++) {
      resetReports();
      const nodes = plugin
        ? [stereoSeqSourceNode, stereoAddOneNode, stereoCheckSinkNode]
        : [seqSourceNode, addOneNode, checkSinkNode];
      const [SOURCE, ADD, SINK] = nodes.map((n) => n.descriptor.name);
      await using rt = new Runtime({
        registry: new NodeRegistry(nodes),
        isolates: backend,
      });
      const total = 200 + Math.floor(random() * 300);
      const frameCount = 1 + Math.floor(random() * 64);
      if (plugin) rt.use(plugin);
      rt.add(SOURCE, { total, frameCount }, { id: "src" });
      const branches = 1 + Math.floor(random() * 3);
      const sinks: { id: string; latest: boolean; configLatest: boolean; rewired?: boolean }[] = [];
      for (let b = 0; b < branches; b++) {
        const hops = Math.floor(random() * 4);
        const latest = random() < 0.35;
        let from = "src";
        for (let h = 0; h < hops; h++) {
          const id = `b${b}_add${h}`;
          rt.add(ADD, {}, { id, placement: pick(PLACES) });
          const capacity = 1 + Math.floor(random() * 256);
          rt.connectByName(from, "out", id, "in", { capacity, policy: "fifo" });
          from = id;
          if (plugin && random() < 0.5) {
            // A native hop that leaves the content as it is (not counted in `hops`).
            const gain = `b${b}_gain${h}`;
            rt.add("NativeGain", { gain: 1 }, { id: gain });
            rt.connectByName(from, "out", gain, "in", {
              capacity: 1 + Math.floor(random() * 256),
              policy: "fifo",
            });
            from = gain;
          }
        }
        const sink = `b${b}_sink`;
        rt.add(SINK, { hops, latest }, { id: sink });
        const capacity = 1 + Math.floor(random() * 256);
        rt.connectByName(from, "out", sink, "in", {
          capacity,
          policy: latest ? "latest" : "fifo",
        });
        sinks.push({ id: sink, latest, configLatest: latest });
      }
      await rt.start();
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
        victim.latest = true; // frames were dropped with the old connection: only order counts
        victim.rewired = true;
      }
      const fifoSinks = sinks.filter((s) => !s.latest);
      const steadyLatest = sinks.filter((s) => s.configLatest && !s.rewired);
      if (lossless) {
        await until(
          () =>
            rt.stats().nodes.src.framesOut === total &&
            fifoSinks.every((s) => sinkReport(s.id).received === total) &&
            steadyLatest.every((s) => sinkReport(s.id).last === total - 1),
          `every fifo sink to see every frame (graph ${graph}, seed ${SEED})`,
        );
      } else {
        await until(() => rt.stats().nodes.src.framesOut === total, `the source to finish`);
        await settled(() => JSON.stringify(sinks.map((s) => sinkReport(s.id))));
        // Frames given up after waiting POOL_WAIT_LIMIT_MS for a slot are counted, never silent.
        const givenUp = Object.values(rt.stats().connections)
          .reduce((sum, c) => sum + c.fullRejections, 0);
        for (const s of fifoSinks) {
          const { received } = sinkReport(s.id);
          assert.ok(
            received + givenUp >= total,
            `${s.id}: ${total - received} frames missing, ${givenUp} counted (seed ${SEED})`,
          );
        }
      }
      await rt.stop();
      for (const { id, latest, configLatest } of sinks) {
        const report = sinkReport(id);
        assert.equal(report.corrupt, 0, `${id}: a block's content changed (seed ${SEED})`);
        if (!latest && lossless) {
          assert.equal(report.outOfOrder, 0, `${id}: fifo out of order (seed ${SEED})`);
          assert.equal(report.received, total);
        } else if (configLatest) {
          // A latest sink checks that numbers only rise (a rewired fifo sink sees gaps instead).
          assert.equal(report.outOfOrder, 0, `${id}: latest went backwards (seed ${SEED})`);
        }
      }
      assert.deepEqual(rt.frameLeaks(), [], `graph ${graph} leaked (seed ${SEED})`);
      assert.equal(
        backend.pool.stats().inUse,
        0,
        `graph ${graph}: pool not all free (seed ${SEED})`,
      );
      for (const node of rt.describe().nodes) {
        assert.notEqual(node.state, "error", `${node.id}: ${node.failure?.message}`);
      }
    }
  } finally {
    await backend.close();
  }
}
