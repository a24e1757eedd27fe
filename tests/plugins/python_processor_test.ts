/**
 * Python processors by name: a real plugin folder (`tests/fixtures/plugins/python_pkg/`) is
 * described by a real python3 and its decorated classes run in graphs, one child per node.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  defineNode,
  NodeRegistry,
  type PortTable,
  type ProcessContext,
  Processor,
  type RuntimeEvent,
} from "../../mod.ts";
import { createRuntime } from "../../processors/runtime.ts";
import { ConfigValidationError } from "../../core/config/validation.ts";
import { loadPythonPlugin, PythonPluginError } from "../../plugins/mod.ts";

const PKG = new URL("../fixtures/plugins/python_pkg/", import.meta.url);
const BROKEN = new URL("../fixtures/plugins/python_broken/", import.meta.url);
const META = JSON.parse(await Deno.readTextFile(new URL("streamlib.plugin.json", PKG)));

/** What each Collect node saw, by node id: audio samples, video pixels or data values. */
const seen = new Map<string, unknown[]>();

/** A sink of any frame, copying what it reads (frames are released when process() returns). */
class Collect extends Processor {
  process(ctx: ProcessContext): void {
    const input = (this.inputs as { in: { read(): unknown } }).in;
    const list = seen.get(ctx.node) ?? [];
    seen.set(ctx.node, list);
    let frame;
    while ((frame = input.read() as Record<string, unknown> | undefined) !== undefined) {
      if (frame.kind === "audio") list.push(Array.from(frame.samples as Float32Array));
      else if (frame.kind === "video") list.push((frame.data as Uint8Array).slice());
      else list.push(frame.value);
    }
  }
}

