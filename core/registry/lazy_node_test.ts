import assert from "node:assert/strict";
import { definitionName, lazyNode } from "./lazy_node.ts";
import { NodeRegistry } from "./node_registry.ts";
import { Processor } from "../processor/processor.ts";
import { gainNode } from "../../processors/transforms/gain.gen.ts";

const GAIN_URL = new URL("../../processors/transforms/gain.gen.ts", import.meta.url).href;

/** Counts `JSON.parse` calls while `body` runs. */
function countParses(body: () => void): number {
  const parse = JSON.parse;
  let calls = 0;
  JSON.parse = (...args: Parameters<typeof JSON.parse>) => {
    calls++;
    return parse(...args);
  };
  try {
    body();
  } finally {
    JSON.parse = parse;
  }
  return calls;
}

Deno.test("lazyNode() with JSON text parses it on the first read of the descriptor, once", () => {
  const text = JSON.stringify(gainNode.descriptor);
  const entry = lazyNode({ name: "Gain", descriptor: text, moduleUrl: GAIN_URL });
  let registry!: NodeRegistry;
  class Gain extends Processor {
    process(): void {}
  }
  // Registering, joining, looking up by name or class and naming the entry read no descriptor.
  assert.equal(
    countParses(() => {
      registry = new NodeRegistry([entry]).with([]);
      assert.ok(registry.has("Gain"));
      assert.equal(registry.get("Gain"), entry);
      assert.equal(definitionName(entry), "Gain");
      assert.deepEqual(registry.names, ["Gain"]);
      assert.ok(registry.of(Gain) !== undefined);
    }),
    0,
  );
  // The first read parses; later reads, handles and a narrowed copy share that descriptor.
  assert.equal(
    countParses(() => {
      assert.deepEqual(registry.describe("Gain"), gainNode.descriptor);
      assert.equal(registry.describe("Gain"), entry.descriptor);
      assert.equal(entry.handle("g").outputs.out.port, "out");
      assert.equal(registry.of(Gain)!.descriptor, entry.descriptor);
      assert.equal(registry.list()[0].name, "Gain");
    }),
    1,
  );
});

Deno.test("lazyNode() without a name parses JSON text at once; a name the text contradicts throws on the read", () => {
  const text = JSON.stringify(gainNode.descriptor);
  assert.equal(countParses(() => lazyNode({ descriptor: text, moduleUrl: GAIN_URL })), 1);
  assert.equal(definitionName(lazyNode({ descriptor: text, moduleUrl: GAIN_URL })), "Gain");
  const wrong = lazyNode({ name: "Loud", descriptor: text, moduleUrl: GAIN_URL });
  assert.equal(definitionName(wrong), "Loud");
  assert.throws(() => wrong.descriptor, /the descriptor of 'Loud' names 'Gain'/);
});

Deno.test("lazyNode() with JSON text validates configs and loads its module like one with an object", async () => {
  const entry = lazyNode({
    name: "Gain",
    descriptor: JSON.stringify(gainNode.descriptor),
    moduleUrl: GAIN_URL,
  });
  const loaded = await entry.load!();
  assert.equal(loaded.processorClass, gainNode.processorClass);
  assert.ok(entry.create({ gain: 0.5 }) instanceof gainNode.processorClass!);
  assert.throws(() => entry.create({ gain: "loud" }), /gain/);
});
