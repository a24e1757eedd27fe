import assert from "node:assert/strict";
import { loadManifest, saveManifest } from "../../core/manifest/manifest.ts";
import { validateManifest } from "../../core/manifest/validation.ts";
import { builtinRegistry, createRuntime } from "../../processors/mod.ts";

const manifest = {
  version: 1,
  nodes: [{ id: "tone", type: "TestToneGenerator" }, { id: "sink", type: "NullSink" }],
  connections: [{ from: "tone.audio", to: "sink.in" }],
  ui: { positions: { tone: { x: 24, y: 40.5 }, sink: { x: 300, y: 40 } } },
};

Deno.test("checkManifestUi() accepts positions of declared nodes; the runtime ignores them", () => {
  assert.deepEqual(validateManifest(manifest, builtinRegistry), []);
  const rt = createRuntime();
  loadManifest(rt, manifest);
  const saved = saveManifest(rt);
  assert.equal("ui" in saved, false, "the runtime keeps no ui metadata");
  assert.deepEqual(saved.nodes.map((n) => n.id), ["tone", "sink"]);
});

Deno.test("checkManifestUi() reports each bad part by path with a code", () => {
  const bad = (ui: unknown) =>
    validateManifest({ ...manifest, ui }, builtinRegistry).map((i) => [i.path, i.code]);
  assert.deepEqual(bad([]), [["ui", "malformed"]]);
  assert.deepEqual(bad({ position: {} }), [["ui.position", "unknown_field"]]);
  assert.deepEqual(bad({ positions: 3 }), [["ui.positions", "malformed"]]);
  assert.deepEqual(bad({ positions: { sinc: { x: 1, y: 1 } } }), [
    ["ui.positions.sinc", "node_not_found"],
  ]);
  assert.deepEqual(bad({ positions: { tone: { x: 1 } } }), [[
    "ui.positions.tone.y",
    "missing_field",
  ]]);
  assert.deepEqual(bad({ positions: { tone: { x: -1, y: 1e9, z: 0 } } }), [
    ["ui.positions.tone.z", "unknown_field"],
    ["ui.positions.tone.x", "invalid_field"],
    ["ui.positions.tone.y", "invalid_field"],
  ]);
  assert.deepEqual(bad({ positions: { tone: null } }), [["ui.positions.tone", "malformed"]]);
  const [suggested] = validateManifest(
    { ...manifest, ui: { positions: { sinc: { x: 1, y: 1 } } } },
    builtinRegistry,
  );
  assert.deepEqual(suggested.suggestions, ["sink"]);
});