const collectNode = defineNode({
  descriptor: {
    name: "Collect",
    description: "Test sink",
    tags: [],
    mode: "push",
    inputs: [{
      name: "in",
      direction: "input",
      portType: "Frame",
      required: true,
      description: "",
    }],
    outputs: [],
    config: { type: "object", properties: {}, additionalProperties: false },
    source: "tests/plugins/python_processor_test.ts",
  },
  processorClass: Collect,
  accessors: (ports: PortTable) => ({ inputs: { in: ports.input("in") }, outputs: {} }),
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 30_000; // python3 starts slowly on a loaded machine
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function runtimeWithPlugin() {
  const registry = await loadPythonPlugin(PKG, META);
  return createRuntime({ workers: false }).use(registry).use(new NodeRegistry([collectNode]));
}

Deno.test("loadPythonPlugin() describes the decorated classes: ports, frame kinds, config schema, mode", async () => {
  const registry = await loadPythonPlugin(PKG, META);
  assert.deepEqual(registry.names, ["PyBadReply", "PyCounter", "PyCrash", "PyGain", "PyInvert"]);
  const gain = registry.describe("PyGain");
  assert.equal(gain.description, "Multiplies stereo audio by a constant.");
  assert.deepEqual(gain.tags, ["audio", "filter", "python"]);
  assert.equal(gain.mode, "push");
  assert.deepEqual(gain.inputs.map((p) => [p.name, p.portType, p.required]), [
    ["in", "AudioFrame<2>", true],
  ]);
  assert.deepEqual(gain.config.properties?.gain, {
    type: "number",
    minimum: 0,
    maximum: 4,
    default: 1,
    description: "Linear factor.",
  });
  assert.match(gain.source, /^python plugin pkg 1\.0\.0 \(.*python_pkg\/pkg\)$/);
  const invert = registry.describe("PyInvert");
  assert.deepEqual(invert.outputs.map((p) => [p.name, p.portType]), [
    ["out", "VideoFrame"],
    ["meta", "DataFrame"],
  ]);
  const counter = registry.describe("PyCounter");
  assert.deepEqual([counter.mode, counter.inputs.length], ["loop", 0]);
});

Deno.test("a Python processor's config is checked against its declared schema", async () => {
  const rt = await runtimeWithPlugin();
  for (const bad of [{ gain: -1 }, { gain: "loud" }, { gian: 1 }]) {
    assert.throws(
      () => rt.add("PyGain", bad),
      (error: unknown) => error instanceof ConfigValidationError && error.code === "invalid_config",
    );
  }
});

Deno.test("PyGain scales audio in its own python3 process", async () => {
  const rt = await runtimeWithPlugin();
  rt.add("TestToneGenerator", { amplitude: 0.5 }, { id: "tone" });
  rt.add("PyGain", { gain: 0.5 }, { id: "pygain" });
  rt.add("Collect", {}, { id: "gain_wet" });
  rt.add("Collect", {}, { id: "gain_dry" });
  rt.connectByName("tone", "audio", "pygain", "in");
  rt.connectByName("pygain", "out", "gain_wet", "in");
  rt.connectByName("tone", "audio", "gain_dry", "in");
  await rt.start();
  await until(() => (seen.get("gain_wet")?.length ?? 0) >= 5, "5 blocks through PyGain");
  await rt.stop();
  const wet = seen.get("gain_wet") as number[][];
  const dry = seen.get("gain_dry") as number[][];
  for (let i = 0; i < wet.length; i++) {
    assert.deepEqual(wet[i], dry[i].map((x) => Math.fround(x * 0.5)), `block ${i}`);
  }
  assert.equal(rt.stats().nodes.pygain.processor?.calls, rt.stats().nodes.pygain.framesIn);
});

Deno.test("PyInvert reads and writes video, and writes data on a second output", async () => {
  const rt = await runtimeWithPlugin();
  rt.add("TestPattern", { width: 8, height: 4, fps: 50, pixelFormat: "RGBA" }, { id: "pattern" });
  rt.add("PyInvert", {}, { id: "pyinv" });
  rt.add("Collect", {}, { id: "inv_wet" });
  rt.add("Collect", {}, { id: "inv_meta" });
  rt.add("Collect", {}, { id: "inv_dry" });
  rt.connectByName("pattern", "video", "pyinv", "in", { policy: "fifo", capacity: 4 });
  rt.connectByName("pyinv", "out", "inv_wet", "in", { policy: "fifo", capacity: 4 });
  rt.connectByName("pyinv", "meta", "inv_meta", "in", { policy: "fifo", capacity: 4 });
  rt.connectByName("pattern", "video", "inv_dry", "in", { policy: "fifo", capacity: 4 });
  await rt.start();
  await until(() => (seen.get("inv_meta")?.length ?? 0) >= 3, "3 frames through PyInvert");
  await rt.stop();
  const wet = seen.get("inv_wet") as Uint8Array[];
  const dry = seen.get("inv_dry") as Uint8Array[];
  const meta = seen.get("inv_meta") as { width: number; height: number; frameNumber: number }[];
  assert.deepEqual([meta[0].width, meta[0].height, typeof meta[0].frameNumber], [8, 4, "number"]);
  assert.equal(meta.length, wet.length);
  for (let i = 0; i < wet.length; i++) {
    const expected = dry[i].map((v, k) => k % 4 === 3 ? v : 255 - v);
    assert.deepEqual(wet[i], expected, `frame ${i}`);
  }
});

Deno.test("PyCounter, a Python source, is called every period and writes data frames", async () => {
  const rt = await runtimeWithPlugin();
  rt.add("PyCounter", { start: 10 }, { id: "pycount" });
  rt.add("Collect", {}, { id: "counts" });
  rt.connectByName("pycount", "count", "counts", "in", { policy: "fifo", capacity: 64 });
  await rt.start();
  await until(() => (seen.get("counts")?.length ?? 0) >= 5, "5 counts");
  await rt.stop();
  const counts = seen.get("counts") as { n: number }[];
  assert.deepEqual(counts.slice(0, 5), [{ n: 10 }, { n: 11 }, { n: 12 }, { n: 13 }, { n: 14 }]);
});

Deno.test("a crashing Python processor fails alone, with a code and its traceback; the graph runs on", async () => {
  const rt = await runtimeWithPlugin();
  const errors: RuntimeEvent[] = [];
  rt.on((event) => {
    if (event.type === "node-error") errors.push(event);
  });
  rt.add("TestToneGenerator", {}, { id: "ctone" });
  rt.add("PyCrash", { failAt: 2 }, { id: "pycrash" });
  rt.add("PyBadReply", {}, { id: "pybad" });
  rt.add("Collect", {}, { id: "crash_out" });
  rt.add("Collect", {}, { id: "bystander" });
  rt.connectByName("ctone", "audio", "pycrash", "in");
  rt.connectByName("pycrash", "out", "crash_out", "in");
  rt.connectByName("ctone", "audio", "pybad", "in");
  rt.connectByName("ctone", "audio", "bystander", "in");
  await rt.start();
  await until(() => errors.length >= 2, "both Python nodes to fail");
  const before = seen.get("bystander")?.length ?? 0;
  await until(() => (seen.get("bystander")?.length ?? 0) > before + 5, "the bystander to go on");
  const states = Object.fromEntries(rt.describe().nodes.map((n) => [n.id, n.state]));
  await rt.stop();
  const byNode = Object.fromEntries(
    errors.map((e) => e.type === "node-error" ? [e.node, e] : []),
  );
  assert.equal(byNode.pycrash.code, "child_process_failed");
  assert.match(
    byNode.pycrash.message,
    /^Child process 'python3' exited with code 1, stderr: .*RuntimeError: PyCrash: deliberate failure at call 2/,
  );
  assert.equal(byNode.pybad.code, "child_process_failed");
  assert.match(byNode.pybad.message, /returned a frame for 'nope', which is not an output/);
  assert.deepEqual([states.pycrash, states.pybad, states.bystander], ["error", "error", "running"]);
  assert.equal((seen.get("crash_out") ?? []).length, 1);
});

Deno.test("loadPythonPlugin() refuses a plugin that fails to import, or registers other processors than listed", async () => {
  const broken = JSON.parse(await Deno.readTextFile(new URL("streamlib.plugin.json", BROKEN)));
  await assert.rejects(
    () => loadPythonPlugin(BROKEN, broken),
    (error: unknown) => {
      assert.ok(error instanceof PythonPluginError);
      assert.equal(error.code, "python_plugin_invalid");
      assert.match(
        error.message,
        /importing 'broken\.py' failed \(exit code 1\): .*ImportError: broken: this plugin cannot be imported \(deliberate\)/,
      );
      return true;
    },
  );
  await assert.rejects(
    () => loadPythonPlugin(PKG, { ...META, processors: ["PyGain", "PyMissing"] }),
    /lists processors \[PyGain, PyMissing\], the package registers \[PyGain, PyInvert, PyCounter, PyCrash, PyBadReply\]/,
  );
  await assert.rejects(
    () => loadPythonPlugin(PKG, { ...META, entry: "../python_broken/broken.py" }),
    /entry '\.\.\/python_broken\/broken\.py' is outside the plugin folder/,
  );
});
