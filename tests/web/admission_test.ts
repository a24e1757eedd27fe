/**
 * Admission control through the front-ends: the control API and MCP refuse a node or a config
 * that would pin more frame memory than the runtime's budget with the runtime's own code,
 * `memory_budget_exceeded`, and the graph is unchanged.
 */

import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/inMemory"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createMcpServer } from "../../mcp/mod.ts";
import { Harness } from "./harness.ts";

const HUGE = { width: 7680, height: 4320 };

Deno.test("POST /nodes and PATCH /nodes/:id/config past the memory budget are 409 memory_budget_exceeded", async () => {
  await using h = await Harness.start();
  const added = await h.call("POST", "/nodes", { type: "TestPattern", id: "huge", config: HUGE });
  assert.equal(added.status, 409);
  assert.equal(added.body.error.code, "memory_budget_exceeded");
  assert.equal(added.body.error.details.node, "huge");
  assert.equal(added.body.error.details.budgetBytes, 512 * 1024 * 1024);
  assert.match(added.body.error.message, /memory budget of 512\.0 MiB/);
  assert.equal(h.rt.describe().nodes.some((n) => n.id === "huge"), false);
  assert.equal((await h.call("POST", "/runtime/pause")).status, 200);
  const patched = await h.call("PATCH", "/nodes/pattern/config", { config: HUGE });
  assert.equal(patched.status, 409);
  assert.equal(patched.body.error.code, "memory_budget_exceeded");
  const config = h.rt.describe().nodes.find((n) => n.id === "pattern")?.config;
  assert.equal((config as { width: number }).width, 640);
});

Deno.test("MCP add_processor and set_config past the memory budget fail with memory_budget_exceeded and a hint", async () => {
  await using h = await Harness.start();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(h.rt).connect(serverSide);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientSide);
  try {
    const calls: [string, Record<string, unknown>][] = [
      ["add_processor", { type: "TestPattern", id: "huge", config: HUGE }],
      ["set_config", { id: "pattern", config: HUGE }],
    ];
    await h.rt.pause();
    for (const [name, args] of calls) {
      const result = await client.callTool({ name, arguments: args });
      assert.equal(result.isError, true, name);
      const error = (result.structuredContent as { error: Record<string, unknown> }).error;
      assert.equal(error.code, "memory_budget_exceeded", name);
      assert.match(String(error.hint), /--memory-budget/);
    }
    assert.equal(h.rt.describe().nodes.some((n) => n.id === "huge"), false);
  } finally {
    await client.close();
  }
});
