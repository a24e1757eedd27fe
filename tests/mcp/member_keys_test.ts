/**
 * MCP tools refuse keys named like object members (`__proto__`, `constructor`, ...) in
 * arguments, configs and manifests, like any unknown key.
 */

import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/inMemory"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createMcpServer } from "../../mcp/mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { Harness } from "../web/harness.ts";
import { wrap } from "./mcp_client.ts";

Deno.test("MCP tools refuse member-named keys in arguments, configs and manifests", async () => {
  const rt = createRuntime({ workers: false });
  rt.add("Gain", {}, { id: "g" });
  const server = createMcpServer(rt);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "t", version: "1" });
  await client.connect(clientSide);
  await using mcp = wrap(client);
  for (const key of ["__proto__", "constructor", "toString", "valueOf"]) {
    const calls: [string, string, RegExp][] = [
      ["add_processor", `{"type":"Gain","config":{"${key}":{"gain":5}}}`, /config/],
      ["set_config", `{"id":"g","config":{"${key}":1}}`, /config/],
      ["get_graph", `{"${key}":1}`, /is not an argument/],
      [
        "load_manifest",
        `{"manifest":{"version":1,"nodes":[{"id":"m","type":"Gain","${key}":1}],"connections":[]}}`,
        /unknown field/,
      ],
      [
        "load_manifest",
        `{"manifest":{"version":1,"nodes":[{"id":"m","type":"Gain","config":{"${key}":1}}],"connections":[]}}`,
        /unknown/,
      ],
    ];
    for (const [name, args, message] of calls) {
      const result = await mcp.call(name, JSON.parse(args));
      assert.equal(result.isError, true, `${name} ${args}`);
      assert.match(result.text, new RegExp(key.replace(/_/g, "_")), `${name} names '${key}'`);
      assert.match(result.text, message, `${name} ${args}`);
    }
  }
  assert.deepEqual(rt.describe().nodes.map((n) => n.id), ["g"]);
  assert.deepEqual(rt.describe().nodes[0].config, { gain: 1 });
});

Deno.test("MCP and the control API give a member-named config key the same code: the processor's invalid_config", async () => {
  await using h = await Harness.start({ start: false });
  const server = createMcpServer(h.rt);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "t", version: "1" });
  await client.connect(clientSide);
  await using mcp = wrap(client);
  const viaApi = await h.call(
    "POST",
    "/nodes",
    undefined,
    {
      raw: '{"type":"Gain","config":{"__proto__":{"gain":5}}}',
      headers: { "content-type": "application/json" },
    },
  );
  const viaMcp = await mcp.call(
    "add_processor",
    JSON.parse('{"type":"Gain","config":{"__proto__":{"gain":5}}}'),
  );
  assert.equal(viaApi.body.error.code, "invalid_config");
  assert.equal((viaMcp.data.error as { code: string }).code, "invalid_config");
});
