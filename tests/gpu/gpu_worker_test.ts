/**
 * GPU nodes and Workers (decision 0041): a GPU node stays in the main isolate, and CPU nodes on
 * Workers feed it and read from it; the channels carry CPU frames, and the main isolate's end of
 * each makes the transfer, counted on the connection. Nothing leaks, no pool slot or texture.
 */

import assert from "node:assert/strict";
import { Runtime } from "../../mod.ts";
import { WorkerBackend } from "../../ffi/mod.ts";
import { gpuSinkReport, gpuTestRegistry, resetGpuReports } from "../fixtures/gpu/gpu_nodes.ts";
import { until } from "../fixtures/workers/harness.ts";

const GPU_NODES = new URL("../fixtures/gpu/gpu_nodes.ts", import.meta.url).href;

Deno.test("A Worker's CPU frames go through a main-isolate GPU node and back to a Worker", async () => {
  resetGpuReports();
  const backend = new WorkerBackend({
    pool: { slotBytes: 64 * 1024, slotCount: 32 },
    registries: [GPU_NODES],
  });
  const rt = new Runtime({ registry: gpuTestRegistry, isolates: backend });
  try {
    const total = 12;
    rt.add("CpuPattern", { total }, { id: "src", placement: { worker: "in" } });
    rt.add("GpuAddOne", {}, { id: "fx" });
    rt.add("GpuAddOne", {}, { id: "fx2" });
    rt.add("CpuCheck", { hops: 2 }, { id: "sink" });
    rt.add("CpuCheck", { hops: 2, strict: true }, { id: "far", placement: { worker: "out" } });
    const up = rt.connectByName("src", "out", "fx", "in", { policy: "fifo", capacity: 4 });
    rt.connectByName("fx", "out", "fx2", "in", { policy: "fifo", capacity: 4 });
    const here = rt.connectByName("fx2", "out", "sink", "in", { policy: "fifo", capacity: 4 });
    const away = rt.connectByName("fx2", "out", "far", "in", { policy: "fifo", capacity: 4 });
    await rt.start();
    await until(() => gpuSinkReport("sink").received === total, "the main isolate's CPU sink");
    await until(() => rt.stats().nodes.far.framesIn === total, "the Worker's CPU sink");
    const stats = rt.stats();
    await rt.stop();
    assert.equal(gpuSinkReport("sink").corrupt, 0);
    assert.equal(
      stats.nodes.far.errors,
      0,
      "the Worker's strict sink saw red + 2 everywhere",
    );
    assert.equal(stats.connections[up.id].transfer, "upload");
    assert.equal(stats.connections[up.id].uploads, total, "uploaded at the main isolate's end");
    assert.equal(stats.connections[here.id].downloads, total);
    assert.equal(stats.connections[away.id].transfer, "download");
    assert.equal(stats.connections[away.id].downloads, total, "downloaded before the channel");
    assert.deepEqual(rt.frameLeaks(), []);
    assert.equal(rt.stats().gpu!.inUse, 0);
  } finally {
    await rt[Symbol.asyncDispose]();
    await backend.close();
  }
});
