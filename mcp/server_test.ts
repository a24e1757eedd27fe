import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/inMemory"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { createRuntime } from "../processors/mod.ts";
import { createMcpServer } from "./server.ts";
import type { McpTool } from "./tool.ts";
import { TOOLS } from "./tool_list.ts";

async function connected() {
  const rt = createRuntime();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(rt).connect(serverSide);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientSide);
  return { rt, client };
}

Deno.test("createMcpServer() notifies subscribers of graph://current after edits", async () => {
  const { client } = await connected();
  const updates: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updates.push(n.params.uri);
  });
  await client.subscribeResource({ uri: "graph://current" });
  await client.callTool({ name: "add_processor", arguments: { type: "Gain" } });
  await client.callTool({ name: "add_processor", arguments: { type: "NullSink" } });
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.deepEqual(updates, ["graph://current"], "two edits within 50 ms, one notification");
  await assert.rejects(
    () => client.subscribeResource({ uri: "processor://Gain" }),
    /only graph:\/\/current sends updates/,
  );
  await client.close();
});

Deno.test("createMcpServer() sends a processor failure as an error log message", async () => {
  const { client } = await connected();
  const logs: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(`${n.params.level}: ${n.params.data}`);
  });
  await client.callTool({
    name: "add_processor",
    // Inside the default media folder (the working directory), so the control policy lets it
    // through, but in a folder that does not exist: setup() fails.
    arguments: {
      type: "WavWriter",
      id: "wav",
      config: { path: `${Deno.cwd()}/no-such-dir-${crypto.randomUUID()}/out.wav` },
    },
  });
  const started = await client.callTool({ name: "start", arguments: {} });
  const failed = (started.structuredContent as { failed: { id: string }[] }).failed;
  assert.deepEqual(failed.map((f) => f.id), ["wav"]);
  await client.callTool({ name: "stop", arguments: {} });
  assert.ok(
    logs.some((l) => /^error: Processor 'wav' failed in setup\(\)/.test(l)),
    logs.join("\n"),
  );
  await client.close();
});

Deno.test("createMcpServer(): a call cancelled while it waits behind another never runs", async () => {
  const rt = createRuntime({ workers: false });
  let release!: () => void;
  let held = new Promise<void>((resolve) => release = resolve);
  let entered!: () => void;
  let holding = new Promise<void>((resolve) => entered = resolve);
  // A tool that holds the runtime's call queue until released, as a slow start or
  // end_of_stream does.
  const hold: McpTool = {
    name: "hold",
    title: "Hold",
    description: "Waits until released",
    inputSchema: { type: "object", properties: {}, additionalProperties: false },
    run: async () => {
      entered();
      await held;
      return { held: true };
    },
  };
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(rt, { tools: [...TOOLS, hold] }).connect(serverSide);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientSide);
  const first = client.callTool({ name: "hold", arguments: {} });
  await holding;
  const abort = new AbortController();
  const queued = client.callTool(
    { name: "add_processor", arguments: { type: "Gain", id: "late" } },
    undefined,
    { signal: abort.signal },
  );
  abort.abort("the agent gave up"); // sends notifications/cancelled
  await assert.rejects(queued, /the agent gave up/);
  release();
  assert.deepEqual((await first).structuredContent, { held: true });
  const graph = await client.callTool({ name: "get_graph", arguments: {} });
  assert.deepEqual((graph.structuredContent as { processors: unknown[] }).processors, []);
  assert.deepEqual(rt.describe().nodes, [], "the cancelled add_processor was not applied later");

  // A call waiting when its client leaves never runs either.
  held = new Promise<void>((resolve) => release = resolve);
  holding = new Promise<void>((resolve) => entered = resolve);
  const second = client.callTool({ name: "hold", arguments: {} });
  await holding;
  const orphan = client.callTool({
    name: "add_processor",
    arguments: { type: "Gain", id: "orphan" },
  });
  await client.close();
  await Promise.allSettled([second, orphan]);
  release();
  await rt.settled();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(rt.describe().nodes, [], "the call of a client that left was not applied");
});

const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

Deno.test("createMcpServer() states all four hints of every tool, as the tools mean them", async () => {
  const { client } = await connected();
  const { tools } = await client.listTools();
  const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
  for (const tool of tools) {
    for (const hint of HINTS) {
      // MCP reads an absent destructiveHint or openWorldHint as true.
      assert.equal(typeof tool.annotations?.[hint], "boolean", `${tool.name}.${hint}`);
    }
    assert.equal(tool.annotations?.title, tool.title);
  }
  const named = (hint: typeof HINTS[number]) =>
    tools.filter((t) => t.annotations?.[hint] === true).map((t) => t.name).sort();
  assert.deepEqual(named("openWorldHint"), ["load_manifest", "save_manifest"], "only files");
  assert.deepEqual(named("destructiveHint"), [
    "disconnect",
    "load_manifest",
    "remove_processor",
    "save_manifest",
    "set_config",
  ]);
  assert.deepEqual(named("readOnlyHint"), [
    "describe_processor",
    "get_graph",
    "get_stats",
    "list_processors",
  ]);
  assert.equal(hints.add_processor?.destructiveHint, false, "adding is additive");
  await client.close();
});
