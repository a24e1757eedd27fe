/**
 * `streamlib dashboard` as a subprocess: the dashboard and the MCP server side by side, one
 * token for both.
 */

import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("streamlib dashboard <manifest> --start runs the pipeline, serves the dashboard and MCP with the dashboard's token", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli/streamlib.ts",
      "dashboard",
      "tests/fixtures/manifests/tone_sink.json",
      "--port",
      "0",
      "--start",
      "--json",
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const started = JSON.parse(text.split("\n")[0]);
  assert.equal(started.event, "started");
  assert.match(started.dashboard, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
  assert.equal(new URL(started.dashboard).searchParams.get("token"), started.token);

  const page = await fetch(started.dashboard);
  assert.equal(page.status, 200);
  await page.body?.cancel();
  const unauthorized = await fetch(started.mcp, { method: "POST", body: "{}" });
  assert.equal(unauthorized.status, 401);
  await unauthorized.body?.cancel();

  const client = new Client({ name: "streamlib-tests", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(started.mcp), {
      requestInit: { headers: { authorization: `Bearer ${started.token}` } },
    }),
  );
  const graph = await client.callTool({ name: "get_graph", arguments: {} });
  const data = graph.structuredContent as { state: string; processors: unknown[] };
  assert.equal(data.state, "running");
  assert.equal(data.processors.length, 2);
  await client.close();

  child.kill("SIGINT");
  let rest = text;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += value;
  }
  const status = await child.status;
  const stderr = await new Response(child.stderr).text();
  assert.equal(status.code, 0, stderr);
  const last = JSON.parse(rest.trim().split("\n").at(-1)!);
  assert.deepEqual([last.event, last.stats.state, last.exitCode], ["stopped", "stopped", 0]);
});

Deno.test("streamlib dashboard <manifest> draws the nodes where the manifest's ui.positions put them", async () => {
  const dir = await Deno.makeTempDir();
  const manifest = `${dir}/drawn.json`;
  const positions = { tone: { x: 40, y: 300 }, sink: { x: 520, y: 60 } };
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      nodes: [{ id: "tone", type: "TestToneGenerator" }, { id: "sink", type: "NullSink" }],
      connections: [{ from: "tone.audio", to: "sink.in" }],
      ui: { positions },
    }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", "dashboard", manifest, "--port", "0", "--json"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    reader.releaseLock();
    const started = JSON.parse(text.split("\n")[0]);
    const url = new URL("/api/v1/manifest", started.dashboard);
    const reply = await fetch(url, { headers: { authorization: `Bearer ${started.token}` } });
    assert.equal(reply.status, 200);
    const saved = await reply.json() as { ui?: { positions?: Record<string, unknown> } };
    assert.deepEqual(saved.ui?.positions, positions);
  } finally {
    child.kill("SIGINT");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel();
    await Deno.remove(dir, { recursive: true });
  }
});
