import assert from "node:assert/strict";
import {
  loadManifest,
  ManifestError,
  PlacementUnavailableError,
  Runtime,
  saveManifest,
  validateManifest,
} from "../../mod.ts";
import type { ManifestIssueCode } from "../../core/manifest/issue.ts";
import { builtinRegistry, createRuntime } from "../../processors/mod.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";

const dir = new URL("../fixtures/manifests/", import.meta.url);
const read = (name: string): unknown => JSON.parse(Deno.readTextFileSync(new URL(name, dir)));

const EXPECTED: Record<string, [ManifestIssueCode, string, RegExp][]> = {
  "invalid_unknown_processor.json": [
    [
      "processor_not_found",
      "nodes[1].type",
      /'AudioMixr', did you mean AudioMixer\? available processors: (\w+, )*AudioMixer, .*Gain/,
    ],
  ],
  "invalid_unknown_port.json": [
    [
      "port_not_found",
      "connections[0].from",
      /no output 'audo', did you mean audio\? available outputs: audio$/,
    ],
  ],
  "invalid_port_type_mismatch.json": [
    [
      "port_type_mismatch",
      "connections[1].to",
      /'mono_1.mono' \(AudioFrame<1>\) does not fit 'gain_1.in' \(AudioFrame<2>\)/,
    ],
  ],
  "invalid_config.json": [
    ["invalid_config", "nodes[0].config.frequency", /must be a number from 1 to 20000, got 99999/],
    [
      "invalid_config",
      "nodes[0].config.blockSize",
      /must be an integer from 16 to 16384, got "big"/,
    ],
    [
      "invalid_config",
      "nodes[1].config.gian",
      /unknown field of Gain, did you mean gain\? known fields are gain/,
    ],
  ],
  "invalid_cycle.json": [
    [
      "cycle",
      "connections[2].to",
      /gain_3.out -> gain_1.in -> gain_1.out -> gain_2.in -> gain_2.out -> gain_3.in$/,
    ],
  ],
  "invalid_duplicate_id.json": [
    ["node_id_taken", "nodes[1].id", /duplicate id 'tone', first used by nodes\[0\]/],
  ],
  "invalid_malformed_endpoint.json": [
    ["invalid_field", "connections[0].from", /must be "node.port" .*, got "tone_1"/],
    ["invalid_field", "connections[0].to", /got "sink_1.in.extra"/],
  ],
  "invalid_wrong_direction.json": [
    ["wrong_port_direction", "connections[0].from", /'mix_1.in_0' is an input, expected an output/],
    ["wrong_port_direction", "connections[0].to", /'tone_1.audio' is an output, expected an input/],
  ],
  "invalid_destination_occupied.json": [
    [
      "input_occupied",
      "connections[1].to",
      /'mix_1.in_0' already has a connection from 'tone_1.audio' \(connections\[0\]\)/,
    ],
  ],
  "invalid_unknown_node.json": [
    [
      "node_not_found",
      "connections[0].to",
      /unknown node 'sink_2', did you mean sink_1\? nodes: tone_1, sink_1/,
    ],
  ],
  "invalid_options.json": [
    ["invalid_field", "nodes[0].placement", /a name of 1 to 64 letters, digits, '_' or '-'\), got/],
    [
      "invalid_field",
      "nodes[0].onError",
      /must be one of "stop-processor", "stop-runtime", "restart", got "retry"/,
    ],
    ["invalid_field", "connections[0].capacity", /must be an integer from 1 to 16777216, got 0/],
    ["invalid_field", "connections[0].policy", /must be one of "fifo", "latest", got "lifo"/],
  ],
  "invalid_structure.json": [
    ["unknown_field", "conections", /did you mean connections\?/],
    ["malformed", "version", /must be 1, got 2/],
    ["missing_field", "nodes[0].id", /missing, expected a string/],
    ["malformed", "nodes[1]", /expected an object with id and type, got "tone"/],
  ],
  "invalid_many.json": [
    ["invalid_config", "nodes[0].config.frequency", /got -5/],
    ["processor_not_found", "nodes[1].type", /AudioMixr/],
    ["node_id_taken", "nodes[3].id", /gain_1/],
    ["port_not_found", "connections[0].from", /audo/],
    ["node_not_found", "connections[1].to", /nowhere/],
  ],
};

