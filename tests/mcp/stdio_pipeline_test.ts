/**
 * The MCP server in a real subprocess (`streamlib mcp`), driven by the SDK's own `Client` over
 * stdio: the demo pipeline built entirely through tools, run, measured, rewired and stopped.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { connectStdio, failure } from "./mcp_client.ts";

const TOOL_NAMES = [
  "list_processors",
  "describe_processor",
  "add_processor",
  "remove_processor",
  "connect",
  "disconnect",
  "get_graph",
  "start",
  "pause",
  "resume",
  "stop",
  "end_of_stream",
  "set_config",
  "get_stats",
  "load_manifest",
  "save_manifest",
];

const DEMO: [string, string, Record<string, unknown>][] = [
  ["tone_a", "TestToneGenerator", { frequency: 220, amplitude: 0.25 }],
  ["tone_b", "TestToneGenerator", { frequency: 330, amplitude: 0.2, waveform: "square" }],
  ["mixer", "AudioMixer", { gains: [0.6, 0.4] }],
  ["reverb", "Reverb", { roomSize: 0.7, wet: 0.35 }],
  ["audio_out", "NullSink", {}],
  ["pattern", "TestPattern", { width: 640, height: 360, fps: 30 }],
  ["scale", "VideoScale", { width: 320, height: 180 }],
  ["video_out", "NullSink", {}],
];

const WIRES = [
  ["tone_a", "audio", "mixer", "in_0"],
  ["tone_b", "audio", "mixer", "in_1"],
  ["mixer", "out", "reverb", "in"],
  ["reverb", "out", "audio_out", "in"],
  ["pattern", "video", "scale", "in"],
  ["scale", "out", "video_out", "in"],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Stats = {
  state: string;
  nodes: Record<string, { framesIn: number; framesOut: number }>;
  totals: { framesWritten: number; failed: number };
};

Deno.test("streamlib mcp over stdio: the demo pipeline built through tools, run, measured, rewired and stopped", async () => {
  const dir = await Deno.makeTempDir();
  await using mcp = await connectStdio("--media-dir", dir);
  const { client, call } = mcp;

  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name), TOOL_NAMES);
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, "object", tool.name);
    assert.ok((tool.description ?? "").length > 80, `${tool.name} has a precise description`);
  }

  const types = await call("list_processors", { tag: "audio" });
  assert.ok((types.data.processors as { type: string }[]).some((p) => p.type === "AudioMixer"));
  const mixerType = await call("describe_processor", { type: "AudioMixer" });
  assert.deepEqual(mixerType.data.liveFields, ["gains", "waitForAll"]);

  for (const [id, type, config] of DEMO) {
    const added = await call("add_processor", { type, id, config });
    assert.equal(added.isError, false, added.text);
    assert.equal(added.data.id, id);
    assert.equal(added.data.type, type);
  }
  const mixer = await call("get_graph");
  const mixerNode = (mixer.data.processors as { id: string; inputs: { name: string }[] }[])
    .find((p) => p.id === "mixer")!;
  assert.deepEqual(mixerNode.inputs.map((i) => i.name), [
    "in_0",
    "in_1",
    "in_2",
    "in_3",
    "in_4",
    "in_5",
    "in_6",
    "in_7",
  ]);

  const ids: string[] = [];
  for (const [source, sourcePort, destination, destinationPort] of WIRES) {
    const c = await call("connect", {
      from: `${source}.${sourcePort}`,
      to: `${destination}.${destinationPort}`,
    });
    assert.equal(c.isError, false, c.text);
    assert.equal(c.data.from, `${source}.${sourcePort}`);
    ids.push(c.data.id as string);
  }
  assert.equal(new Set(ids).size, 6);

  const started = await call("start");
  assert.equal(started.data.state, "running");
  await sleep(400);
  let stats = (await call("get_stats")).data as Stats;
  assert.equal(stats.state, "running");
  assert.ok(stats.nodes.audio_out.framesIn > 0, "audio reaches its sink");
  assert.ok(stats.nodes.video_out.framesIn > 0, "video reaches its sink");
  assert.ok(stats.totals.framesWritten > 0);
  assert.equal(stats.totals.failed, 0);

  // Rewire while running: tone_b moves from the mixer's in_1 to in_2.
  const moved = await call("disconnect", { connection: ids[1] });
  assert.deepEqual([moved.data.from, moved.data.to], ["tone_b.audio", "mixer.in_1"]);
  const rewired = await call("connect", {
    from: "tone_b.audio",
    to: "mixer.in_2",
  });
  assert.equal(rewired.isError, false, rewired.text);
  // A live field changes in place while running; a size does not until paused.
  const toneBefore = ((await call("get_stats", { id: "tone_a" })).data as Stats).nodes.tone_a;
  const tuned = await call("set_config", { id: "tone_a", config: { frequency: 440 } });
  assert.deepEqual(tuned.data.changed, ["frequency"]);
  assert.equal(tuned.data.applied, "live");
  assert.equal((tuned.data.processor as { state: string }).state, "running");
  const toneAfter = ((await call("get_stats", { id: "tone_a" })).data as Stats).nodes.tone_a;
  assert.ok(toneAfter.framesOut >= toneBefore.framesOut, "the same tone: counters not reset");
  const locked = failure(await call("set_config", { id: "scale", config: { width: 160 } }));
  assert.equal(locked.code, "config_locked");
  assert.equal((await call("pause")).data.state, "paused");
  const resized = await call("set_config", { id: "scale", config: { width: 160, height: 90 } });
  assert.deepEqual(resized.data.changed, ["width", "height"]);
  assert.equal(resized.data.applied, "setup");
  assert.equal((await call("resume")).data.state, "running");
  const before = ((await call("get_stats", { id: "tone_b" })).data as Stats).nodes.tone_b.framesOut;
  await sleep(300);
  stats = (await call("get_stats")).data as Stats;
  assert.ok(stats.nodes.tone_b.framesOut > before, "tone_b keeps writing after the rewire");
  assert.ok(stats.nodes.video_out.framesIn > 0, "video flows through the re-set-up scaler");
  const graph = (await call("get_graph")).data as { connections: { from: string; to: string }[] };
  assert.ok(graph.connections.some((c) => c.from === "tone_b.audio" && c.to === "mixer.in_2"));
  assert.ok(!graph.connections.some((c) => c.to === "mixer.in_1"));

  const saved = await call("save_manifest", { path: join(dir, "demo.json") });
  assert.equal(saved.isError, false, saved.text);
  const file = JSON.parse(await Deno.readTextFile(join(dir, "demo.json")));
  assert.equal(file.nodes.length, 8);
  assert.equal(file.connections.length, 6);

  // The live tones end as files would: the end runs down both branches, the graph stays running.
  const ended = await call("end_of_stream");
  assert.equal(ended.isError, false, ended.text);
  assert.deepEqual(ended.data, {
    from: "running",
    state: "running",
    actions: ["pause", "stop"],
    ended: true,
  });

  const stopped = await call("stop");
  assert.deepEqual([stopped.data.from, stopped.data.state], ["running", "stopped"]);
  const again = failure(await call("end_of_stream"));
  assert.equal(again.code, "invalid_state");
  stats = (await call("get_stats")).data as Stats;
  assert.equal(stats.state, "stopped");

  // The saved manifest loads back into a fresh graph.
  const removed = await call("remove_processor", { id: "mixer" });
  assert.equal((removed.data.connectionsRemoved as string[]).length, 3);
  const reloaded = await call("load_manifest", { path: join(dir, "demo.json"), replace: true });
  assert.equal((reloaded.data.added as string[]).length, 8);
  assert.equal((reloaded.data.connections as string[]).length, 6);
  await Deno.remove(dir, { recursive: true });

  const { resources } = await client.listResources();
  assert.ok(resources.some((r) => r.uri === "graph://current"));
  assert.ok(resources.some((r) => r.uri === "processor://Gain"));
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.equal(resourceTemplates[0].uriTemplate, "processor://{type}");
  const current = await client.readResource({ uri: "graph://current" });
  const text = (current.contents[0] as { text: string }).text;
  assert.equal(JSON.parse(text).processors.length, 8);
  const gain = await client.readResource({ uri: "processor://Gain" });
  assert.deepEqual(JSON.parse((gain.contents[0] as { text: string }).text).liveFields, ["gain"]);
  await assert.rejects(
    () => client.readResource({ uri: "processor://AudioMixr" }),
    (e: Error & { code?: number }) =>
      e.code === -32002 && /did you mean processor:\/\/AudioMixer\?/.test(e.message),
  );
});

Deno.test("streamlib mcp <manifest> --start serves a running pipeline and stops it cleanly when the client leaves", async () => {
  const dir = await Deno.makeTempDir();
  const wav = join(dir, "out.wav");
  const manifest = join(dir, "p.json");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      nodes: [{ id: "tone", type: "TestToneGenerator" }, {
        id: "wav",
        type: "WavWriter",
        config: { path: wav },
      }],
      connections: [{ from: "tone.audio", to: "wav.in" }],
    }),
  );
  {
    await using mcp = await connectStdio(manifest, "--start");
    const graph = await mcp.call("get_graph");
    assert.equal(graph.data.state, "running");
    await sleep(200);
  }
  // Closing the client closed stdin: the server stopped the graph, so the WAV is finalized.
  for (let i = 0; i < 100; i++) {
    const info = await Deno.stat(wav).catch(() => undefined);
    const bytes = info ? await Deno.readFile(wav) : undefined;
    if (bytes && bytes.length > 44 && new DataView(bytes.buffer).getUint32(4, true) > 36) break;
    await sleep(50);
  }
  const bytes = await Deno.readFile(wav);
  assert.equal(new DataView(bytes.buffer).getUint32(4, true), bytes.length - 8, "RIFF size set");
  await Deno.remove(dir, { recursive: true });
});
