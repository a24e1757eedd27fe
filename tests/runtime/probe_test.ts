import assert from "node:assert/strict";
import {
  NodeNotFoundError,
  PortNotFoundError,
  Runtime,
  type RuntimeEvent,
  type VideoFrame,
} from "../../mod.ts";
import { type ProbeSample, ProbeUnsupportedError } from "../../core/probe.ts";
import { builtinRegistry, createRuntime } from "../../processors/mod.ts";
import { saveManifest } from "../../core/manifest.ts";

async function until(what: string, done: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function graph(): Runtime {
  const rt = new Runtime({ registry: builtinRegistry });
  rt.add("TestPattern", { width: 64, height: 36, fps: 60 }, { id: "pattern" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("pattern", "video", "sink", "in");
  return rt;
}

Deno.test("probe: samples the newest frame at its period; describe(), stats(), events and manifests never see it; no leak at stop", async () => {
  const rt = graph();
  const events: RuntimeEvent[] = [];
  rt.on((e) => events.push(e));
  const before = JSON.stringify(rt.describe());
  const manifest = JSON.stringify(saveManifest(rt));
  const samples: ProbeSample[] = [];
  const pixels: number[] = [];
  const probe = rt.probe("pattern.video", (sample) => {
    samples.push(sample);
    const frame = sample.frame as VideoFrame;
    pixels.push(frame.data.length); // the frame is readable during the callback
  }, { everyMs: 20 });
  assert.equal(JSON.stringify(rt.describe()), before, "describe() unchanged by a probe");
  assert.equal(events.length, 0, "no event for a probe");
  assert.equal(JSON.stringify(saveManifest(rt)), manifest, "the manifest is unchanged");
  await rt.start();
  await until("5 samples", () => samples.length >= 5);
  const stats = rt.stats();
  assert.deepEqual(Object.keys(stats.nodes).sort(), ["pattern", "sink"]);
  assert.equal(Object.keys(stats.connections).length, 1);
  const numbers = samples.map((s) => s.summary.frameNumber!);
  assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]), `rising: ${numbers}`);
  const written = stats.nodes.pattern.framesOut;
  assert.ok(samples.length < written, `sampled ${samples.length} of ${written}: not every frame`);
  assert.ok(pixels.every((n) => n === 64 * 36 * 4));
  const s = samples[0];
  assert.equal(s.port, "pattern.video");
  assert.equal(s.isolate, "main");
  assert.equal(s.summary.kind, "video");
  assert.equal(s.summary.width, 64);
  await rt.stop(); // the probe is still attached: it holds no frame
  assert.deepEqual(rt.frameLeaks(), []);
  assert.ok(
    !events.some((e) => e.type === "node-added" && e.node !== "pattern" && e.node !== "sink"),
  );
  assert.deepEqual(rt.probes(), [{ port: "pattern.video", isolate: "main" }]);
  probe.close();
  assert.ok(probe.closed);
  assert.deepEqual(rt.probes(), []);
  const count = samples.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(samples.length, count, "no sample after close()");
});

Deno.test("probe: close() while running, or a probe left open across stop(), leaks no frame", async () => {
  const rt = graph();
  let seen = 0;
  using probe = rt.probe("pattern.video", () => seen++, { everyMs: 10 });
  await rt.start();
  await until("a sample", () => seen > 0);
  probe.close();
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
  using again = rt.probe("pattern.video", () => seen++, { everyMs: 10 });
  await rt.start();
  const n = seen;
  await until("more samples", () => seen > n + 2);
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
  assert.ok(!again.closed);
});

