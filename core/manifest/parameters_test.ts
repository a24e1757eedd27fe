import assert from "node:assert/strict";
import { builtinRegistry } from "@streamlib/streamlib/processors";
import { Runtime } from "../runtime.ts";
import { createRuntime } from "@streamlib/streamlib/processors";
import { loadManifest, saveManifest, setParameters } from "./manifest.ts";
import { applyParameters, describeParameters, ParameterError } from "./parameters.ts";
import { validateManifest } from "./validation.ts";

const manifest = {
  version: 1,
  nodes: [
    { id: "fx", type: "Gain", config: { gain: 0.5 } },
    { id: "verb", type: "Reverb" },
  ],
  connections: [{ from: "fx.out", to: "verb.in" }],
  inputs: { voice: "fx.in" },
  outputs: { voice: "verb.out" },
  parameters: { gain: "fx.gain", room: { target: "verb.roomSize", description: "room size" } },
};

function codes(m: unknown): string[] {
  return validateManifest(m, builtinRegistry).map((i) => `${i.path} ${i.code}`);
}

Deno.test("a manifest's parameters are checked against its nodes' config fields", () => {
  assert.deepEqual(codes(manifest), []);
  const bad = (parameters: unknown) => codes({ ...manifest, parameters });
  assert.deepEqual(bad([]), ["parameters malformed"]);
  assert.deepEqual(bad({ gain: "nope.gain" }), ["parameters.gain node_not_found"]);
  assert.deepEqual(bad({ gain: "fx.gian" }), ["parameters.gain invalid_parameter"]);
  assert.deepEqual(bad({ gain: "fx" }), ["parameters.gain malformed"]);
  assert.deepEqual(bad({ gain: 3 }), ["parameters.gain malformed"]);
  assert.deepEqual(bad({ "9x": "fx.gain" }), ["parameters.9x invalid_parameter"]);
  assert.deepEqual(bad({ a: "fx.gain", b: "fx.gain" }), ["parameters.b invalid_parameter"]);
  assert.deepEqual(bad({ a: { target: "fx.gain", colour: 1 } }), [
    "parameters.a.colour unknown_field",
  ]);
  assert.deepEqual(bad({ a: { target: "fx.gain", description: 3 } }), [
    "parameters.a.description malformed",
  ]);
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, "fx.gain"]));
  assert.deepEqual(bad(many), ["parameters invalid_parameter"]);
  const [issue] = validateManifest({ ...manifest, parameters: { g: "fx.gian" } }, builtinRegistry);
  assert.match(
    issue.message,
    /Gain has no config field gian, did you mean gain\? its config fields: gain$/,
  );
});

Deno.test("applyParameters writes checked values into a copy", () => {
  const chosen = applyParameters(manifest, { gain: 2, room: 0.9 }, builtinRegistry);
  assert.deepEqual(chosen.nodes[0].config, { gain: 2 });
  assert.deepEqual((chosen.nodes[1] as { config?: unknown }).config, { roomSize: 0.9 });
  assert.deepEqual(manifest.nodes[0].config, { gain: 0.5 }, "the manifest is not changed");
  assert.equal(applyParameters(manifest, {}, builtinRegistry), manifest);
  assert.equal(applyParameters(manifest, undefined, builtinRegistry), manifest);
});

