/**
 * The dashboard serves MCP at `/mcp` on its own port, with its token and control policy, when
 * given MCP's endpoint (`createMcpEndpoint`, as `streamlib dashboard` gives it): the same
 * endpoint whichever command (or program) starts it.
 */

import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createDashboard } from "../../web/mod.ts";
import { createMcpEndpoint } from "../../mcp/mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { rawRequest } from "./harness.ts";

Deno.test("createDashboard({ mcp: createMcpEndpoint }) serves MCP at /mcp with its token; tools act on the runtime the API shows", async () => {
  const rt = createRuntime();
  await using dashboard = await createDashboard(rt, { mcp: createMcpEndpoint });
  assert.equal(dashboard.mcpUrl, `${dashboard.origin}/mcp`);

  const anonymous = await fetch(dashboard.mcpUrl!, { method: "POST", body: "{}" });
  assert.equal(anonymous.status, 401);
  assert.equal((await anonymous.json()).error.code, -32600);

  const client = new Client({ name: "streamlib-tests", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(dashboard.mcpUrl!), {
      requestInit: { headers: { authorization: `Bearer ${dashboard.token}` } },
    }),
  );
  const added = await client.callTool({ name: "add_processor", arguments: { type: "Gain" } });
  assert.equal((added.structuredContent as { id: string }).id, "gain_1");
  const graph = await (await fetch(`${dashboard.origin}/api/v1/graph`)).json();
  assert.deepEqual(graph.nodes.map((n: { id: string }) => n.id), ["gain_1"]);
  // The dashboard's control policy holds over MCP too.
  const refused = await client.callTool({
    name: "add_processor",
    arguments: { type: "SubprocessProcessor" },
  });
  assert.equal(refused.isError, true);
  await client.close();
});

Deno.test("createDashboard({ mcp: false }) serves no /mcp; bound to 0.0.0.0, /mcp answers loopback Host names only", async () => {
  const rt = createRuntime();
  for (const options of [{ mcp: false as const }, {}]) {
    await using dashboard = await createDashboard(rt, options);
    assert.equal(dashboard.mcpUrl, undefined);
    const response = await fetch(`${dashboard.origin}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${dashboard.token}` },
      body: "{}",
    });
    assert.equal(response.status, 404);
    await response.body?.cancel();
  }
  await using wide = await createDashboard(rt, { hostname: "0.0.0.0", mcp: createMcpEndpoint });
  assert.equal(wide.mcpUrl, `http://127.0.0.1:${wide.port}/mcp`);
  const body = "{}";
  const rebound = await rawRequest(
    wide.port,
    `POST /mcp HTTP/1.1\r\nHost: 192.168.1.20:${wide.port}\r\nAuthorization: Bearer ${wide.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
  assert.equal(rebound.status, 403);
  assert.match(rebound.text, /Cannot serve host '192\.168\.1\.20:/);
});

Deno.test("The dashboard's /mcp survives a body cut off and answers a trickled one 408 within the dashboard's body timeout", async () => {
  const rt = createRuntime();
  await using dashboard = await createDashboard(rt, {
    requestBody: { timeoutMs: 300 },
    mcp: createMcpEndpoint,
  });
  const head = (length: number) =>
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${dashboard.port}\r\nAuthorization: Bearer ${dashboard.token}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${length}\r\n\r\n`;
  const encoder = new TextEncoder();
  for (const sent of ['{"jsonrpc":"2.0","id":1,"meth', ""]) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: dashboard.port });
    await conn.write(encoder.encode(head(1000) + sent));
    await new Promise((r) => setTimeout(r, 30));
    conn.close();
  }
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: dashboard.port });
  await conn.write(encoder.encode(head(200) + "{"));
  const trickle = setInterval(() => conn.write(encoder.encode(" ")).catch(() => {}), 50);
  const buffer = new Uint8Array(4096);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  clearInterval(trickle);
  conn.close();
  assert.match(text, /^HTTP\/1\.1 408/);
  // Still serving, the API and MCP alike.
  assert.equal(
    (await fetch(`${dashboard.origin}/api/v1/runtime`).then((r) => r.json())).state,
    "stopped",
  );
  const client = new Client({ name: "streamlib-tests", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(dashboard.mcpUrl!), {
      requestInit: { headers: { authorization: `Bearer ${dashboard.token}` } },
    }),
  );
  assert.ok((await client.listTools()).tools.length > 10);
  await client.close();
});
