import assert from "node:assert/strict";
import { Harness } from "./harness.ts";

Deno.test("POST /nodes adds a node with defaults filled in, visible in the runtime's describe()", async () => {
  await using h = await Harness.start();
  const { status, body } = await h.call("POST", "/nodes", {
    type: "Gain",
    id: "boost",
    config: { gain: 2 },
    onError: "restart",
  });
  assert.equal(status, 201);
  assert.equal(body.id, "boost");
  assert.deepEqual(body.config, { gain: 2 });
  const node = h.rt.describe().nodes.find((n) => n.id === "boost");
  assert.equal(node?.type, "Gain");
  assert.equal(node?.onError, "restart");
  const auto = await h.call("POST", "/nodes", { type: "NullSink" });
  assert.equal(auto.status, 201);
  assert.equal(auto.body.id, "null_sink_1");
  // One vocabulary: the field's old name is an unknown field, listing the known ones.
  const legacy = await h.call("POST", "/nodes", { processor: "NullSink" });
  assert.equal(legacy.status, 400);
  assert.equal(legacy.body.error.code, "unknown_field");
  assert.equal(legacy.body.error.field, "processor");
});

Deno.test("POST /nodes refuses each kind of bad input with a 4xx naming the field", async () => {
  await using h = await Harness.start({ start: false });
  const cases: [unknown, number, string, string | undefined, string | undefined][] = [
    // body, status, code, field, a choice that must be listed
    [{}, 400, "missing_field", "type", undefined],
    [{ type: 42 }, 400, "invalid_field", "type", undefined],
    [{ type: "Reverbb" }, 422, "processor_not_found", "type", "Reverb"],
    [{ type: "Gain", processor: "Gain" }, 400, "unknown_field", "processor", "type"],
    [{ type: "Gain", colour: "red" }, 400, "unknown_field", "colour", "config"],
    [{ type: "Gain", config: [] }, 400, "invalid_field", "config", undefined],
    [
      { type: "Gain", config: { gain: "loud" } },
      422,
      "invalid_config",
      "config.gain",
      undefined,
    ],
    [{ type: "Gain", config: { gian: 1 } }, 422, "invalid_config", "config.gian", undefined],
    [
      { type: "TestToneGenerator", config: { waveform: "saw" } },
      422,
      "invalid_config",
      "config.waveform",
      "square",
    ],
    [{ type: "WavFileSource" }, 422, "invalid_config", "config.path", undefined],
    [{ type: "Gain", id: "mixer" }, 409, "node_id_taken", "id", undefined],
    [{ type: "Gain", id: "9lives" }, 400, "invalid_node_id", "id", undefined],
    [{ type: "Gain", id: "a.b" }, 400, "invalid_node_id", "id", undefined],
    [{ type: "Gain", onError: "retry" }, 400, "invalid_field", "onError", "restart"],
    [{ type: "Gain", maxRestarts: -1 }, 400, "invalid_field", "maxRestarts", undefined],
    [{ type: "Gain", placement: "gpu" }, 400, "invalid_field", "placement", "main"],
    [{ type: "Gain", placement: { worker: "" } }, 400, "invalid_field", "placement", "main"],
    [
      { type: "Gain", placement: { worker: "dsp", gpu: 1 } },
      400,
      "invalid_field",
      "placement",
      '{"worker":"<name>"}',
    ],
    [{ type: "Gain", placement: ["main"] }, 400, "invalid_field", "placement", "main"],
    [
      { type: "Gain", placement: { worker: "dsp" } },
      422,
      "placement_unavailable",
      "placement",
      "main",
    ],
  ];
  for (const [body, status, code, field, choice] of cases) {
    const reply = await h.call("POST", "/nodes", body);
    const label = JSON.stringify(body);
    assert.equal(reply.status, status, `${label}: ${JSON.stringify(reply.body)}`);
    assert.equal(reply.body.error.code, code, label);
    assert.equal(reply.body.error.status, status, label);
    assert.equal(reply.body.error.field, field, label);
    assert.equal(typeof reply.body.error.message, "string", label);
    if (choice) assert.ok(reply.body.error.choices?.includes(choice), `${label} lists ${choice}`);
  }
  assert.equal(h.rt.describe().nodes.length, 8, "nothing was added");
});