Deno.test("a value the manifest does not declare or its field refuses is a typed error", () => {
  const refused = (values: unknown) => {
    try {
      applyParameters(manifest, values, builtinRegistry);
    } catch (error) {
      assert.ok(error instanceof ParameterError);
      return { code: error.code, message: error.message, details: error.details };
    }
    assert.fail("accepted");
  };
  const unknown = refused({ gian: 1 });
  assert.equal(unknown.code, "unknown_parameter");
  assert.match(
    unknown.message,
    /no parameter gian\. Did you mean gain\? Its parameters: gain, room$/,
  );
  assert.deepEqual(unknown.details.available, ["gain", "room"]);
  const invalid = refused({ gain: 99 });
  assert.equal(invalid.code, "invalid_parameter");
  assert.equal(invalid.details.parameter, "gain");
  assert.match(
    invalid.message,
    /Parameter gain \(fx\.gain\) must be a number from 0 to 16, got 99/,
  );
  assert.equal(refused({ gain: "loud" }).code, "invalid_parameter");
  assert.equal(refused([1]).code, "invalid_parameter");
  assert.equal(refused("gain=2").code, "invalid_parameter");
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  assert.match(refused({ gain: deep }).message, /more than 64 levels deep/);
  const noParameters = { ...manifest, parameters: undefined };
  assert.match(
    (() => {
      try {
        applyParameters(noParameters, { gain: 1 }, builtinRegistry);
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    })(),
    /Its parameters: \(none\)/,
  );
});

Deno.test("describeParameters gives each field's schema and the manifest's value", () => {
  const described = describeParameters(manifest, builtinRegistry);
  assert.deepEqual(Object.keys(described), ["gain", "room"]);
  assert.equal(described.gain.default, 0.5);
  assert.equal(described.gain.node, "fx");
  assert.equal(described.room.description, "room size");
  assert.equal(described.room.schema.type, "number");
  assert.equal(described.room.default, described.room.schema.default);
  assert.equal(described.gain.live, true);
});

Deno.test("loadManifest applies parameters and saveManifest keeps the declarations", () => {
  const rt = new Runtime({ registry: builtinRegistry });
  loadManifest(rt, manifest, { parameters: { gain: 3 } });
  const node = rt.describe().nodes.find((n) => n.id === "fx")!;
  assert.deepEqual(node.config, { gain: 3 });
  const saved = saveManifest(rt);
  assert.deepEqual(saved.parameters, manifest.parameters);
  assert.deepEqual(validateManifest(saved, builtinRegistry), []);
  rt.remove("verb");
  assert.deepEqual(saveManifest(rt).parameters, { gain: "fx.gain" });
  // A node of another processor under the same id: its parameter no longer has a field.
  rt.add("NullSink", {}, { id: "verb" });
  assert.deepEqual(saveManifest(rt).parameters, { gain: "fx.gain" });
  const other = new Runtime({ registry: builtinRegistry });
  assert.throws(
    () => loadManifest(other, manifest, { parameters: { volume: 1 } }),
    (error) => error instanceof ParameterError && error.code === "unknown_parameter",
  );
  assert.equal(other.describe().nodes.length, 0, "nothing added");
});

Deno.test("setParameters changes live fields of a running graph, all or nothing", async () => {
  await using rt = createRuntime();
  loadManifest(rt, {
    version: 1,
    nodes: [
      { id: "tone", type: "TestToneGenerator" },
      { id: "fx", type: "Gain" },
      { id: "sink", type: "NullSink" },
    ],
    connections: [{ from: "tone.audio", to: "fx.in" }, { from: "fx.out", to: "sink.in" }],
    parameters: { level: "fx.gain", block: "tone.blockSize", pitch: "tone.frequency" },
  });
  const config = (id: string) => rt.describe().nodes.find((n) => n.id === id)!.config;
  // Stopped: any field.
  assert.deepEqual(setParameters(rt, { block: 960 }), ["block"]);
  await rt.start();
  assert.deepEqual(setParameters(rt, { level: 0.5, pitch: 880 }), ["level", "pitch"]);
  assert.equal((config("fx") as { gain: number }).gain, 0.5);
  assert.equal((config("tone") as { frequency: number }).frequency, 880);
  const refused = (values: unknown) => {
    try {
      setParameters(rt, values);
    } catch (error) {
      assert.ok(error instanceof ParameterError);
      return error;
    }
    assert.fail("accepted");
  };
  const locked = refused({ level: 2, block: 480 });
  assert.equal(locked.code, "config_locked");
  assert.deepEqual(locked.details.available, ["level", "pitch"]);
  assert.match(locked.message, /block \(tone\.blockSize\) is set when the pipeline starts/);
  assert.equal((config("fx") as { gain: number }).gain, 0.5, "nothing changed");
  assert.equal(refused({ level: 99 }).code, "invalid_parameter");
  assert.equal(refused({ volume: 1 }).code, "unknown_parameter");
  assert.equal(refused(null).code, "invalid_parameter");
  assert.equal((config("tone") as { blockSize: number }).blockSize, 960);
});
