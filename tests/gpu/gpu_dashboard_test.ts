/**
 * The dashboard with GPU frames: a watched GPU output streams a 160x90 thumbnail made on the GPU,
 * the stats carry the GPU's memory, and a connection between a CPU and a GPU port carries its
 * transfer counts (what the edge shows).
 */

import assert from "node:assert/strict";
import type { StatsMessage } from "../../web/shared/protocol.ts";
import { transferLabel } from "../../web/components/EdgeView.tsx";
import { Harness } from "../web/harness.ts";
import { gpuTestRegistry } from "../fixtures/gpu/gpu_nodes.ts";

Deno.test("The dashboard previews a GPU output, shows GPU memory and the edges' transfers", async () => {
  await using h = await Harness.start({
    registry: gpuTestRegistry,
    build: (rt) => {
      rt.add("CpuPattern", { total: 1_000_000, width: 320, height: 180 }, { id: "src" });
      rt.add("GpuAddOne", {}, { id: "fx" });
      rt.add("CpuCheck", { hops: 1, strict: true }, { id: "sink" });
      rt.connectByName("src", "out", "fx", "in");
      rt.connectByName("fx", "out", "sink", "in");
    },
  });
  const client = await h.stream();
  await client.next((m) => m.type === "snapshot");
  client.send({ type: "watch", outputs: ["fx.out"] });
  const frame = await client.nextFrame((f) => f.header.output === "fx.out", 10_000);
  assert.deepEqual([frame.header.width, frame.header.height], [160, 90]);
  assert.deepEqual([...frame.rgba.subarray(1, 4)], [7, 9, 255], "the GPU frame's colours");
  const stats = await client.next<StatsMessage>(
    (m) =>
      m.type === "stats" && (m.stats.connections.conn_1?.uploads ?? 0) > 0 &&
      (m.stats.connections.conn_2?.downloads ?? 0) > 0,
    10_000,
  );
  assert.equal(stats.stats.gpu?.device, true);
  assert.ok(stats.stats.gpu!.bytesInUse + stats.stats.gpu!.freeBytes > 0, "textures counted");
  assert.match(transferLabel(stats.stats.connections.conn_1)!.text, /^↑GPU \d/);
  assert.match(transferLabel(stats.stats.connections.conn_2)!.text, /^↓CPU \d/);
  assert.equal(h.rt.stats().nodes.sink.errors, 0, "the downloaded frames are right");
});
