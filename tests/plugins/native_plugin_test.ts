/**
 * Native plugins end to end: the real example plugin and fixture cdylibs from `crates/`, loaded
 * by the real host library, run in graphs next to TypeScript nodes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { NodeRegistry, Runtime, type RuntimeEvent } from "../../mod.ts";
import { DuplicateProcessorError } from "../../core/registry/node_registry.ts";
import { NodeOptionsError } from "../../core/lifecycle/errors.ts";
import { NativePlugin, NativePluginError, PluginAbiMismatchError } from "../../ffi/mod.ts";
import type { NativeConnectionStats } from "../../ffi/transport/connection_shared_state.ts";
import { sleep, until, workerRig } from "../fixtures/workers/harness.ts";
import { stalledCrashers, tap } from "../fixtures/workers/worker_nodes.ts";
import { stereoSeqSourceNode, stereoStaleRelayNode } from "../fixtures/runtime/frame_nodes.ts";

const EXT = Deno.build.os === "darwin" ? "dylib" : Deno.build.os === "windows" ? "dll" : "so";
const PREFIX = Deno.build.os === "windows" ? "" : "lib";

/** The path of a cdylib of the workspace's release build. */
function built(crate: string): string {
  return fileURLToPath(
    new URL(`../../crates/target/release/${PREFIX}${crate}.${EXT}`, import.meta.url),
  );
}

const EXAMPLE = built("streamlib_example_plugin");
const FIXTURES = built("streamlib_plugin_fixtures");

Deno.test("the example plugin loads: its processors, ports and config schemas become definitions", () => {
  const plugin = NativePlugin.load(EXAMPLE);
  try {
    assert.equal(plugin.name, "streamlib_example_plugin");
    assert.equal(plugin.isolate.name, "native:streamlib_example_plugin");
    const [invert, gain] = plugin.definitions;
    assert.equal(invert.descriptor.name, "NativeInvert");
    assert.deepEqual(
      invert.descriptor.inputs.map((p) => [p.name, p.portType, p.required]),
      [["in", "VideoFrame", true]],
    );
    assert.deepEqual(invert.descriptor.outputs.map((p) => [p.name, p.portType]), [[
      "out",
      "VideoFrame",
    ]]);
    assert.equal(gain.descriptor.name, "NativeGain");
    assert.equal(gain.descriptor.config.properties?.gain.default, 1);
    assert.ok(gain.descriptor.tags.includes("native"));
    assert.match(gain.descriptor.source, /native plugin streamlib_example_plugin/);
    // Config is validated by the runtime against the plugin's schema, like any processor's.
    const registry = new NodeRegistry(plugin);
    assert.deepEqual(registry.names, ["NativeGain", "NativeInvert", "NativeTone"]);
  } finally {
    plugin.close();
  }
});

