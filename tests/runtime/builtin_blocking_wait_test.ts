/**
 * Built-in processors that declare `needsEventLoop: false` run in Workers placed with
 * `wait: "block"`: an audio chain (Gain → ChannelConverter → AudioResampler) and a video chain
 * (ColorConvert → VideoScale) carry real frames while their Workers block their threads, with the
 * results their processors compute, and stop with no frame leaked. A built-in that needs its event
 * loop (a `loop` source, a file sink) is still refused there.
 *
 * @module
 */

import assert from "node:assert/strict";
import { WorkerWaitError } from "../../mod.ts";
import { until, workerRig } from "../fixtures/workers/harness.ts";
import { tap } from "../fixtures/workers/worker_nodes.ts";

const block = (worker: string) => ({ worker, wait: "block" as const });

Deno.test("Gain, ChannelConverter and AudioResampler run in a blocking Worker and compute what they do elsewhere", async () => {
  await using rig = workerRig({ pool: { slotBytes: 65_536, slotCount: 128 } });
  const { rt, backend } = rig;
  rt.add("TestToneGenerator", { frequency: 500, amplitude: 0.4, blockSize: 480 }, { id: "btone" });
  rt.add("Gain", { gain: 0.5 }, { id: "bgain", placement: block("fx") });
  rt.add("ChannelConverter", {}, { id: "bconv", placement: block("fx") });
  rt.add("AudioResampler", { sampleRate: 16_000 }, { id: "brs", placement: block("fx") });
  rt.add("AudioTap", {}, { id: "btap" });
  rt.connectByName("btone", "audio", "bgain", "in");
  rt.connectByName("bgain", "out", "bconv", "in");
  rt.connectByName("bconv", "mono", "brs", "in");
  rt.connectByName("brs", "out", "btap", "in");
  await rt.start();
  await until(() => tap("btap").frameNumbers.length >= 40, "40 blocks through the Worker");
  const host = backend.hosts.find((h) => h.isolate.endsWith("fx"));
  assert.ok(host, `a host for Worker fx among ${backend.hosts.map((h) => h.isolate)}`);
  await until(() => host.waits.blocked > 0, "Worker fx to block its thread");
  await rt.stop();
  assert.deepEqual(await rt.frameLeaks(), []);

  const record = tap("btap");
  // 480 frames at 48 kHz become 160 at 16 kHz, one channel.
  const lengths = record.samples.slice(4).map((s) => s.length);
  assert.ok(lengths.every((n) => Math.abs(n - 160) <= 1), `block lengths ${lengths}`);
  // The tone's 0.4 peak, halved by the gain, stays 0.2 through the downmix of equal channels
  // and the resampler (500 Hz is far below 8 kHz); past the filter's start-up.
  let peak = 0;
  for (const samples of record.samples.slice(4)) {
    for (const s of samples) peak = Math.max(peak, Math.abs(s));
  }
  assert.ok(Math.abs(peak - 0.2) < 0.01, `peak ${peak}`);
  for (const id of ["bgain", "bconv", "brs"]) {
    assert.equal(rt.describe().nodes.find((n) => n.id === id)?.state, "stopped");
  }
});

Deno.test("ColorConvert and VideoScale run in a blocking Worker: every frame converted and scaled", async () => {
  // A video connection's default policy is `latest`: a reader that falls behind (this test's
  // main isolate stalled, or a loaded machine) loses frames, counted on the connection. `fifo`
  // connections wait instead, so every frame the convert makes must reach the scale, through a
  // stall that fills the queues and the 32-slot pool.
  await using rig = workerRig({ pool: { slotBytes: 1_048_576, slotCount: 32 } });
  const { rt, backend } = rig;
  rt.add("TestPattern", { width: 320, height: 240, fps: 60, pixelFormat: "RGBA" }, {
    id: "bpattern",
  });
  rt.add("ColorConvert", { pixelFormat: "I420" }, { id: "bconvert", placement: block("vfx") });
  rt.add("VideoScale", { width: 160, height: 120 }, { id: "bscale", placement: block("vfx") });
  rt.add("VideoTap", {}, { id: "bvtap" });
  rt.connectByName("bpattern", "video", "bconvert", "in");
  rt.connectByName("bconvert", "out", "bscale", "in", { policy: "fifo" });
  rt.connectByName("bscale", "out", "bvtap", "in", { policy: "fifo", capacity: 64 });
  await rt.start();
  await until(() => tap("bvtap").frameNumbers.length >= 10, "10 frames through the Worker");
  const host = backend.hosts.find((h) => h.isolate.endsWith("vfx"));
  assert.ok(host);
  await until(() => host.waits.blocked > 0, "Worker vfx to block its thread");
  // Stall the main isolate (the tap's) for 1 s: the Worker's nodes wait for room and memory,
  // then carry on.
  const stalled = tap("bvtap").frameNumbers.length;
  const start = performance.now();
  while (performance.now() - start < 1_000) { /* the main isolate does nothing else */ }
  await until(() => tap("bvtap").frameNumbers.length >= stalled + 20, "20 frames after a stall");
  await rt.stop();
  assert.deepEqual(await rt.frameLeaks(), []);
  const record = tap("bvtap");
  assert.ok(record.sizes.every((size) => size === "160x120"), `sizes ${record.sizes}`);
  // I420 at 160x120: a full-size luma plane and two quarter-size chroma planes.
  assert.equal(record.pixels[0].length, 160 * 120 * 3 / 2);
  const { nodes: stats, connections } = rt.stats();
  const dropped = Object.values(connections).map((c) => c.dropped);
  assert.equal(
    stats.bscale.framesIn,
    stats.bconvert.framesOut,
    `tap got ${record.frameNumbers.length}; scale out ${stats.bscale.framesOut}; convert in ${stats.bconvert.framesIn}; dropped per connection ${dropped}`,
  );
  assert.equal(stats.bscale.framesOut, record.frameNumbers.length);
});

Deno.test("Runtime.add() still refuses wait: block for built-ins that need their event loop", () => {
  const { rt } = workerRig();
  for (
    const [name, config, problem] of [
      ["TestToneGenerator", {}, "loop-mode"],
      ["WavWriter", { path: "/tmp/never_written.wav" }, "processor-needs-event-loop"],
    ] as const
  ) {
    assert.throws(
      () => rt.add(name, config, { id: `refused_${name}`, placement: block("nope") }),
      (e) => e instanceof WorkerWaitError && e.problem === problem,
      name,
    );
  }
});
