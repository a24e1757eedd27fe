import assert from "node:assert/strict";
import {
  type AudioFrame,
  NodeNotFoundError,
  PortNotFoundError,
  Runtime,
  type RuntimeEvent,
  type VideoFrame,
} from "../../mod.ts";
import type { ProbeSample } from "../../core/probes/probe.ts";
import { workerRig } from "../fixtures/workers/harness.ts";
import { builtinRegistry, createRuntime } from "../../processors/mod.ts";
import { saveManifest } from "../../core/manifest/manifest.ts";

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

const EXAMPLE_PLUGIN = new URL(
  "../../crates/target/release/libstreamlib_example_plugin.so",
  import.meta.url,
).pathname;
const NATIVE = "native:streamlib_example_plugin";

Deno.test("probe: a native plugin node's output is sampled in the main isolate, frame included; an unconnected output too, unseen by stats; no slot held after stop", async () => {
  const { NativePlugin } = await import("../../ffi/mod.ts");
  const plugin = NativePlugin.load(EXAMPLE_PLUGIN);
  try {
    await using rig = workerRig();
    const { rt, backend } = rig;
    rt.use(plugin);
    rt.add("TestPattern", { width: 64, height: 48, fps: 100, pixelFormat: "RGBA" }, {
      id: "pattern",
    });
    rt.add("NativeInvert", {}, { id: "invert" });
    rt.add("NativeInvert", {}, { id: "spare" }); // its output stays unconnected
    rt.add("NullSink", {}, { id: "sink" });
    rt.connectByName("pattern", "video", "invert", "in");
    rt.connectByName("invert", "out", "sink", "in");
    rt.connectByName("pattern", "video", "spare", "in");
    const before = JSON.stringify(rt.describe());
    const seen: ProbeSample[] = [];
    const alpha: number[] = [];
    const probe = rt.probe("invert.out", (sample) => {
      seen.push(sample);
      const frame = sample.frame as VideoFrame;
      alpha.push(frame.data[3], frame.data.length); // readable during the callback
    }, { everyMs: 10 });
    const spare: ProbeSample[] = [];
    using _spare = rt.probe("spare.out", (sample) => spare.push(sample), { everyMs: 10 });
    const transformed: unknown[] = [];
    const module = new URL("../fixtures/runtime/probe_transform.ts", import.meta.url).href;
    using _transformed = rt.probe("invert.out", (s) => transformed.push(s.value), {
      everyMs: 10,
      transform: { module, export: "firstBytes", options: { count: 4 } },
    });
    assert.throws(
      () => rt.probe("invert.out", () => {}, { everyFrame: true }),
      (e: Error & { code?: string }) =>
        e.code === "probe_invalid" && /everyFrame is not available on invert\.out/.test(e.message),
      "a native output is sampled one frame at a time: everyFrame is refused, typed",
    );
    assert.equal(JSON.stringify(rt.describe()), before, "describe() unchanged by probes");
    assert.deepEqual(rt.probes(), [
      { port: "invert.out", isolate: NATIVE },
      { port: "invert.out", isolate: NATIVE },
      { port: "spare.out", isolate: NATIVE },
    ]);
    await rt.start();
    await until(
      "5 samples of each",
      () => seen.length >= 5 && spare.length >= 5 && transformed.length >= 2,
    );
    const numbers = seen.map((s) => s.summary.frameNumber!);
    assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]), `rising: ${numbers}`);
    assert.equal(seen[0].isolate, NATIVE);
    assert.equal(seen[0].port, "invert.out");
    assert.equal(seen[0].summary.kind, "video");
    assert.equal(seen[0].summary.width, 64);
    for (let i = 0; i < alpha.length; i += 2) {
      assert.equal(alpha[i], 255, "NativeInvert keeps alpha");
      assert.equal(alpha[i + 1], 64 * 48 * 4);
    }
    assert.equal(spare[0].summary.width, 64, "an unconnected native output writes while probed");
    assert.ok(
      transformed.every((v) => Array.isArray(v) && v.length === 4 && v[3] === 255),
      `the transform ran on the native frame: ${JSON.stringify(transformed)}`,
    );
    probe.close();
    const count = seen.length;
    await rt.stop();
    const stats = rt.stats();
    assert.equal(stats.nodes.spare.framesOut, 0, "frames only a probe saw are not counted");
    assert.ok(stats.nodes.spare.framesIn > 0);
    assert.ok(seen.length <= count + 1, "no sample after close()");
    assert.deepEqual(rt.frameLeaks(), []);
    assert.equal(backend.pool.stats().inUse, 0, "the probe slot was released at stop");
    // Still attached across stop: sampling resumes with the next run.
    const resumed = spare.length;
    await rt.start();
    await until("samples after a restart", () => spare.length > resumed + 2);
    await rt.stop();
    assert.equal(backend.pool.stats().inUse, 0);
    rt.remove("spare");
    assert.deepEqual(
      rt.probes(),
      [{ port: "invert.out", isolate: NATIVE }],
      "removal closed spare's",
    );
  } finally {
    plugin.close();
  }
});

Deno.test("probe: a native node between two Workers is sampled with its frame; a Worker output at the same time", async () => {
  const { NativePlugin } = await import("../../ffi/mod.ts");
  const plugin = NativePlugin.load(EXAMPLE_PLUGIN);
  try {
    await using rig = workerRig();
    const { rt, backend } = rig;
    rt.use(plugin);
    rt.add("TestToneGenerator", { frequency: 440, amplitude: 0.4 }, {
      id: "tone",
      placement: { worker: "source" },
    });
    rt.add("NativeGain", { gain: 0.5 }, { id: "gain" });
    rt.add("NullSink", {}, { id: "sink", placement: { worker: "sink" } });
    rt.connectByName("tone", "audio", "gain", "in");
    rt.connectByName("gain", "out", "sink", "in");
    const peaks: number[] = [];
    const gained: ProbeSample[] = [];
    using _gain = rt.probe("gain.out", (sample) => {
      gained.push(sample);
      const frame = sample.frame as AudioFrame;
      let peak = 0;
      for (const x of frame.samples) peak = Math.max(peak, Math.abs(x));
      peaks.push(peak);
    }, { everyMs: 10 });
    const toned: ProbeSample[] = [];
    using _tone = rt.probe("tone.audio", (sample) => toned.push(sample), { everyMs: 10 });
    await rt.start();
    assert.deepEqual(
      [
        rt.describe().nodes.find((n) => n.id === "tone")!.isolate,
        rt.describe().nodes.find((n) => n.id === "sink")!.isolate,
      ],
      ["worker:source", "worker:sink"],
    );
    await until("samples on both sides", () => gained.length >= 5 && toned.length >= 5);
    await rt.stop();
    assert.equal(gained[0].isolate, NATIVE);
    assert.equal(gained[0].summary.kind, "audio");
    assert.equal(toned[0].isolate, "worker:source");
    assert.equal(toned[0].frame, undefined, "a Worker's sample carries no frame");
    // A 0.4 tone through a 0.5 gain: every sampled block peaks at 0.2 at most, and is not silent.
    assert.ok(peaks.every((p) => p <= 0.2 + 1e-6 && p > 0.05), `peaks ${peaks}`);
    const numbers = gained.map((s) => s.summary.frameNumber!);
    assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]), `rising: ${numbers}`);
    assert.deepEqual(rt.frameLeaks(), []);
    assert.equal(backend.pool.stats().inUse, 0);
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