Deno.test("NativeInvert between TypeScript nodes inverts RGB of every frame, by slot handle both ways", async () => {
  const plugin = NativePlugin.load(EXAMPLE);
  await using rig = workerRig();
  const { rt } = rig;
  rt.use(plugin);
  rt.add("TestPattern", { width: 64, height: 48, fps: 100, pixelFormat: "RGBA" }, {
    id: "pattern",
  });
  rt.add("NativeInvert", {}, { id: "invert" });
  rt.add("VideoTap", {}, { id: "inv_wet" });
  rt.add("VideoTap", {}, { id: "inv_dry" });
  const toInvert = rt.connectByName("pattern", "video", "invert", "in");
  const fromInvert = rt.connectByName("invert", "out", "inv_wet", "in");
  rt.connectByName("pattern", "video", "inv_dry", "in");
  await rt.start();
  assert.equal(rt.describe().nodes.find((n) => n.id === "invert")!.isolate, plugin.isolate.name);
  await until(() => tap("inv_wet").frameNumbers.length >= 16, "16 frames through NativeInvert");
  await rt.stop();

  const wet = tap("inv_wet");
  const dry = tap("inv_dry");
  // Video connections default to `latest`, so a frame may be skipped; those that arrive are in
  // order, and each is the inverse of the same frame as the pattern sent it.
  assert.ok(wet.frameNumbers.every((n, i) => i === 0 || n > wet.frameNumbers[i - 1]));
  assert.equal(wet.sizes[0], "64x48");
  let compared = 0;
  for (let f = 0; f < wet.pixels.length; f++) {
    const d = dry.frameNumbers.indexOf(wet.frameNumbers[f]);
    if (d < 0 || d >= dry.pixels.length) continue;
    const [a, b] = [dry.pixels[d], wet.pixels[f]];
    assert.equal(b.length, a.length);
    for (let i = 0; i < a.length; i++) {
      const expected = i % 4 === 3 ? a[i] : 255 - a[i];
      if (b[i] !== expected) assert.fail(`frame ${f} byte ${i}: ${b[i]}, expected ${expected}`);
    }
    compared++;
  }
  assert.ok(compared >= 8, `compared ${compared} frames`);
  const stats = rt.stats();
  assert.ok(stats.nodes.invert.framesIn > 0);
  assert.equal(stats.nodes.invert.framesOut, stats.nodes.invert.framesIn);
  assert.ok(stats.nodes.invert.processTime.count > 0);
  const into = stats.connections[toInvert.id] as NativeConnectionStats;
  const out = stats.connections[fromInvert.id] as NativeConnectionStats;
  // Pattern frames come from the pool, so they cross by handle; the plugin writes its output in
  // place into a pool slot, which crosses back by handle too.
  assert.equal(into.read, stats.nodes.invert.framesIn);
  assert.equal(out.zeroCopyWrites, out.written);
  assert.equal(out.written, stats.nodes.invert.framesOut);
  plugin.close();
});

Deno.test("NativeGain scales audio exactly like the built-in Gain, also chained native -> native", async () => {
  const plugin = NativePlugin.load(EXAMPLE);
  await using rig = workerRig();
  const { rt } = rig;
  rt.use(plugin);
  rt.add("TestToneGenerator", { frequency: 997, amplitude: 0.4 }, { id: "tone" });
  rt.add("NativeGain", { gain: 0.5 }, { id: "g1" });
  rt.add("NativeGain", { gain: 0.5 }, { id: "g2" });
  rt.add("AudioTap", {}, { id: "ng_wet" });
  rt.add("AudioTap", {}, { id: "ng_dry" });
  rt.connectByName("tone", "audio", "g1", "in");
  const inside = rt.connectByName("g1", "out", "g2", "in");
  rt.connectByName("g2", "out", "ng_wet", "in");
  rt.connectByName("tone", "audio", "ng_dry", "in");
  await rt.start();
  await until(() => tap("ng_wet").frameNumbers.length >= 20, "20 blocks through two NativeGains");
  await sleep(30);
  await rt.stop();

  const wet = tap("ng_wet");
  const dry = tap("ng_dry");
  const sent = rt.stats().nodes.tone.framesOut;
  // stop() drained the native nodes: every block came through, in order.
  assert.deepEqual(wet.frameNumbers, Array.from({ length: sent }, (_, i) => i));
  for (let block = 0; block < wet.samples.length; block++) {
    const expected = dry.samples[block].map((x) => Math.fround(Math.fround(x * 0.5) * 0.5));
    assert.deepEqual(wet.samples[block], expected, `block ${block}`);
  }
  const described = rt.describe();
  assert.deepEqual(described.isolates["native:streamlib_example_plugin"], ["g1", "g2"]);
  assert.equal(described.connections.find((c) => c.id === inside.id)!.crossIsolate, false);
  assert.equal(rt.stats().connections[inside.id].written, sent);
  plugin.close();
});

