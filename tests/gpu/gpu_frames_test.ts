/**
 * GPU frames in a running graph, on the machine's WebGPU adapter (lavapipe in CI): transfers at
 * CPU/GPU boundaries (one upload and one download for a CPU -> GPU -> GPU -> CPU chain), texture
 * lifetime through fan-out, rewiring while running and stop (no leak, the pool back to free),
 * use after release, a missing adapter, a lost device, and the Worker placement rule.
 *
 * A machine without a WebGPU adapter fails these tests (it does not skip them): install
 * `mesa-vulkan-drivers` (`scripts/install_test_deps.sh` does).
 */

import assert from "node:assert/strict";
import {
  chooseGpuBackend,
  GpuPlacementError,
  IsolateGpu,
  Runtime,
  type RuntimeEvent,
  type RuntimeStats,
} from "../../mod.ts";
import {
  cpuCheckNode,
  cpuPatternNode,
  gpuAddOneNode,
  gpuPatternNode,
  gpuRelayNode,
  gpuSinkNode,
  gpuSinkReport,
  resetGpuReports,
} from "../fixtures/gpu/gpu_nodes.ts";

/** Waits for `done()` (checked every 5 ms), failing after a generous deadline. */
async function until(done: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function assertPoolFree(stats: RuntimeStats | undefined): void {
  assert.ok(stats?.gpu, "rt.stats().gpu is there");
  assert.equal(stats.gpu.inUse, 0, "every texture is back in the pool");
  assert.equal(stats.gpu.bytesInUse, 0);
}

Deno.test("WebGPU: this machine has an adapter (install mesa-vulkan-drivers if not)", async () => {
  chooseGpuBackend();
  const adapter = await navigator.gpu.requestAdapter();
  assert.ok(
    adapter,
    "navigator.gpu.requestAdapter() found no adapter: run 'bash scripts/install_test_deps.sh' (it installs mesa-vulkan-drivers, lavapipe)",
  );
});

Deno.test("A CPU -> GPU -> GPU -> CPU chain uploads once and downloads once per frame", async () => {
  resetGpuReports();
  const rt = new Runtime();
  const total = 20;
  rt.add(cpuPatternNode, { total }, { id: "src" });
  rt.add(gpuAddOneNode, {}, { id: "a" });
  rt.add(gpuAddOneNode, {}, { id: "b" });
  rt.add(cpuCheckNode, { hops: 2 }, { id: "sink" });
  const up = rt.connectByName("src", "out", "a", "in", { policy: "fifo", capacity: 4 });
  const mid = rt.connectByName("a", "out", "b", "in", { policy: "fifo", capacity: 4 });
  const down = rt.connectByName("b", "out", "sink", "in", { policy: "fifo", capacity: 4 });
  await rt.start();
  const report = gpuSinkReport("sink");
  await until(() => report.received === total, "every frame at the CPU sink");
  const stats = rt.stats();
  await rt.stop();
  assert.equal(report.corrupt, 0, "red + 2 in every pixel");
  assert.deepEqual(report.numbers, [...Array(total).keys()]);
  assert.equal(stats.connections[up.id].uploads, total);
  assert.equal(stats.connections[up.id].downloads, 0);
  assert.equal(stats.connections[mid.id].uploads, undefined, "GPU to GPU: no transfer");
  assert.equal(stats.connections[mid.id].downloads, undefined);
  assert.equal(stats.connections[down.id].downloads, total);
  assert.equal(stats.connections[down.id].uploads, 0);
  assert.ok(stats.connections[up.id].transferNs! > 0 && stats.connections[down.id].transferNs! > 0);
  assert.deepEqual(rt.frameLeaks(), []);
  assertPoolFree(rt.stats());
});

Deno.test("A GPU node whose download connection is full waits for a download, not in a spin", async () => {
  resetGpuReports();
  const rt = new Runtime();
  const total = 20;
  rt.add(cpuPatternNode, { total }, { id: "src" });
  rt.add(gpuAddOneNode, {}, { id: "a" });
  rt.add(cpuCheckNode, { hops: 1 }, { id: "sink" });
  rt.connectByName("src", "out", "a", "in", { policy: "fifo", capacity: 4 });
  // Capacity 1: while a download is in flight the connection has room but the writer has none.
  rt.connectByName("a", "out", "sink", "in", { policy: "fifo", capacity: 1 });
  await rt.start();
  const report = gpuSinkReport("sink");
  await until(() => report.received === total, "every frame at the CPU sink");
  const { blockedRuns } = rt.stats().nodes.a;
  await rt.stop();
  assert.equal(report.corrupt, 0);
  // A wake per finished download at most, and a few more for the connection's own room: a
  // writer woken at once while the download it waits for is in flight was blocked thousands of
  // times for these 20 frames.
  assert.ok(blockedRuns <= 3 * total, `'a' was blocked ${blockedRuns} times for ${total} frames`);
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("GPU frames through a fan-out to GPU and CPU readers leak nothing at stop", async () => {
  resetGpuReports();
  const rt = new Runtime();
  const total = 30;
  rt.add(gpuPatternNode, { total }, { id: "src" });
  rt.add(gpuSinkNode, {}, { id: "g1" });
  rt.add(gpuSinkNode, {}, { id: "g2" });
  rt.add(cpuCheckNode, { hops: 0 }, { id: "cpu" });
  for (const sink of ["g1", "g2", "cpu"]) {
    rt.connectByName("src", "out", sink, "in", { policy: "fifo", capacity: 3 });
  }
  await rt.start();
  await until(
    () => ["g1", "g2", "cpu"].every((id) => gpuSinkReport(id).received === total),
    "every frame at every reader",
  );
  await rt.stop();
  assert.equal(gpuSinkReport("cpu").corrupt, 0);
  assert.deepEqual(rt.frameLeaks(), []);
  assertPoolFree(rt.stats());
  assert.ok(rt.stats().gpu!.free > 0, "textures stay in the pool for the next start");
});

Deno.test("GPU frames survive rewiring while running, and stop leaves the pool free", async () => {
  resetGpuReports();
  const rt = new Runtime();
  rt.add(gpuPatternNode, { total: 1_000_000 }, { id: "src" });
  rt.add(gpuSinkNode, {}, { id: "direct" });
  rt.connectByName("src", "out", "direct", "in");
  await rt.start();
  const seen = (id: string, n: number) => () => gpuSinkReport(id).received >= n;
  await until(seen("direct", 5), "the direct branch");
  // Insert a relay branch, move it, remove it, while frames flow.
  rt.add(gpuRelayNode, {}, { id: "relay" });
  rt.add(gpuSinkNode, {}, { id: "late" });
  rt.add(cpuCheckNode, {}, { id: "cpu" });
  const a = rt.connectByName("src", "out", "relay", "in");
  rt.connectByName("relay", "out", "late", "in");
  await rt.settled();
  await until(seen("late", 3), "the relay branch");
  rt.disconnect(a.id);
  rt.connectByName("src", "out", "cpu", "in"); // a download joins
  await until(seen("cpu", 3), "the CPU branch");
  rt.remove("relay");
  rt.connectByName("src", "out", "late", "in"); // its relay went with it: plug it in directly
  await until(() => gpuSinkReport("late").received >= 6, "the late sink again");
  await rt.stop();
  assert.equal(gpuSinkReport("cpu").corrupt, 0);
  assert.deepEqual(rt.frameLeaks(), []);
  assertPoolFree(rt.stats());
});

Deno.test("A GPU frame used after its run throws FrameReleasedError; a kept one is a leak", async () => {
  resetGpuReports();
  const rt = new Runtime();
  const errors: RuntimeEvent[] = [];
  rt.on((event) => event.type === "node-error" && errors.push(event));
  rt.add(gpuPatternNode, { total: 10 }, { id: "src" });
  rt.add(gpuSinkNode, { reuse: true }, { id: "stale" });
  rt.add(gpuSinkNode, { keep: true }, { id: "keeper" });
  rt.connectByName("src", "out", "stale", "in", { policy: "fifo", capacity: 2 });
  rt.connectByName("src", "out", "keeper", "in", { policy: "fifo", capacity: 2 });
  await rt.start();
  await until(() => errors.length > 0, "the stale read to fail its node");
  await until(() => gpuSinkReport("keeper").received === 10, "the keeper to read all");
  await rt.stop();
  const error = errors[0] as RuntimeEvent & { node: string; name: string };
  assert.equal(error.node, "stale");
  assert.equal(error.name, "FrameReleasedError");
  const leaks = rt.frameLeaks();
  assert.equal(leaks.length, 1);
  assert.equal(leaks[0].node, "keeper");
  assert.equal(rt.stats().gpu!.inUse, 1, "the kept texture is still out of the pool");
});

Deno.test("A runtime without an adapter fails GPU nodes with gpu_unavailable", async () => {
  const rt = new Runtime({ gpu: new IsolateGpu({ requestAdapter: () => Promise.resolve(null) }) });
  rt.add(gpuPatternNode, { total: 1 }, { id: "src" });
  await rt.start();
  await rt.settled();
  const failure = rt.describe().nodes.find((n) => n.id === "src")!;
  assert.equal(failure.state, "error");
  assert.equal(failure.failure?.code, "gpu_unavailable");
  assert.match(failure.failure?.message ?? "", /mesa-vulkan-drivers/);
  await rt.stop();
});

Deno.test("A lost device fails its GPU nodes with gpu_device_lost; a restart gets a new one", async () => {
  resetGpuReports();
  const gpu = new IsolateGpu();
  const rt = new Runtime({ gpu });
  const errors: (RuntimeEvent & { type: "node-error" })[] = [];
  rt.on((event) => event.type === "node-error" && errors.push(event));
  rt.add(gpuPatternNode, { total: 1_000_000 }, { id: "src" });
  rt.add(gpuSinkNode, {}, { id: "sink", onError: "restart", maxRestarts: 1 });
  rt.connectByName("src", "out", "sink", "in");
  await rt.start();
  await until(() => gpuSinkReport("sink").received > 2, "frames before the loss");
  gpu.current!.destroy(); // what a driver reset looks like to WebGPU
  await until(() => errors.some((e) => e.node === "sink"), "the sink's failure");
  await until(() => errors.some((e) => e.node === "src"), "the source's failure");
  const code = (e: RuntimeEvent) =>
    rt.describe().nodes.find((n) => n.id === (e as { node: string }).node);
  assert.equal(code(errors.find((e) => e.node === "src")!)?.failure?.code, "gpu_device_lost");
  await rt.settled();
  assert.equal(gpu.generation, 2, "the restarted sink made a new device");
  assert.equal(rt.describe().nodes.find((n) => n.id === "sink")?.state, "running");
  await rt.stop();
  gpu.close();
});

Deno.test("Runtime.add() refuses a GPU node on a Worker with gpu_worker_placement", () => {
  const rt = new Runtime();
  assert.throws(
    () => rt.add(gpuAddOneNode, {}, { id: "fx", placement: { worker: "fx" } }),
    (e) => e instanceof GpuPlacementError && e.code === "gpu_worker_placement" && e.node === "fx",
  );
  assert.deepEqual(rt.describe().nodes, []);
});

Deno.test("The dashboard's preview of a GPU output is a thumbnail made on the GPU", async () => {
  resetGpuReports();
  const rt = new Runtime();
  rt.add(gpuPatternNode, { total: 1_000_000, width: 64, height: 32 }, { id: "src" });
  rt.add(gpuSinkNode, {}, { id: "sink" });
  rt.connectByName("src", "out", "sink", "in");
  const module = new URL("../../web/server/preview_probe.ts", import.meta.url).href;
  const values: { kind: string; width?: number; height?: number; rgba?: Uint8Array }[] = [];
  const probe = rt.probe("src.out", (sample) => values.push(sample.value as never), {
    everyMs: 10,
    transform: { module, export: "previewSample", options: { width: 16, height: 16 } },
  });
  await rt.start();
  await until(() => values.length >= 2, "two thumbnails");
  probe.close();
  await rt.stop();
  const thumb = values[0];
  assert.deepEqual([thumb.kind, thumb.width, thumb.height], ["video", 16, 8]);
  assert.deepEqual([...thumb.rgba!.subarray(1, 4)], [7, 9, 255], "green, blue, alpha as drawn");
  assert.deepEqual(rt.frameLeaks(), []);
  assertPoolFree(rt.stats());
});

Deno.test("An I420 frame into a GPU input is dropped by the upload, counted and warned once", async () => {
  resetGpuReports();
  const rt = new Runtime();
  const warnings: RuntimeEvent[] = [];
  rt.on((event) => event.type === "node-warning" && warnings.push(event));
  rt.add(cpuPatternNode, { total: 5, yuv: true }, { id: "src" });
  rt.add(gpuSinkNode, {}, { id: "sink" });
  const c = rt.connectByName("src", "out", "sink", "in", { policy: "fifo", capacity: 2 });
  await rt.start();
  await until(() => rt.stats().connections[c.id].transferDropped === 5, "every frame dropped");
  await rt.stop();
  assert.equal(gpuSinkReport("sink").received, 0);
  assert.equal(rt.stats().connections[c.id].uploads, 0);
  assert.deepEqual(
    warnings.map((w) => [(w as { code: string }).code, (w as { node: string }).node]),
    [["gpu_upload_format", "sink"]],
  );
  assert.deepEqual(rt.frameLeaks(), []);
});
