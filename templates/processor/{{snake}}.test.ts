import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  InputBinding,
  OutputBinding,
} from "@streamlib/streamlib";
import { discoverPlugins, loadPlugins } from "@streamlib/streamlib/plugins";
import { {{camel}}Node } from "./{{snake}}.gen.ts";

Deno.test("{{pascal}}.process() scales every sample by level", () => {
  const ports = {{camel}}Node.ports();
  const processor = {{camel}}Node.create({ level: 0.5 }, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(source, ports.input("in"));
  connectLocal(ports.output("out"), sink);
  const ctx = createProcessContext("{{snake}}");
  processor.setup(ctx);
  const block = createAudioFrame(2, 48_000, 2);
  block.samples.set([1, -1, 0.5, 0]);
  source.write(block);
  processor.process(ctx);
  assert.deepEqual([...sink.read()!.samples], [0.5, -0.5, 0.25, 0]);
  ctx.frames.flush();
});

Deno.test("this folder is a plugin: discovered, checked and loaded by its metadata", async () => {
  const found = await discoverPlugins([fileURLToPath(new URL(".", import.meta.url))]);
  assert.deepEqual(found.map((p) => p.metadata.name), ["{{kebab}}"]);
  const { registry, origins } = await loadPlugins(found);
  assert.deepEqual(registry.names, ["{{pascal}}"]);
  assert.equal(origins.get("{{pascal}}")?.plugin, "{{kebab}}");
});
