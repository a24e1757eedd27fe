/**
 * `@input({ required: true })` acted on: a required input nothing feeds is a warning, reported by
 * `manifestWarnings()` (and `deno task validate`, see cli_test.ts) and by a `node-warning` event
 * when the runtime starts; neither refuses the graph.
 */

import assert from "node:assert/strict";
import { loadManifest, Runtime, validateManifest } from "../../mod.ts";
import { manifestWarnings } from "../../core/manifest/validation.ts";
import type { NodeWarningEvent } from "../../core/lifecycle/events.ts";
import { builtinRegistry } from "../../processors/mod.ts";

const manifest = (connections: { from: string; to: string }[]) => ({
  version: 1,
  nodes: [
    { id: "tone", type: "TestToneGenerator" },
    { id: "gain", type: "Gain" },
    { id: "scale", type: "VideoScale" },
    { id: "sink", type: "NullSink" },
  ],
  connections,
});

Deno.test("manifestWarnings() names each unconnected required input; validateManifest() accepts the manifest", () => {
  const m = manifest([{ from: "gain.out", to: "sink.in" }]);
  assert.deepEqual(validateManifest(m, builtinRegistry), []);
  const warnings = manifestWarnings(m, builtinRegistry);
  assert.deepEqual(warnings.map((w) => [w.path, w.code, w.node, w.severity]), [
    ["nodes[1]", "unconnected_required_input", "gain", "warning"],
    ["nodes[2]", "unconnected_required_input", "scale", "warning"],
  ]);
  assert.equal(
    warnings[0].message,
    "nodes[1]: required input 'in' of 'gain' (Gain) is not connected; it will get no frames",
  );
  const fed = manifest([{ from: "tone.audio", to: "gain.in" }, {
    from: "gain.out",
    to: "sink.in",
  }]);
  assert.deepEqual(manifestWarnings(fed, builtinRegistry).map((w) => w.node), ["scale"]);
  // An optional input (NullSink's) left unconnected is no warning.
  assert.deepEqual(manifestWarnings(manifest([]), builtinRegistry).map((w) => w.node), [
    "gain",
    "scale",
  ]);
});

Deno.test("manifestWarnings(): an input an application input feeds is not unconnected", () => {
  const m = {
    ...manifest([{ from: "gain.out", to: "sink.in" }]),
    inputs: { voice: "gain.in", pictures: { port: "scale.in", capacity: 2 } },
  };
  assert.deepEqual(validateManifest(m, builtinRegistry), []);
  assert.deepEqual(manifestWarnings(m, builtinRegistry), []);
  // Only the named port counts: without `pictures`, scale's input is unconnected again.
  const one = { ...manifest([{ from: "gain.out", to: "sink.in" }]), inputs: { voice: "gain.in" } };
  assert.deepEqual(manifestWarnings(one, builtinRegistry).map((w) => w.node), ["scale"]);
});

Deno.test("start() emits a node-warning per unconnected required input and runs the graph anyway", async () => {
  const rt = new Runtime({ registry: builtinRegistry });
  loadManifest(rt, manifest([{ from: "tone.audio", to: "gain.in" }]));
  const warnings: NodeWarningEvent[] = [];
  rt.on((event) => event.type === "node-warning" && warnings.push(event));
  await rt.start();
  try {
    assert.equal(rt.state, "running");
    assert.deepEqual(warnings.map((w) => [w.code, w.node, w.processor, w.port]), [
      ["unconnected_required_input", "scale", "VideoScale", "in"],
    ]);
    assert.match(warnings[0].message, /Required input 'in' of 'scale' \(VideoScale\)/);
  } finally {
    await rt.stop();
  }
  // Without the unfed node, the next start has nothing to say.
  rt.remove("scale");
  warnings.length = 0;
  await rt.start();
  await rt.stop();
  assert.deepEqual(warnings, []);
});
