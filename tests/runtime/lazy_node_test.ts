import assert from "node:assert/strict";
import { lazyNode, NodeRegistry, Processor, Runtime } from "../../mod.ts";
import { MemoryBudgetError } from "../../core/admission/check.ts";
import { ProcessorNotLoadedError } from "../../core/registry/lazy_node.ts";
import { gainNode } from "../../processors/transforms/gain.gen.ts";
import { registry as builtinRegistry } from "../../processors/registry.gen.ts";
import { testPatternFootprint } from "../../processors/video/footprints.ts";

const GAIN_URL = new URL("../../processors/transforms/gain.gen.ts", import.meta.url).href;

/** A lazy entry named like the built-in Gain, loading `load`. */
function lazyGain(
  name: string,
  load: () => Promise<Record<string, unknown>>,
  moduleUrl = GAIN_URL,
) {
  return lazyNode({ descriptor: { ...gainNode.descriptor, name }, moduleUrl, load });
}

Deno.test("lazyNode() fails the node's setup with processor_not_loaded when its module is gone", async () => {
  const missing = "file:///nowhere/missing.gen.ts";
  const entry = lazyGain("Gone", () => import(missing), missing);
  const rt = new Runtime({ registry: new NodeRegistry([entry]) });
  const codes: (string | undefined)[] = [];
  rt.on((event) => {
    if (event.type === "node-error") codes.push(event.code);
  });
  rt.add("Gone", { gain: 2 }, { id: "gone" }); // the descriptor is enough to add and validate
  assert.throws(() => rt.add("Gone", { gain: "loud" }), /gain/);
  await rt.start();
  const failure = rt.describe().nodes.find((n) => n.id === "gone")?.failure;
  assert.equal(failure?.code, "processor_not_loaded");
  assert.equal(failure?.phase, "setup");
  assert.match(failure!.message, /Cannot load processor 'Gone' from file:\/\/\/nowhere\/missing/);
  assert.deepEqual(codes, ["processor_not_loaded"]);
  await rt.stop();
});

Deno.test("lazyNode() refuses a module that does not define the processor, naming both", async () => {
  const entry = lazyGain("Elsewhere", () => import(GAIN_URL));
  await assert.rejects(entry.load!(), (error) => {
    assert.ok(error instanceof ProcessorNotLoadedError);
    assert.deepEqual(error.details, { processor: "Elsewhere", module: GAIN_URL });
    assert.match(error.message, /exports no node definition of that name/);
    return true;
  });
  assert.throws(() => entry.create({}), ProcessorNotLoadedError);
});

Deno.test("NodeRegistry.of() answers for a class by a lazy entry of its name and checks the class on load", async () => {
  class Gain extends Processor {
    process(): void {}
  }
  const entry = lazyGain("Gain", () => import(GAIN_URL));
  const registry = new NodeRegistry([entry]);
  const narrowed = registry.of(Gain);
  assert.ok(narrowed !== undefined);
  await assert.rejects(narrowed.load!(), /a class named 'Gain' was added/);
  const real = await entry.load!();
  assert.equal(registry.of(real.processorClass!), entry); // loaded: found by its class
});

Deno.test("NodeRegistry keeps one processor when a lazy entry meets the definition its module exports", () => {
  const entry = lazyGain("Gain", () => import(GAIN_URL));
  const joined = new NodeRegistry([entry]).with([gainNode]);
  assert.equal(joined.get("Gain"), gainNode); // the loaded definition replaces the entry
  const other = { ...gainNode, moduleUrl: "file:///elsewhere/gain.gen.ts" };
  assert.throws(() => new NodeRegistry([entry, other]), /twice/);
});

Deno.test("admission control asks a lazy entry's footprint hook before the class is loaded", () => {
  const pattern = lazyNode({
    descriptor: builtinRegistry.describe("TestPattern"),
    moduleUrl: "file:///never/loaded.gen.ts",
    load: () => Promise.reject(new Error("not to be loaded")),
    footprint: testPatternFootprint,
  });
  const rt = new Runtime({ registry: new NodeRegistry([pattern]), memoryBudgetBytes: 1_000_000 });
  assert.throws(
    () => rt.add("TestPattern", { width: 1920, height: 1080, pixelFormat: "RGBA" }),
    MemoryBudgetError,
  );
  rt.add("TestPattern", { width: 64, height: 64, pixelFormat: "RGBA" }); // 16 kB frames fit
  assert.equal(pattern.processorClass, undefined);
});
