import assert from "node:assert/strict";
import { ConfigLockedError } from "../../mod.ts";
import { sleep, until, workerRig } from "../fixtures/workers/harness.ts";
import { tap } from "../fixtures/workers/worker_nodes.ts";

Deno.test("setConfig() reaches a node in a Worker: a live gain changes in place, no block lost, same connections and counters", async () => {
  await using rig = workerRig();
  const { rt, events } = rig;
  rt.add("TestToneGenerator", { frequency: 997, amplitude: 0.4 }, { id: "tone" });
  rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
  rt.add("AudioTap", {}, { id: "wet_cfg" });
  rt.add("AudioTap", {}, { id: "dry_cfg" });
  const ids = [
    rt.connectByName("tone", "audio", "gain", "in").id,
    rt.connectByName("gain", "out", "wet_cfg", "in").id,
    rt.connectByName("tone", "audio", "dry_cfg", "in").id,
  ];
  await rt.start();
  const from = events.length;
  await until(() => tap("wet_cfg").frameNumbers.length >= 10, "10 blocks at gain 0.5");
  assert.throws(() => rt.setConfig("tone", { blockSize: 960 }), ConfigLockedError);
  const change = rt.setConfig("gain", { gain: 0.25 });
  assert.deepEqual([change.changed, change.applied], [["gain"], "live"]);
  const seen = tap("wet_cfg").frameNumbers.length;
  await until(() => tap("wet_cfg").frameNumbers.length >= seen + 10, "10 more blocks");
  await sleep(20);
  await rt.stop();

  const wet = tap("wet_cfg");
  const dry = tap("dry_cfg");
  const sent = rt.stats().nodes.tone.framesOut;
  assert.deepEqual(wet.frameNumbers, Array.from({ length: sent }, (_, i) => i), "no block lost");
  const level = wet.samples.map((block, i) => {
    const half = dry.samples[i].map((x) => Math.fround(x * 0.5));
    const quarter = dry.samples[i].map((x) => Math.fround(x * 0.25));
    const same = (a: Float32Array, b: Float32Array) => a.every((x, j) => x === b[j]);
    return same(block, half) ? 0.5 : same(block, quarter) ? 0.25 : NaN;
  });
  const at = level.indexOf(0.25);
  assert.ok(at >= 10, `the change shows after the first blocks (at ${at})`);
  assert.deepEqual(level, level.map((_, i) => (i < at ? 0.5 : 0.25)), "one switch, in place");
  assert.equal(rt.stats().nodes.gain.framesIn, sent, "the Worker node's counters kept counting");
  assert.deepEqual(rt.describe().connections.map((c) => c.id), ids);
  assert.deepEqual(rt.describe().nodes.find((n) => n.id === "gain")!.config, { gain: 0.25 });
  const gainEvents = events.slice(from).filter((e) => "node" in e && e.node === "gain").map((e) =>
    e.type
  );
  assert.ok(!gainEvents.includes("node-removed") && !gainEvents.includes("node-added"));
  assert.equal(gainEvents.filter((t) => t === "node-config").length, 1);
});
