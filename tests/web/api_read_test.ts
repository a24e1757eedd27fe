import assert from "node:assert/strict";
import { DEMO_CONNECTIONS, DEMO_NODES } from "../../examples/demo_pipeline.ts";
import { builtinRegistry } from "../../processors/mod.ts";
import { Harness } from "./harness.ts";

Deno.test("GET /api/v1 lists the version and every endpoint", async () => {
  await using h = await Harness.start({ start: false });
  const { status, body } = await h.call("GET", "/api/v1");
  assert.equal(status, 200);
  assert.equal(body.version, 1);
  const paths = body.endpoints.map((e: { method: string; path: string }) =>
    `${e.method} ${e.path}`
  );
  for (const expected of ["GET /api/v1/graph", "POST /api/v1/nodes", "GET /api/v1/stream"]) {
    assert.ok(paths.includes(expected), expected);
  }
});

Deno.test("GET /processors lists every registry processor with ports, types, schema and live fields", async () => {
  await using h = await Harness.start({ start: false });
  const { status, body } = await h.call("GET", "/processors");
  assert.equal(status, 200);
  assert.deepEqual(body.processors.map((p: { name: string }) => p.name), builtinRegistry.names);
  const tone = body.processors.find((p: { name: string }) => p.name === "TestToneGenerator");
  assert.deepEqual(
    tone.outputs.map((p: { name: string; portType: string }) => [p.name, p.portType]),
    [
      ["audio", "AudioFrame<2>"],
    ],
  );
  assert.equal(tone.config.properties.frequency.default, 440);
  assert.deepEqual(tone.liveFields, ["frequency", "amplitude", "waveform"]);

  const one = await h.call("GET", "/processors/Reverb");
  assert.equal(one.status, 200);
  assert.equal(one.body.mode, "push");
});

Deno.test("GET /processors/:name answers 404 with the names there are", async () => {
  await using h = await Harness.start({ start: false });
  const { status, body } = await h.call("GET", "/processors/Reverbb");
  assert.equal(status, 404);
  assert.equal(body.error.code, "processor_not_found");
  assert.ok(body.error.choices.includes("Reverb"));
  assert.match(body.error.message, /Cannot find processor 'Reverbb'/);
});

Deno.test("GET /graph returns the demo's nodes, ports, connections and states", async () => {
  await using h = await Harness.start();
  const { status, body } = await h.call("GET", "/graph");
  assert.equal(status, 200);
  assert.equal(body.state, "running");
  assert.deepEqual(body.nodes.map((n: { id: string }) => n.id), [...DEMO_NODES]);
  assert.deepEqual(
    body.connections.map((c: { from: string; to: string }) => [c.from, c.to]),
    DEMO_CONNECTIONS.map(([from, to]) => [from, to]),
  );
  const mixer = body.nodes.find((n: { id: string }) => n.id === "mixer");
  assert.equal(mixer.inputs.length, 8); // in_0 .. in_7 (e91d770)
  assert.equal(mixer.inputs[0].portType, "AudioFrame<2>");
  assert.equal(mixer.state, "running");
});

Deno.test("GET /nodes/:id returns one node; an unknown id answers 404 with the ids", async () => {
  await using h = await Harness.start({ start: false });
  const ok = await h.call("GET", "/nodes/reverb");
  assert.equal(ok.status, 200);
  assert.equal(ok.body.type, "Reverb");
  assert.equal(ok.body.lastError, null);
  const missing = await h.call("GET", "/nodes/reverbb");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, "node_not_found");
  assert.ok(missing.body.error.choices.includes("reverb"));
});

Deno.test("GET /stats returns counters and per-second rates that grow while running", async () => {
  await using h = await Harness.start();
  await new Promise((r) => setTimeout(r, 400));
  const { status, body } = await h.call("GET", "/stats");
  assert.equal(status, 200);
  assert.equal(body.state, "running");
  assert.deepEqual(Object.keys(body.nodes), [...DEMO_NODES]);
  assert.equal(Object.keys(body.connections).length, DEMO_CONNECTIONS.length);
  assert.ok(body.nodes.tone_a.calls > 0);
  assert.ok(body.nodes.tone_a.rates.calls > 10, `tone rate ${body.nodes.tone_a.rates.calls}`);
  assert.ok(body.nodes.reverb.processTime.count > 0);
  const conn = Object.values(body.connections)[0] as {
    written: number;
    rates: { written: number };
  };
  assert.ok(conn.written > 0 && conn.rates.written > 0);
});

Deno.test("GET /stats has real rates on its first call, right after the dashboard starts", async () => {
  await using h = await Harness.start();
  const { status, body } = await h.call("GET", "/stats");
  assert.equal(status, 200);
  assert.ok(body.nodes.tone_a.rates.calls > 10, `tone rate ${body.nodes.tone_a.rates.calls}`);
  const conn = Object.values(body.connections)[0] as { rates: { written: number } };
  assert.ok(conn.rates.written > 0);
});

Deno.test("GET /runtime and GET /events report the state and what happened", async () => {
  await using h = await Harness.start({ start: false });
  await h.call("POST", "/runtime/start");
  const state = await h.call("GET", "/runtime");
  // The state and the lifecycle calls it allows (the graph's transition table).
  assert.deepEqual(state.body, { state: "running", actions: ["pause", "stop"] });
  const { body } = await h.call("GET", "/events");
  const types = body.events.map((e: { event: { type: string } }) => e.event.type);
  assert.ok(types.includes("runtime-state"));
  const seqs = body.events.map((e: { seq: number }) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a: number, b: number) => a - b));
});

Deno.test("GET / renders the page with every island and the snapshot; static files are served", async () => {
  await using h = await Harness.start({ start: false });
  const page = await h.call("GET", "/");
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
  const html = page.body as string;
  for (const island of ["Controls", "Palette", "GraphView", "SidePanel", "EventLog"]) {
    assert.ok(html.includes(`data-island="${island}"`), island);
  }
  for (const id of DEMO_NODES) assert.ok(html.includes(`data-node="${id}"`), id);
  assert.ok(!html.includes(h.dashboard.token), "the token is never rendered into the page");
  const js = await fetch(`${h.dashboard.origin}/static/islands.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("content-type")!, /javascript/);
  assert.ok((await js.text()).length > 1000);
  const css = await h.call("GET", "/static/dashboard.css");
  assert.equal(css.status, 200);
  const missing = await h.call("GET", "/static/..%2Fserver.ts");
  assert.equal(missing.status, 404);
});
