import assert from "node:assert/strict";
import type { ProbeSample } from "../../core/probes/probe.ts";
import { saveManifest } from "../../core/manifest/manifest.ts";
import { sleep, until, workerRig } from "../fixtures/workers/harness.ts";

const TRANSFORM = new URL("../fixtures/runtime/probe_transform.ts", import.meta.url).href;

Deno.test("probe on a Worker: the Worker samples and posts summary and transform result, not the frame; graph, stats and leaks unchanged", async () => {
  await using rig = workerRig({ pool: { slotBytes: 320 * 240 * 4 + 64, slotCount: 48 } });
  const { rt } = rig;
  rt.add("TestPattern", { width: 320, height: 240, fps: 60 }, { id: "bars" });
  rt.add("VideoScale", { width: 160, height: 120 }, { id: "scale", placement: { worker: "v" } });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("bars", "video", "scale", "in");
  rt.connectByName("scale", "out", "sink", "in");
  const before = JSON.stringify(saveManifest(rt));
  const samples: ProbeSample[] = [];
  const probe = rt.probe("scale.out", (s) => samples.push(s), {
    everyMs: 20,
    transform: { module: TRANSFORM, export: "firstBytes", options: { count: 8 } },
  });
  assert.equal(probe.isolate, "worker:v");
  await rt.start();
  await until(() => samples.length >= 4, "4 samples from the Worker");
  const numbers = samples.map((s) => s.summary.frameNumber!);
  assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]), `rising: ${numbers}`);
  for (const s of samples) {
    assert.equal(s.frame, undefined, "no frame crosses");
    assert.equal(s.isolate, "worker:v");
    assert.equal(s.summary.width, 160);
    assert.ok(Array.isArray(s.value) && (s.value as number[]).length === 8);
  }
  assert.equal(JSON.stringify(saveManifest(rt)), before);
  assert.deepEqual(Object.keys(rt.stats().nodes).sort(), ["bars", "scale", "sink"]);
  await rt.stop(); // probe still attached: it holds no frame
  assert.deepEqual(rt.frameLeaks(), []);
  probe.close();
  const n = samples.length;
  await rt.start();
  await sleep(80);
  await rt.stop();
  assert.equal(samples.length, n, "closed: no more samples");
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("probe on a Worker: unknown port and input are typed errors before anything is posted", async () => {
  await using rig = workerRig();
  const { rt } = rig;
  rt.add("Gain", {}, { id: "gain", placement: { worker: "a" } });
  assert.throws(
    () => rt.probe("gain.nope", () => {}),
    (e) => (e as { code?: string }).code === "port_not_found",
  );
  assert.throws(
    () => rt.probe("gain.in", () => {}),
    (e) => (e as { code?: string }).code === "wrong_port_direction",
  );
});
