/**
 * `new Runtime()` (empty registry) adds built-in processors by class: `add(Class)` falls back to
 * the definition the class's generated module built, and registers it; names stay registry-only.
 */

import assert from "node:assert/strict";
import {
  NodeRegistry,
  Processor,
  ProcessorNotFoundError,
  type ProcessorTypes,
  Runtime,
} from "../../mod.ts";
import { DuplicateProcessorError } from "../../core/registry/node_registry.ts";
import { Gain, TestToneGenerator, WavWriter } from "../../processors/mod.ts";
import { gainNode } from "../../processors/transforms/gain.gen.ts";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { soxSamples, withTempDir } from "../media/media_tools.ts";
import { soxInfo } from "../examples/wav_checks.ts";

Deno.test("new Runtime() adds TestToneGenerator and WavWriter by class and records the tone", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/tone.wav`;
    const rt = new Runtime();
    assert.equal(rt.registry.size, 0);
    assert.throws(() => rt.add("TestToneGenerator"), ProcessorNotFoundError); // names: registry only

    const tone = rt.add(TestToneGenerator, { frequency: 440, amplitude: 0.3 });
    const wav = rt.add(WavWriter, { path });
    rt.connect(tone.outputs.audio, wav.inputs.in);
    assert.deepEqual(rt.registry.names, ["TestToneGenerator", "WavWriter"]); // registered on add
    assert.equal(rt.add("TestToneGenerator", {}, { id: "by_name" }).processor, "TestToneGenerator");
    rt.remove("by_name");

    await rt.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await rt.stop();

    const info = await soxInfo(path);
    assert.deepEqual([info.rate, info.channels], [48_000, 2]);
    assert.ok(info.seconds > 0.1, `${info.seconds} s recorded`);
    const f = dominantFrequency(await soxSamples(path), 48_000, { channels: 2 });
    assert.ok(Math.abs(f - 440) <= 5, `${f} Hz`);
  });
});

Deno.test("Runtime.add(Class) keeps the registry's definition and refuses a name clash", () => {
  // A class whose generated module was never built: still not found, naming the class.
  class Unbuilt extends Processor<ProcessorTypes> {
    process(): void {}
  }
  assert.throws(
    () => new Runtime().add(Unbuilt),
    (e) => e instanceof ProcessorNotFoundError && e.processor === "Unbuilt",
  );

  // The registry's own definition wins over the generated one.
  const mine = { ...gainNode, descriptor: { ...gainNode.descriptor, source: "my_gain.ts" } };
  const rt = new Runtime({ registry: new NodeRegistry([mine]) });
  rt.add(Gain, {}, { id: "g" });
  assert.equal(rt.registry.get("Gain"), mine);

  // A class outside the registry whose name another definition holds.
  const other = { ...gainNode, processorClass: Unbuilt };
  const clash = new Runtime({ registry: new NodeRegistry([other]) });
  assert.throws(
    () => clash.add(Gain, {}, { id: "g" }),
    (e) => e instanceof DuplicateProcessorError && e.processor === "Gain",
  );
  assert.deepEqual(clash.describe().nodes, []); // nothing added
  assert.equal(clash.registry.get("Gain"), other);
});

Deno.test("every processor class processors/mod.ts exports has its generated definition loaded with it (add(Class) on new Runtime())", async () => {
  const { definitionBuiltFor } = await import("../../core/registry/node_definition.ts");
  const { registry } = await import("../../processors/registry.gen.ts");
  const exported = Object.values(await import("../../processors/mod.ts")).filter((value) =>
    typeof value === "function" && value.prototype instanceof Processor
  ) as (abstract new (...args: never[]) => Processor)[];
  // Every built-in is exported, and each one's definition was built by importing the module.
  assert.deepEqual(exported.map((c) => c.name).sort(), [...registry.names].sort());
  const missing = exported.filter((c) => definitionBuiltFor(c) === undefined).map((c) => c.name);
  assert.deepEqual(missing, [], "add the class's .gen.ts import to processors/mod.ts");
});