Deno.test("a plugin that panics in process disables that processor only: state error, a node-error event, the rest keeps running", async () => {
  const example = NativePlugin.load(EXAMPLE);
  const fixtures = NativePlugin.load(FIXTURES);
  await using rig = workerRig();
  const { rt, events } = rig;
  rt.use(example).use(fixtures);
  rt.add("TestToneGenerator", { frequency: 440, amplitude: 0.2 }, { id: "tone" });
  rt.add("PanicAfter", { frames: 3 }, { id: "boom" });
  rt.add("NativeGain", { gain: 1 }, { id: "fine" });
  rt.add("AudioTap", {}, { id: "after_panic" });
  rt.add("AudioTap", {}, { id: "still_fine" });
  rt.connectByName("tone", "audio", "boom", "in");
  rt.connectByName("boom", "out", "after_panic", "in");
  rt.connectByName("tone", "audio", "fine", "in");
  rt.connectByName("fine", "out", "still_fine", "in");
  await rt.start();
  await until(
    () => events.some((e) => e.type === "node-error" && e.node === "boom"),
    "the panic's node-error event",
  );
  const error = events.find((e) => e.type === "node-error" && e.node === "boom") as Extract<
    RuntimeEvent,
    { type: "node-error" }
  >;
  assert.equal(error.phase, "process");
  assert.equal(error.action, "stop-processor");
  assert.match(error.message, /PanicAfter: deliberate panic at frame 3/);
  assert.equal(rt.describe().nodes.find((n) => n.id === "boom")!.state, "error");
  assert.match(rt.describe().nodes.find((n) => n.id === "boom")!.failure?.message ?? "", /panic/);
  const before = tap("still_fine").frameNumbers.length;
  await until(
    () => tap("still_fine").frameNumbers.length >= before + 10,
    "10 more blocks elsewhere",
  );
  assert.equal(rt.describe().state, "running");
  assert.equal(
    tap("after_panic").frameNumbers.length,
    2,
    "two calls passed before the third panicked",
  );
  assert.equal(rt.stats().nodes.boom.errors, 1);
  await rt.stop();
  example.close();
  fixtures.close();
});

Deno.test("a native node that panics holds back none of its writer's other readers", async () => {
  const fixtures = NativePlugin.load(FIXTURES);
  await using rig = workerRig();
  const { rt, events } = rig;
  rt.use(fixtures);
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("PanicAfter", { frames: 3 }, { id: "boom" });
  rt.add("AudioTap", {}, { id: "beside_boom" });
  const toBoom = rt.connectByName("tone", "audio", "boom", "in", { capacity: 2, policy: "fifo" });
  rt.connectByName("tone", "audio", "beside_boom", "in");
  await rt.start();
  await until(
    () => events.some((e) => e.type === "node-error" && e.node === "boom"),
    "the panic's node-error event",
  );
  const { framesOut: before, blockedRuns: blockedBefore } = rt.stats().nodes.tone;
  // Far more blocks than the panicked node's ring holds: it would have stopped the tone.
  await until(() => rt.stats().nodes.tone.framesOut >= before + 50, "50 more blocks");
  const stats = rt.stats();
  await rt.stop();
  fixtures.close();
  assert.equal(stats.nodes.tone.blockedRuns, blockedBefore, "no wait for the failed node");
  assert.equal(stats.nodes.tone.framesRefused, 0);
  const into = stats.connections[toBoom.id];
  assert.equal(into.fullRejections, 0);
  assert.ok(into.discarded >= 50, `${into.discarded} discarded`);
  assert.ok(tap("beside_boom").frameNumbers.length >= before + 45, "the other reader kept up");
});

Deno.test("the restart policy recreates a panicked native instance, up to maxRestarts", async () => {
  const fixtures = NativePlugin.load(FIXTURES);
  await using rig = workerRig();
  const { rt, events } = rig;
  rt.use(fixtures);
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("PanicAfter", { frames: 2 }, { id: "boom", onError: "restart", maxRestarts: 2 });
  rt.connectByName("tone", "audio", "boom", "in");
  await rt.start();
  const errors = () => events.filter((e) => e.type === "node-error" && e.node === "boom");
  await until(() => errors().length >= 3, "three panics");
  assert.deepEqual(
    errors().map((e) => (e as { action: string }).action),
    ["restart", "restart", "stop-processor"],
  );
  assert.equal(rt.stats().nodes.boom.restarts, 2);
  assert.equal(rt.describe().nodes.find((n) => n.id === "boom")!.state, "error");
  await rt.stop();
  fixtures.close();
});

