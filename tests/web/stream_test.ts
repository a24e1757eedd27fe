import assert from "node:assert/strict";
import { DEMO_NODES } from "../../examples/demo_pipeline.ts";
import type {
  EventsMessage,
  GraphMessage,
  ServerMessage,
  SnapshotMessage,
  StatsMessage,
} from "../../web/mod.ts";
import { Harness, until } from "./harness.ts";

const is = (type: ServerMessage["type"]) => (m: ServerMessage) => m.type === type;

Deno.test("The stream sends a snapshot first: registry, graph with layout, stats, events, errors", async () => {
  await using h = await Harness.start();
  const client = await h.stream();
  const snapshot = await client.next<SnapshotMessage>(() => true);
  assert.equal(snapshot.type, "snapshot");
  assert.equal(snapshot.version, 1);
  assert.ok(snapshot.processors.some((p) => p.name === "Reverb"));
  assert.deepEqual(snapshot.graph.nodes.map((n) => n.id), [...DEMO_NODES]);
  for (const id of DEMO_NODES) {
    const box = snapshot.layout.nodes[id];
    assert.ok(box && box.width > 0 && box.height > 0, id);
  }
  for (const c of snapshot.graph.connections) {
    assert.ok(snapshot.layout.edges[c.id]?.length >= 2, c.id);
  }
  const pattern = snapshot.layout.nodes.pattern;
  const scale = snapshot.layout.nodes.scale;
  assert.ok(pattern.x < scale.x, "sources are laid out left of what they feed");
  assert.equal(snapshot.stats.state, "running");
  assert.deepEqual(snapshot.errors, {});
});

Deno.test("The stream sends stats about 10 times a second, with changing numbers", async () => {
  await using h = await Harness.start();
  const client = await h.stream();
  await client.next(is("snapshot"));
  await until(() => client.messages.filter((m) => m.type === "stats").length >= 8, 5000, "8 stats");
  const stats = client.messages.filter((m): m is StatsMessage => m.type === "stats");
  const gaps = stats.slice(1).map((s, i) => (s.stats.timeNs - stats[i].stats.timeNs) / 1e6).sort(
    (a, b) => a - b,
  );
  const median = gaps[Math.floor(gaps.length / 2)];
  assert.ok(median > 50 && median < 500, `stats come every ${median} ms (media clock), about 100`);
  const calls = stats.map((s) => s.stats.nodes.tone_a.calls);
  assert.ok(calls.at(-1)! > calls[0], `tone_a calls grow: ${calls.join(", ")}`);
});

Deno.test("The stream sends each runtime change as an event, then the new graph and layout", async () => {
  await using h = await Harness.start();
  const client = await h.stream();
  await client.next(is("snapshot"));
  const from = client.messages.length;
  await h.call("POST", "/nodes", { type: "Gain", id: "g" });
  const events = await client.next<EventsMessage>(
    (m) => m.type === "events" && m.events.some((e) => e.event.type === "node-added"),
    3000,
    from,
  );
  const added = events.events.find((e) => e.event.type === "node-added")!.event;
  assert.equal((added as { node: string }).node, "g");
  const graph = await client.next<GraphMessage>(
    (m) => m.type === "graph" && m.graph.nodes.some((n) => n.id === "g"),
    3000,
    from,
  );
  assert.ok(graph.layout.nodes.g, "the new node is laid out");
  await h.call("POST", "/runtime/pause");
  const paused = await client.next<EventsMessage>(
    (m) =>
      m.type === "events" &&
      m.events.some((e) => e.event.type === "runtime-state" && e.event.to === "paused"),
    3000,
    from,
  );
  assert.ok(paused);
});

Deno.test("A late client's snapshot shows the same state an early client has built up", async () => {
  await using h = await Harness.start();
  const early = await h.stream();
  await early.next(is("snapshot"));
  await h.call("POST", "/nodes", { type: "NullSink", id: "extra" });
  await h.call("POST", "/connections", { from: "scale.out", to: "extra.in" });
  await h.call("DELETE", "/nodes/tone_b");
  await h.call("POST", "/runtime/pause");
  await early.next((m) => m.type === "graph" && !m.graph.nodes.some((n) => n.id === "tone_b"));
  await until(
    () => early.messages.some((m) => m.type === "stats" && m.stats.state === "paused"),
    2000,
    "paused stats",
  );
  const late = await h.stream();
  const snapshot = await late.next<SnapshotMessage>(is("snapshot"));
  const lastGraph = early.messages.filter((m): m is GraphMessage => m.type === "graph").at(-1)!;
  assert.deepEqual(
    snapshot.graph.nodes.map((n) => [n.id, n.config]),
    lastGraph.graph.nodes.map((n) => [n.id, n.config]),
  );
  assert.deepEqual(
    snapshot.graph.connections.map((c) => c.id),
    lastGraph.graph.connections.map((c) => c.id),
  );
  assert.deepEqual(snapshot.layout, lastGraph.layout);
  assert.equal(snapshot.stats.state, "paused");
  const earlySeqs = early.messages.flatMap((m) =>
    m.type === "events" ? m.events.map((e) => e.seq) : []
  );
  const lateSeqs = snapshot.events.map((e) => e.seq);
  for (const seq of earlySeqs) assert.ok(lateSeqs.includes(seq), `event ${seq} is in the snapshot`);
});