Deno.test("probe: removing the node closes its probes", async () => {
  const rt = graph();
  const probe = rt.probe("pattern.video", () => {}, { everyMs: 10 });
  await rt.start();
  await new Promise((r) => setTimeout(r, 40));
  rt.remove("pattern");
  assert.ok(probe.closed);
  assert.deepEqual(rt.probes(), []);
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("probe: a typed ref works like node.port", async () => {
  const rt = graph();
  let seen = 0;
  using _probe = rt.probe(rt.node("pattern").outputs.video, () => seen++, { everyMs: 10 });
  await rt.start();
  await until("a sample", () => seen > 0);
  await rt.stop();
});

Deno.test("probe: unknown node or port, an input, and malformed options are typed errors", () => {
  const rt = graph();
  const cb = () => {};
  assert.throws(
    () => rt.probe("nope.video", cb),
    (e) => e instanceof NodeNotFoundError && e.code === "node_not_found",
  );
  assert.throws(
    () => rt.probe("pattern.audio", cb),
    (e) =>
      e instanceof PortNotFoundError && e.code === "port_not_found" &&
      JSON.stringify(e.details).includes("video"),
  );
  assert.throws(
    () => rt.probe("sink.in", cb),
    (e) => (e as { code?: string }).code === "wrong_port_direction",
  );
  assert.throws(
    () => rt.probe(rt.node("sink").inputs.in as never, cb),
    (e) => (e as { code?: string }).code === "wrong_port_direction",
  );
  for (const bad of ["pattern", ".video", "pattern.", ""]) {
    assert.throws(
      () => rt.probe(bad, cb),
      (e) => (e as { code?: string }).code === "probe_invalid",
    );
  }
  for (const everyMs of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => rt.probe("pattern.video", cb, { everyMs }),
      (e) => (e as { code?: string }).code === "probe_invalid",
    );
  }
  assert.throws(
    () => rt.probe("pattern.video", cb, { transform: { module: "" } }),
    (e) => (e as { code?: string }).code === "probe_invalid",
  );
});

Deno.test("probe: a transform runs on each sample in the port's isolate", async () => {
  const rt = graph();
  const values: unknown[] = [];
  const module = new URL("../fixtures/runtime/probe_transform.ts", import.meta.url).href;
  using _p = rt.probe("pattern.video", (s) => values.push(s.value), {
    everyMs: 10,
    transform: { module, export: "firstBytes", options: { count: 4 } },
  });
  const errors: string[] = [];
  using _q = rt.probe("pattern.video", (s) => errors.push(s.error ?? ""), {
    everyMs: 10,
    transform: { module, export: "missing" },
  });
  await rt.start();
  await until("transformed samples", () => values.length >= 2 && errors.length >= 1);
  await rt.stop();
  assert.ok(values.every((v) => Array.isArray(v) && v.length === 4), JSON.stringify(values));
  assert.match(errors[0], /exports no function 'missing'/);
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("probe: a native plugin's node cannot be probed yet: probe_unsupported, naming its isolate", async () => {
  const { NativePlugin } = await import("../../ffi/mod.ts");
  const { createRuntime } = await import("../../processors/mod.ts");
  const path = new URL(
    "../../crates/target/release/libstreamlib_example_plugin.so",
    import.meta.url,
  );
  const plugin = NativePlugin.load(path.pathname);
  try {
    await using rt = createRuntime().use(plugin);
    const gain = rt.add("NativeGain", { gain: 0.5 });
    assert.throws(
      () => rt.probe(`${gain.name}.out`, () => {}),
      (e) =>
        e instanceof ProbeUnsupportedError && e.code === "probe_unsupported" &&
        e.isolate === "native:streamlib_example_plugin",
    );
    assert.deepEqual(rt.probes(), []);
  } finally {
    plugin.close();
  }
});

Deno.test("Runtime.probe() with everyFrame sees consecutive frame numbers", async () => {
  await using rt = createRuntime({ workers: false });
  rt.add("TestPattern", { width: 32, height: 16, fps: 60 }, { id: "pattern" });
  const numbers: number[] = [];
  using _probe = rt.probe("pattern.video", (s) => numbers.push(s.summary.frameNumber!), {
    everyFrame: true,
  });
  await rt.start();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await rt.stop();
  assert.ok(numbers.length > 5, `${numbers.length} frames`);
  numbers.forEach((n, i) => i > 0 && assert.equal(n, numbers[i - 1] + 1));
});

Deno.test("Probe.requestKeyframe() makes the encoder's next picture a keyframe", async () => {
  await using rt = createRuntime({ workers: false });
  rt.add("TestPattern", { width: 64, height: 48, fps: 30, pixelFormat: "I420" }, { id: "pattern" });
  rt.add("H264Encoder", { backend: "openh264", keyframeInterval: 0 }, { id: "enc" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("pattern", "video", "enc", "in");
  rt.connectByName("enc", "out", "sink", "in");
  const keyframes: number[] = [];
  using probe = rt.probe("enc.out", (s) => {
    if (s.summary.keyframe) keyframes.push(s.summary.frameNumber!);
  }, { everyFrame: true });
  await rt.start();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(keyframes.length, 1, "only the first keyframe on its own");
  probe.requestKeyframe();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await rt.stop();
  assert.equal(keyframes.length, 2, `keyframes at ${keyframes.join(", ")}`);
  probe.close();
  probe.requestKeyframe(); // closed: nothing, no throw
});