Deno.test("a plugin whose create fails puts the node in error at start with the plugin's message", async () => {
  const fixtures = NativePlugin.load(FIXTURES);
  await using rig = workerRig();
  const { rt, events } = rig;
  rt.use(fixtures);
  rt.add("TestPattern", { width: 32, height: 16 }, { id: "pattern" });
  rt.add("FailCreate", {}, { id: "refuses" });
  rt.connectByName("pattern", "video", "refuses", "in");
  await rt.start();
  const error = events.find((e) => e.type === "node-error" && e.node === "refuses");
  assert.ok(error && error.type === "node-error");
  assert.equal(error.phase, "setup");
  assert.match(error.message, /FailCreate failed to start: FailCreate: refused to start/);
  assert.equal(rt.describe().nodes.find((n) => n.id === "refuses")!.state, "error");
  await sleep(50);
  assert.equal(rt.describe().nodes.find((n) => n.id === "pattern")!.state, "running");
  await rt.stop();
  fixtures.close();
});

Deno.test("bad plugin paths and libraries are typed errors that say what was wrong", () => {
  assert.throws(
    () => NativePlugin.load(built("streamlib_plugin_abi_mismatch_fixture")),
    (error: unknown) => {
      assert.ok(error instanceof PluginAbiMismatchError);
      assert.equal(error.pluginAbi, 999);
      assert.equal(error.hostAbi, 2);
      assert.match(
        error.message,
        /plugin ABI version 999.*supports plugin ABI version 2 \(and still loads 1\): rebuild the plugin against a streamlib_plugin crate of ABI version 2/,
      );
      return true;
    },
  );
  assert.throws(
    () => NativePlugin.load("/no/such/dir/libplugin.so"),
    (error: unknown) =>
      error instanceof NativePluginError && /no such file/.test(error.message) &&
      error.path === "/no/such/dir/libplugin.so",
  );
  // A real shared library that is not a plugin (it only exports sl_abi_version).
  assert.throws(
    () => NativePlugin.load(built("abi_mismatch_fixture")),
    (error: unknown) =>
      error instanceof NativePluginError &&
      /is not a streamlib native plugin: it does not export streamlib_plugin_entry/.test(
        error.message,
      ),
  );
  // A file that is not a shared library at all.
  const text = fileURLToPath(import.meta.url);
  assert.throws(
    () => NativePlugin.load(text),
    (error: unknown) =>
      error instanceof NativePluginError && /Cannot load native plugin/.test(error.message),
  );
});