Deno.test("validateManifest() reports every issue of each invalid fixture, naming what is at fault", () => {
  const fixtures = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.startsWith("invalid_") && n.endsWith(".json")
  );
  assert.deepEqual(fixtures.sort(), Object.keys(EXPECTED).sort());
  for (const [name, expected] of Object.entries(EXPECTED)) {
    const issues = validateManifest(read(name), builtinRegistry);
    assert.deepEqual(issues.map((i) => [i.code, i.path]), expected.map(([c, p]) => [c, p]), name);
    issues.forEach((issue, i) => {
      assert.match(issue.message, expected[i][2], name);
      assert.ok(issue.message.startsWith(`${issue.path}: `), issue.message);
    });
  }
});

Deno.test("validateManifest() accepts the valid fixtures", () => {
  for (const name of ["tone_mix_sink.json", "tone_sink.json"]) {
    assert.deepEqual(validateManifest(read(name), builtinRegistry), [], name);
  }
  assert.equal(validateManifest(null, builtinRegistry)[0].code, "malformed");
});

Deno.test("loadManifest() builds the graph and saveManifest() round-trips it", async () => {
  const time = new FakeTime();
  const rt = createRuntime({ clock: time, timers: time });
  const nodes = loadManifest(rt, read("tone_mix_sink.json"));
  assert.deepEqual(Object.keys(nodes), ["tone_1", "tone_2", "mix_1", "gain_1", "sink_1"]);
  const saved = saveManifest(rt);
  assert.deepEqual(saved.nodes[3], {
    id: "gain_1",
    type: "Gain",
    config: { gain: 0.8 },
    onError: "restart",
    maxRestarts: 2,
  });
  assert.deepEqual(saved.connections![1], {
    from: "tone_2.audio",
    to: "mix_1.in_1",
    capacity: 16,
    policy: "fifo",
  });
  const copy = createRuntime();
  loadManifest(copy, JSON.parse(JSON.stringify(saved)));
  assert.deepEqual(saveManifest(copy), saved);
  assert.deepEqual(
    copy.describe().connections.map(({ stats: _, ...c }) => c),
    rt.describe().connections.map(({ stats: _, ...c }) => c),
  );
  await rt.start();
  await time.advance(100e6);
  await rt.stop();
  assert.equal(rt.stats().nodes.sink_1.framesIn, 11);
});

Deno.test("loadManifest() throws a ManifestError listing every issue and adds nothing", () => {
  const rt = createRuntime();
  assert.throws(
    () => loadManifest(rt, read("invalid_many.json")),
    (e) =>
      e instanceof ManifestError && e.issues.length === 5 &&
      e.message ===
        "Cannot load the manifest: nodes[0].config.frequency: must be a number from 1 to 20000, got -5 (and 4 more)",
  );
  assert.deepEqual(rt.describe().nodes, []);
});

Deno.test("loadManifest() refuses ids the runtime already has", () => {
  const rt = createRuntime();
  rt.add("NullSink", {}, { id: "sink" });
  assert.throws(
    () => loadManifest(rt, read("tone_sink.json")),
    /nodes\[1\].id: the runtime already has a node 'sink'/,
  );
});

Deno.test("loadManifest() rolls back when a node cannot be placed", () => {
  const rt = new Runtime({ registry: builtinRegistry });
  const manifest = {
    version: 1,
    nodes: [
      { id: "tone", type: "TestToneGenerator" },
      { id: "sink", type: "NullSink", placement: { worker: "sinks" } },
    ],
    connections: [],
  };
  assert.throws(() => loadManifest(rt, manifest), PlacementUnavailableError);
  assert.deepEqual(rt.describe().nodes, []);
});
