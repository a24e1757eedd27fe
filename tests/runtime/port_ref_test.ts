import assert from "node:assert/strict";
import { NodeNotFoundError, PortNotFoundError, PortTypeMismatchError, Runtime } from "../../mod.ts";
import { builtinRegistry, TestPattern } from "../../processors/mod.ts";
import { gainNode } from "../../processors/transforms/gain.gen.ts";

Deno.test("DynamicNodeHandle refs from add('Name') connect to typed and untyped refs", () => {
  const rt = new Runtime({ registry: builtinRegistry });
  const tone = rt.add("TestToneGenerator", {}, { id: "tone" });
  const sink = rt.add("NullSink", {}, { id: "sink" });
  const gain = rt.add(gainNode, {}, { id: "gain" });
  const tone2 = rt.add("TestToneGenerator", {}, { id: "tone2" });
  const last = rt.add("NullSink", {}, { id: "last" });
  // Each of these type-checks (this file is checked by `deno test`) and connects.
  assert.equal(rt.connect(tone.outputs.audio, gain.inputs.in).to, "gain.in");
  assert.equal(rt.connect(gain.outputs.out, last.inputs.in).from, "gain.out");
  assert.equal(rt.connect(tone2.outputs.audio, sink.inputs.in).to, "sink.in");
  // The run-time check stands in for the compiler's.
  const pattern = rt.add(TestPattern, {}, { id: "pattern" });
  assert.throws(
    () => rt.connect(pattern.outputs.video, rt.node("gain").inputs.in),
    PortTypeMismatchError,
  );
});

Deno.test("createNodeHandle() refs throw PortNotFoundError with a did-you-mean for a misspelt port", () => {
  const rt = new Runtime({ registry: builtinRegistry });
  const typed = rt.add(gainNode, {}, { id: "gain" });
  const named = rt.add("TestToneGenerator", {}, { id: "tone" });
  assert.throws(
    () => (named.outputs as Record<string, unknown>).audo,
    (error: unknown) => {
      assert.ok(error instanceof PortNotFoundError);
      assert.equal(error.port, "audo");
      assert.equal(error.direction, "output");
      assert.deepEqual(error.available, ["audio"]);
      assert.deepEqual(error.nearMatches, ["audio"]);
      assert.equal(
        error.message,
        "Cannot find output 'audo' on 'tone': did you mean audio? available outputs: audio",
      );
      return true;
    },
  );
  assert.throws(() => (typed.inputs as Record<string, unknown>).inn, /did you mean in\?/);
  // Serializers and thenable checks still see plain objects.
  assert.equal(
    JSON.stringify(named.outputs),
    '{"audio":{"node":"tone","port":"audio","portType":"AudioFrame<2>","direction":"output"}}',
  );
  assert.equal("audo" in named.outputs, false);
  assert.deepEqual(Object.keys(typed.inputs), ["in"]);
});

Deno.test("Runtime.node() names the nearest ids of a misspelt node id", () => {
  const rt = new Runtime({ registry: builtinRegistry });
  rt.add("TestToneGenerator", {}, { id: "tone" });
  assert.throws(() => rt.node("tne"), (error: unknown) => {
    assert.ok(error instanceof NodeNotFoundError);
    assert.deepEqual(error.nearMatches, ["tone"]);
    assert.equal(
      error.message,
      "Cannot find node 'tne': no node has this id, did you mean tone? available nodes: tone",
    );
    return true;
  });
  assert.throws(() => rt.connectByName("tone", "audio", "snk", "in"), NodeNotFoundError);
});

// Type-level: mismatched typed refs still do not compile (never called).
function _typedMismatch(rt: Runtime): void {
  const pattern = rt.add(TestPattern);
  const gain = rt.add(gainNode);
  // @ts-expect-error VideoFrame does not fit AudioFrame<2>
  rt.connect(pattern.outputs.video, gain.inputs.in);
}

Deno.test("Runtime.add(Class) without its generated module says to import it", async () => {
  const { Processor } = await import("../../core/processor/processor.ts");
  const { ProcessorClassNotDefinedError } = await import("../../core/registry/node_registry.ts");
  class Brightness extends Processor {
    process(): void {}
  }
  assert.throws(() => new Runtime().add(Brightness), (error: unknown) => {
    assert.ok(error instanceof ProcessorClassNotDefinedError);
    assert.equal(error.generatedModule, "./brightness.gen.ts");
    assert.match(error.message, /import "\.\/brightness\.gen\.ts";/);
    assert.match(error.message, /rt\.use\(registry\)/);
    return true;
  });
});