Deno.test("Watching outputs gives 160x90 video previews and audio levels, only while watched", async () => {
  await using h = await Harness.start();
  const client = await h.stream();
  await client.next(is("snapshot"));
  client.send({ type: "watch", outputs: ["scale.out", "reverb.out", "nowhere.out"] });
  const frame = await client.nextFrame((f) => f.header.output === "scale.out", 5000);
  assert.equal(frame.header.width, 160);
  assert.equal(frame.header.height, 90);
  assert.equal(frame.rgba.length, 160 * 90 * 4);
  assert.ok(frame.rgba.some((b, i) => i % 4 !== 3 && b > 0), "the thumbnail has picture");
  const levels = await client.next<StatsMessage>(
    (m) => m.type === "stats" && (m.stats.levels["reverb.out"]?.rms[0] ?? 0) > 0.01,
  );
  assert.equal(levels.stats.levels["reverb.out"].rms.length, 2);
  const probes = () => h.rt.probes().map((p) => p.port).sort();
  assert.deepEqual(probes(), ["reverb.out", "scale.out"], "one probe per existing watched output");
  const graph = await h.call("GET", "/graph");
  assert.deepEqual(
    graph.body.nodes.map((n: { id: string }) => n.id),
    h.rt.describe().nodes.map((n) => n.id),
    "previews add no node",
  );
  const stats = await h.call("GET", "/stats");
  assert.equal(Object.keys(stats.body.connections).length, 6, "previews add no connection");
  assert.equal(h.rt.describe().connections.length, 6);

  client.send({ type: "watch", outputs: [] });
  await until(() => probes().length === 0, 2000, "probes closed");
});

Deno.test("A bad stream message gets an error message; the stream stays open", async () => {
  await using h = await Harness.start({ start: false });
  const client = await h.stream();
  await client.next(is("snapshot"));
  client.send("{not json");
  const parse = await client.next((m) => m.type === "error");
  assert.equal(parse.type === "error" && parse.error.code, "invalid_message");
  client.send({ type: "subscribe" });
  await client.next(
    (m) => m.type === "error" && m.error.field === "type",
    2000,
    client.messages.indexOf(parse) + 1,
  );
  client.send({ type: "watch", outputs: "scale.out" });
  await client.next((m) => m.type === "error" && m.error.field === "outputs");
  assert.equal(client.socket.readyState, WebSocket.OPEN);
});

Deno.test("A client that vanishes mid-stream costs nothing: its probes close and the pipeline runs on", async () => {
  await using h = await Harness.start();
  const client = await h.stream();
  await client.next(is("snapshot"));
  client.send({ type: "watch", outputs: ["pattern.video", "scale.out"] });
  await client.nextFrame(() => true);
  const before = h.rt.stats().nodes.video_out.framesIn;
  await client.close();
  await until(
    () => h.rt.probes().length === 0,
    2000,
    "probes closed after the client left",
  );
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(h.rt.stats().nodes.video_out.framesIn > before, "video still flows");
  const again = await h.stream();
  await again.next(is("snapshot"));
});

Deno.test("A client whose TCP connection drops without a close frame is forgotten; others stream on", async () => {
  await using h = await Harness.start();
  const port = h.dashboard.port;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const handshake = [
    `GET /api/v1/stream?token=${h.dashboard.token} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(handshake));
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1\.1 101/);
  // One masked text frame (mask key 0): ask for previews, then vanish mid-stream.
  const payload = new TextEncoder().encode(
    JSON.stringify({ type: "watch", outputs: ["scale.out"] }),
  );
  await conn.write(new Uint8Array([0x81, 0x80 | payload.length, 0, 0, 0, 0, ...payload]));
  await until(
    () => h.rt.probes().length > 0,
    2000,
    "a probe for the raw client",
  );
  conn.close();
  await until(
    () => h.rt.probes().length === 0,
    3000,
    "the raw client's probe closed",
  );
  const other = await h.stream();
  await other.next(is("snapshot"));
  await other.next(is("stats"));
});