Deno.test("native plugin nodes: a second load clashes by name, placements are refused, and a runtime without a transport says what it needs", () => {
  const a = NativePlugin.load(EXAMPLE);
  const b = NativePlugin.load(EXAMPLE);
  try {
    assert.throws(() => new NodeRegistry([...a, ...b]), DuplicateProcessorError);
    const plain = new Runtime().use(a);
    assert.throws(
      () => plain.add("NativeGain", {}),
      (e: unknown) => e instanceof NodeOptionsError && /cross-isolate transport/.test(e.message),
    );
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a worker placement for a native plugin processor is refused", async () => {
  const plugin = NativePlugin.load(EXAMPLE);
  await using rig = workerRig();
  rig.rt.use(plugin);
  assert.throws(
    () => rig.rt.add("NativeGain", {}, { placement: { worker: "dsp" } }),
    (e: unknown) => e instanceof NodeOptionsError && /takes no placement/.test(e.message),
  );
  plugin.close();
});

Deno.test("a native node waits on a full fifo output (back-pressure) instead of losing frames", async () => {
  const plugin = NativePlugin.load(EXAMPLE);
  await using rig = workerRig();
  const { rt } = rig;
  rt.use(plugin);
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("NativeGain", { gain: 0.5 }, { id: "gain" });
  // Reads its first frames, then no more (alive, not failed): frames pile up behind it.
  rt.add("Crasher", { mode: "stall", failAt: 1 }, { id: "stuck" });
  stalledCrashers.add("stuck");
  const fifo2 = { capacity: 2, policy: "fifo" } as const;
  const toGain = rt.connectByName("tone", "audio", "gain", "in", fifo2);
  const fromGain = rt.connectByName("gain", "out", "stuck", "in", fifo2);
  await rt.start();
  await until(() => rt.stats().nodes.tone.blockedRuns >= 10, "the tone held back");
  const stats = rt.stats();
  stalledCrashers.delete("stuck"); // reads again, so the graph drains
  await rt.stop();
  plugin.close();
  const out = stats.connections[fromGain.id];
  const into = stats.connections[toGain.id];
  // The native node stopped reading when its output filled; the tone then waited in turn.
  assert.deepEqual([out.queued, out.fullRejections, out.dropped], [2, 0, 0]);
  assert.deepEqual([into.queued, into.fullRejections, into.dropped], [2, 0, 0]);
  // So nothing was refused: the native node's stats list its output with none.
  assert.deepEqual(
    [stats.nodes.gain.framesRefused, stats.nodes.gain.framesRefusedByOutput],
    [0, { out: 0 }],
  );
  assert.deepEqual(stats.nodes.tone.framesRefusedByOutput, { audio: 0 });
  // Plugin ABI 2: the native node counted its wait for the full output, once per wait.
  assert.ok(stats.nodes.gain.blockedRuns >= 1, `blockedRuns ${stats.nodes.gain.blockedRuns}`);
});

Deno.test("createRuntime() (its Worker backend loaded lazily) runs a native plugin node at once, also with a Worker placement pending", async () => {
  const { createRuntime } = await import("../../processors/runtime.ts");
  for (const withWorker of [false, true]) {
    const plugin = NativePlugin.load(EXAMPLE);
    try {
      await using rt = createRuntime().use(plugin);
      rt.add("TestPattern", { width: 64, height: 48, fps: 100, pixelFormat: "RGBA" }, {
        id: "pattern",
      });
      // A Worker node first: its host and channel are queued until the backend is loaded; the
      // plugin's host then makes the backend at once and the queue replays.
      if (withWorker) {
        rt.add("NullSink", {}, { id: "far", placement: { worker: "w" } });
        rt.connectByName("pattern", "video", "far", "in");
      }
      rt.add("NativeInvert", {}, { id: "invert" });
      rt.add("NullSink", {}, { id: "sink" });
      rt.connectByName("pattern", "video", "invert", "in");
      rt.connectByName("invert", "out", "sink", "in");
      await rt.start();
      await until(() => rt.stats().nodes.sink.framesIn >= 8, "8 frames through NativeInvert");
      if (withWorker) await until(() => rt.stats().nodes.far.framesIn >= 8, "8 in the Worker");
      await rt.stop();
      assert.deepEqual(rt.frameLeaks(), []);
    } finally {
      plugin.close();
    }
  }
});

Deno.test("writing a released frame to a native plugin node's input throws in the writer, naming its node and port", async () => {
  const plugin = NativePlugin.load(EXAMPLE);
  await using rig = workerRig();
  const { rt, events, backend } = rig;
  rt.use(plugin).use([stereoSeqSourceNode, stereoStaleRelayNode]);
  rt.add("StereoSeqSource", { total: 10, frameCount: 64 }, { id: "src" });
  rt.add("StereoStaleRelay", {}, { id: "relay" });
  rt.add("NativeGain", { gain: 0.5 }, { id: "gain" });
  rt.add("AudioTap", {}, { id: "stale_tap" });
  rt.connectByName("src", "out", "relay", "in");
  rt.connectByName("relay", "out", "gain", "in");
  rt.connectByName("gain", "out", "stale_tap", "in");
  await rt.start();
  const isError = (e: RuntimeEvent) => e.type === "node-error";
  await until(() => events.some(isError), "the relay to fail");
  await sleep(30);
  await rt.stop();
  const errors = events.filter(isError) as (RuntimeEvent & { name?: string; message: string })[];
  assert.deepEqual(errors.map((e) => [e.type === "node-error" && e.node, e.name]), [
    ["relay", "FrameReleasedError"],
  ]);
  assert.match(
    errors[0].message,
    /Cannot write a released audio frame \(made by 'src'\) to 'relay.out': node 'relay'/,
  );
  assert.equal(tap("stale_tap").frameNumbers.length, 0, "nothing dead reached the plugin");
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0);
  plugin.close();
});