Deno.test("Request bodies that are not JSON objects get 400, 413 or 415", async () => {
  await using h = await Harness.start({ start: false });
  const bad = await h.call("POST", "/nodes", undefined, {
    raw: "{processor:",
    headers: { "content-type": "application/json" },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, "invalid_json");
  const array = await h.call("POST", "/nodes", [1, 2]);
  assert.equal(array.status, 400);
  assert.equal(array.body.error.code, "invalid_body");
  const type = await h.call("POST", "/nodes", undefined, {
    raw: "processor=Gain",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(type.status, 415);
  assert.deepEqual(type.body.error.choices, ["application/json"]);
  const huge = await h.call("POST", "/nodes", { type: "Gain", id: "x".repeat(70_000) });
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error.code, "body_too_large");
  const utf = await h.call("POST", "/nodes", undefined, {
    raw: new Uint8Array([0x7b, 0xff, 0x7d]),
    headers: { "content-type": "application/json" },
  });
  assert.equal(utf.status, 400);
});

Deno.test("DELETE /nodes/:id removes a node and its connections; again answers 404", async () => {
  await using h = await Harness.start();
  const { status, body } = await h.call("DELETE", "/nodes/reverb");
  assert.equal(status, 200);
  assert.deepEqual(body, { removed: "reverb" });
  const graph = h.rt.describe();
  assert.ok(!graph.nodes.some((n) => n.id === "reverb"));
  assert.ok(
    !graph.connections.some((c) => c.from.startsWith("reverb.") || c.to.startsWith("reverb.")),
  );
  const again = await h.call("DELETE", "/nodes/reverb");
  assert.equal(again.status, 404);
  assert.equal(again.body.error.code, "node_not_found");
});

Deno.test("POST /connections connects by names; DELETE disconnects by id or by input name", async () => {
  await using h = await Harness.start();
  await h.call("POST", "/nodes", { type: "NullSink", id: "tap_sink" });
  await h.call("POST", "/nodes", { type: "NullSink", id: "tap_sink_2" });
  const made = await h.call("POST", "/connections", {
    from: "scale.out",
    to: "tap_sink.in",
    capacity: 2,
    policy: "latest",
  });
  assert.equal(made.status, 201);
  assert.equal(made.body.from, "scale.out");
  assert.equal(made.body.capacity, 2);
  const c = h.rt.describe().connections.find((x) => x.to === "tap_sink.in");
  assert.equal(c?.policy, "latest");
  const removed = await h.call("DELETE", `/connections/${made.body.id}`);
  assert.deepEqual(removed.body, { removed: made.body.id });
  assert.ok(!h.rt.describe().connections.some((x) => x.to === "tap_sink.in"));

  await h.call("POST", "/connections", { from: "pattern.video", to: "tap_sink_2.in" });
  const byName = await h.call("DELETE", "/connections?to=tap_sink_2.in&from=pattern.video");
  assert.equal(byName.status, 200);
  assert.ok(!h.rt.describe().connections.some((x) => x.to === "tap_sink_2.in"));
  const none = await h.call("DELETE", "/connections?to=tap_sink_2.in");
  assert.equal(none.status, 404);
  assert.equal(none.body.error.field, "to");
  const noQuery = await h.call("DELETE", "/connections");
  assert.equal(noQuery.status, 400);
  const wrongId = await h.call("DELETE", "/connections/conn_999");
  assert.equal(wrongId.status, 404);
  assert.ok(wrongId.body.error.choices.includes("conn_1"));
});

Deno.test("POST /connections refuses each kind of bad connection with the field and choices", async () => {
  await using h = await Harness.start({ start: false });
  await h.call("POST", "/nodes", { type: "Gain", id: "g" });
  const cases: [unknown, number, string, string | undefined, string | undefined][] = [
    [{ to: "g.in" }, 400, "missing_field", "from", undefined],
    [{ from: "mixer", to: "g.in" }, 400, "invalid_field", "from", undefined],
    [{ from: "mixr.out", to: "g.in" }, 422, "node_not_found", "from", "mixer"],
    [{ from: "mixer.out", to: "gg.in" }, 422, "node_not_found", "to", "g"],
    [{ from: "mixer.outt", to: "g.in" }, 422, "port_not_found", "from", "out"],
    [{ from: "mixer.out", to: "g.inn" }, 422, "port_not_found", "to", "in"],
    [{ from: "mixer.in_0", to: "g.in" }, 422, "wrong_port_direction", "from", undefined],
    [{ from: "pattern.video", to: "g.in" }, 422, "port_type_mismatch", "to", undefined],
    [{ from: "tone_a.audio", to: "mixer.in_0" }, 409, "input_occupied", "to", undefined],
    [{ from: "reverb.out", to: "mixer.in_2" }, 409, "cycle", "to", undefined],
    [{ from: "mixer.out", to: "g.in", policy: "newest" }, 400, "invalid_field", "policy", "latest"],
    [{ from: "mixer.out", to: "g.in", capacity: 0 }, 400, "invalid_field", "capacity", undefined],
    [{ from: "mixer.out", to: "g.in", extra: 1 }, 400, "unknown_field", "extra", "policy"],
    [{ from: "mixer.out", to: "ghost.in" }, 422, "node_not_found", "to", undefined],
  ];
  for (const [body, status, code, field, choice] of cases) {
    const reply = await h.call("POST", "/connections", body);
    const label = JSON.stringify(body);
    assert.equal(reply.status, status, `${label}: ${JSON.stringify(reply.body)}`);
    assert.equal(reply.body.error.code, code, label);
    assert.equal(reply.body.error.field, field, label);
    if (choice) assert.ok(reply.body.error.choices?.includes(choice), `${label} lists ${choice}`);
  }
  assert.equal(h.rt.describe().connections.length, 6, "nothing was connected");
});

Deno.test("POST /runtime/:action drives the lifecycle; refused transitions answer 409", async () => {
  await using h = await Harness.start({ start: false });
  const steps: [string, string, string[]][] = [
    ["start", "running", ["pause", "stop"]],
    ["pause", "paused", ["resume", "stop"]],
    ["resume", "running", ["pause", "stop"]],
    ["stop", "stopped", ["start"]],
  ];
  for (const [action, state, actions] of steps) {
    const reply = await h.call("POST", `/runtime/${action}`);
    assert.equal(reply.status, 200, action);
    assert.deepEqual(reply.body, { state, actions });
    assert.equal(h.rt.state, state);
  }
  const refused = await h.call("POST", "/runtime/pause");
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, "invalid_state");
  assert.match(refused.body.error.message, /it is stopped, expected running; allowed now: start/);
  assert.deepEqual(refused.body.error.choices, ["start"]);
  const unknown = await h.call("POST", "/runtime/restart");
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.body.error.choices, [
    "start",
    "pause",
    "resume",
    "stop",
    "end_of_stream",
  ]);
  const fields = await h.call("POST", "/runtime/start", { now: true });
  assert.equal(fields.status, 400);
  assert.equal(fields.body.error.field, "now");
  assert.equal(h.rt.state, "stopped");
});

