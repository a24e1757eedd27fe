import assert from "node:assert/strict";
import type { NativeConnectionStats } from "../../ffi/transport/connection_shared_state.ts";
import { sleep, until, workerRig } from "../fixtures/workers/harness.ts";
import { tap } from "../fixtures/workers/worker_nodes.ts";

Deno.test("WorkerBackend: TestPattern (main) -> VideoScale (worker) -> tap (main) moves pool frames without copying", async () => {
  await using rig = workerRig({ pool: { slotBytes: 320 * 240 * 4 + 64, slotCount: 48 } });
  const { rt } = rig;
  rt.add("TestPattern", { width: 320, height: 240, fps: 60 }, { id: "bars" });
  rt.add("VideoScale", { width: 160, height: 120 }, { id: "scale", placement: { worker: "v" } });
  rt.add("VideoTap", {}, { id: "screen" });
  const up = rt.connectByName("bars", "video", "scale", "in");
  const down = rt.connectByName("scale", "out", "screen", "in");

  await rt.start();
  await until(() => tap("screen").frameNumbers.length >= 15, "15 frames back from the Worker");
  await sleep(30);
  await rt.stop();

  const screen = tap("screen");
  assert.ok(screen.sizes.every((s) => s === "160x120"), screen.sizes.join());
  assert.equal(screen.poolFrames, screen.frameNumbers.length, "every frame read is a pool frame");
  assert.ok(
    screen.frameNumbers.every((n, i) => i === 0 || n > screen.frameNumbers[i - 1]),
    `frame numbers increase: ${screen.frameNumbers}`,
  );

  const stats = rt.stats();
  for (const c of [up.id, down.id]) {
    const s = stats.connections[c] as NativeConnectionStats;
    assert.ok(s.written > 0, c);
    assert.equal(s.zeroCopyWrites, s.written, `${c}: ${JSON.stringify(s)}`);
    assert.equal(s.copiedWrites, 0, c);
    assert.equal(s.written, s.read + s.dropped + s.queued, c);
  }
  assert.equal(
    stats.nodes.scale.framesIn,
    (stats.connections[up.id] as NativeConnectionStats).read,
  );
  assert.equal(rig.backend.pool.stats().slotCount, 48);
});