Deno.test("POST /runtime/end_of_stream ends a live graph's stream: the WAV it writes is whole", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/tone.wav`;
  await using h = await Harness.start({
    build: (rt) => {
      rt.add("TestToneGenerator", { frequency: 440 }, { id: "tone" });
      rt.add("WavWriter", { path }, { id: "wav" });
      rt.connectByName("tone", "audio", "wav", "in");
    },
  });
  const deadline = Date.now() + 20_000;
  while ((h.rt.stats().nodes.wav?.framesIn ?? 0) < 5) {
    assert.ok(Date.now() < deadline, "the writer never got 5 blocks");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const fields = await h.call("POST", "/runtime/end_of_stream", { wait: 1 });
  assert.equal(fields.status, 400);
  assert.equal(fields.body.error.field, "wait");
  const reply = await h.call("POST", "/runtime/end_of_stream");
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.body, {
    from: "running",
    state: "running",
    actions: ["pause", "stop"],
    ended: true,
  });
  assert.ok(h.rt.ended);
  const frames = h.rt.stats().nodes.wav.framesIn;
  assert.equal((await h.call("POST", "/runtime/stop")).status, 200);
  // The writer got the end, then stop finalized it: its header counts every frame it took.
  const wav = await Deno.readFile(path);
  const at = new TextDecoder().decode(wav.subarray(0, 200)).indexOf("data");
  assert.ok(at > 0, "a data chunk");
  const dataBytes = new DataView(wav.buffer).getUint32(at + 4, true);
  assert.equal(wav.length, at + 8 + dataBytes);
  assert.ok(dataBytes > 0 && frames > 0);
  const refused = await h.call("POST", "/runtime/end_of_stream");
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, "invalid_state");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("PATCH /nodes/:id/config changes live fields of a running node in place, and the rest only when paused (recording lock)", async () => {
  await using h = await Harness.start();
  const before = h.rt.describe();
  const statsBefore = h.rt.stats().nodes.tone_a.framesOut;
  const live = await h.call("PATCH", "/nodes/tone_a/config", { config: { frequency: 880 } });
  assert.equal(live.status, 200, JSON.stringify(live.body));
  assert.deepEqual(live.body.changed, ["frequency"]);
  assert.equal(live.body.applied, "live");
  assert.equal(live.body.node.config.frequency, 880);
  const after = h.rt.describe();
  const node = after.nodes.find((n) => n.id === "tone_a")!;
  assert.equal((node.config as { frequency: number }).frequency, 880);
  assert.equal(node.state, "running", "never stopped: changed in place");
  assert.deepEqual(after.connections.map((c) => c.id), before.connections.map((c) => c.id));
  assert.ok(h.rt.stats().nodes.tone_a.framesOut >= statsBefore, "its counters were not reset");

  const locked = await h.call("PATCH", "/nodes/tone_a/config", {
    config: { frequency: 440, blockSize: 960 },
  });
  assert.equal(locked.status, 409);
  assert.equal(locked.body.error.code, "config_locked");
  assert.equal(locked.body.error.field, "config.blockSize");
  assert.deepEqual(locked.body.error.choices, ["frequency", "amplitude", "waveform"]);
  assert.match(locked.body.error.message, /'blockSize' of node 'tone_a' while it is running/);
  assert.match(locked.body.error.message, /live fields are frequency, amplitude, waveform/);
  assert.match(locked.body.error.message, /pause or stop the graph/);
  const kept = h.rt.describe().nodes.find((n) => n.id === "tone_a")!;
  assert.equal((kept.config as { frequency: number }).frequency, 880);

  await h.call("POST", "/runtime/pause");
  const paused = await h.call("PATCH", "/nodes/tone_a/config", { config: { blockSize: 960 } });
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  assert.equal(paused.body.node.config.blockSize, 960);
  assert.equal(paused.body.applied, "setup");
  await h.call("POST", "/runtime/resume");
  await h.rt.settled();
  assert.equal(h.rt.describe().nodes.find((n) => n.id === "tone_a")!.state, "running");
  assert.deepEqual(
    h.rt.describe().connections.map((c) => c.id),
    before.connections.map((c) => c.id),
  );

  const same = await h.call("PATCH", "/nodes/tone_a/config", { config: { blockSize: 960 } });
  assert.equal(same.status, 200, "an unchanged value is not a change, so the lock does not apply");
  assert.deepEqual(same.body.changed, []);
  const { body } = await h.call("GET", "/events");
  const types = (body.events as { event: { type: string; node?: string } }[])
    .filter((e) => e.event.node === "tone_a").map((e) => e.event.type);
  assert.equal(types.filter((t) => t === "node-config").length, 2);
  assert.ok(!types.includes("node-removed") && !types.includes("node-added"), types.join());
});

Deno.test("PATCH /nodes/:id/config refuses bad changes naming the field", async () => {
  await using h = await Harness.start({ start: false });
  const cases: [string, unknown, number, string, string | undefined][] = [
    [
      "/nodes/tone_a/config",
      { config: { frequency: 50_000 } },
      422,
      "invalid_config",
      "config.frequency",
    ],
    ["/nodes/tone_a/config", { config: { pitch: 1 } }, 422, "invalid_config", "config.pitch"],
    ["/nodes/tone_a/config", { frequency: 1 }, 400, "unknown_field", "frequency"],
    ["/nodes/tone_a/config", {}, 400, "missing_field", "config"],
    ["/nodes/tone_a/config", { config: 5 }, 400, "invalid_field", "config"],
    ["/nodes/nope/config", { config: {} }, 404, "node_not_found", undefined],
  ];
  for (const [path, body, status, code, field] of cases) {
    const reply = await h.call("PATCH", path, body);
    const label = `${path} ${JSON.stringify(body)}`;
    assert.equal(reply.status, status, `${label}: ${JSON.stringify(reply.body)}`);
    assert.equal(reply.body.error.code, code, label);
    assert.equal(reply.body.error.field, field, label);
  }
});

Deno.test("Unknown paths answer 404 and known paths with another method 405, both as JSON", async () => {
  await using h = await Harness.start({ start: false });
  const missing = await h.call("GET", "/api/v1/pipelines");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, "not_found");
  const method = await h.call("PUT", "/processors");
  assert.equal(method.status, 405);
  assert.deepEqual(method.body.error.choices, ["GET"]);
  assert.equal(method.headers.get("allow"), "GET");
  const both = await h.call("PUT", "/nodes/tone_a");
  assert.equal(both.status, 405);
  assert.equal(both.headers.get("allow"), "GET, DELETE");
  const page = await h.call("GET", "/nowhere");
  assert.equal(page.status, 404);
});

Deno.test("A trailing slash is a 404 naming the path without it, never a 405", async () => {
  await using h = await Harness.start({ start: false });
  for (const [method, path] of [["GET", "/graph/"], ["POST", "/nodes/"], ["GET", "/nodes/"]]) {
    const reply = await h.call(method, path, method === "POST" ? {} : undefined);
    assert.equal(reply.status, 404, `${method} ${path}`);
    assert.equal(reply.body.error.code, "not_found");
    assert.equal(reply.headers.get("allow"), null);
  }
  const slashed = await h.call("GET", "/graph/");
  assert.match(slashed.body.error.message, /no trailing slash, use \/api\/v1\/graph$/);
});

Deno.test("Malformed paths and queries get 4xx JSON, never a 500", async () => {
  await using h = await Harness.start({ start: false });
  const cases: [string, string, number][] = [
    ["GET", "/api/v1/nodes/%E0%A4%A", 404],
    ["DELETE", "/api/v1/nodes/%E0%A4%A", 404],
    ["PATCH", "/api/v1/nodes/%25/config", 404],
    ["GET", "/api/v1/processors/%ZZ", 404],
    ["DELETE", "/api/v1/connections?to=%", 400],
    ["POST", "/api/v1/runtime/%E0", 404],
    ["GET", `/api/v1/${"a".repeat(5000)}`, 404],
    ["GET", "/static/..%2F..%2Fdeno.json", 404],
  ];
  for (const [method, path, status] of cases) {
    const reply = await h.call(method, path, method === "PATCH" ? {} : undefined);
    assert.equal(reply.status, status, `${method} ${path.slice(0, 40)}`);
    assert.equal(reply.body.error.status, status);
    assert.ok(reply.body.error.message.length < 600, "messages stay short");
  }
});
