/**
 * The MCP server over streamable HTTP against hostile clients: bodies cut off, trickled or
 * oversized (the first `initialize` included), abandoned sessions and listening ones.
 */

import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { type HttpMcpServer, MCP_MAX_MESSAGE_BYTES, serveHttp } from "../../mcp/mod.ts";
import { createRuntime } from "../../processors/mod.ts";

const encoder = new TextEncoder();
const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "t", version: "1" },
  },
});

function head(server: HttpMcpServer, headers: Record<string, string>): string {
  const lines = [
    "POST /mcp HTTP/1.1",
    `Host: 127.0.0.1:${server.port}`,
    `Authorization: Bearer ${server.token}`,
    "Content-Type: application/json",
    "Accept: application/json, text/event-stream",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

async function exchange(server: HttpMcpServer, request: string, ms = 5000): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(encoder.encode(request));
  const buffer = new Uint8Array(65536);
  let text = "";
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !text.includes("\r\n\r\n")) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  conn.close();
  return text;
}

async function initialize(server: HttpMcpServer): Promise<string> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${server.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: INITIALIZE,
  });
  await response.body?.cancel();
  assert.equal(response.status, 200);
  return response.headers.get("mcp-session-id")!;
}

async function stillServes(server: HttpMcpServer): Promise<void> {
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { authorization: `Bearer ${server.token}` } },
  });
  const client = new Client({ name: "streamlib-tests", version: "1.0.0" });
  await client.connect(transport);
  assert.ok((await client.listTools()).tools.length > 10);
  await client.close();
}

Deno.test("serveHttp() survives bodies cut off before and inside a session", async () => {
  const rt = createRuntime();
  await using server = await serveHttp(rt, { requestBody: { timeoutMs: 500 } });
  const session = await initialize(server);
  for (const headers of [{}, { "Mcp-Session-Id": session }] as Record<string, string>[]) {
    for (const sent of ['{"jsonrpc":"2.0","id":2,"meth', ""]) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      await conn.write(
        encoder.encode(head(server, { ...headers, "Content-Length": "1000" }) + sent),
      );
      await new Promise((r) => setTimeout(r, 30));
      conn.close();
    }
  }
  await new Promise((r) => setTimeout(r, 100));
  await stillServes(server);
});

Deno.test("serveHttp() answers a trickled body 408 and an oversized one 413, the first initialize included", async () => {
  const rt = createRuntime();
  await using server = await serveHttp(rt, { requestBody: { timeoutMs: 300 } });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(encoder.encode(head(server, { "Content-Length": "500" }) + "{"));
  const trickle = setInterval(() => conn.write(encoder.encode(" ")).catch(() => {}), 50);
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  clearInterval(trickle);
  conn.close();
  const slow = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
  assert.match(slow, /^HTTP\/1\.1 408/);
  assert.match(slow, /did not arrive within 300 ms/);

  const declared = await exchange(
    server,
    head(server, { "Content-Length": String(MCP_MAX_MESSAGE_BYTES + 1), Connection: "close" }),
  );
  assert.match(declared, /^HTTP\/1\.1 413/);
  // An initialize padded past the limit, sent in full without a length: refused as it grows.
  const padded = INITIALIZE.replace('"t"', `"${"t".repeat(MCP_MAX_MESSAGE_BYTES)}"`);
  const response = await fetch(server.url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${server.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: ReadableStream.from([encoder.encode(padded)]),
  });
  assert.equal(response.status, 413);
  assert.match((await response.json()).error.message, /over 4194304 bytes/);
  assert.equal(server.sessions, 0);
  await stillServes(server);
});

Deno.test("serveHttp() closes idle sessions and caps open ones, closing the idlest", async () => {
  const rt = createRuntime();
  await using server = await serveHttp(rt, { sessionIdleMs: 300, maxSessions: 3 });
  const first = await initialize(server);
  await initialize(server);
  await initialize(server);
  assert.equal(server.sessions, 3);
  const fourth = await initialize(server);
  assert.equal(server.sessions, 3, "capped");
  const gone = await fetch(server.url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${server.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": first,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  });
  assert.equal(gone.status, 404, "the idlest session made room");
  assert.match((await gone.json()).error.message, /ended or expired/);
  assert.ok(fourth);
  const deadline = Date.now() + 3000;
  while (server.sessions > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.sessions, 0, "idle sessions expired");
});

Deno.test("serveHttp(): close() is not held by a request whose body never comes", async () => {
  const rt = createRuntime();
  const server = await serveHttp(rt, { requestBody: { timeoutMs: 60_000 } });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(encoder.encode(head(server, { "Content-Length": "1000" }) + '{"jsonrpc'));
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      server.close().then(() => "closed"),
      new Promise<string>((resolve) => timer = setTimeout(() => resolve("held"), 8_000)),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, "closed");
    assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
  } finally {
    conn.close();
  }
});

Deno.test("serveHttp(): an initialize refused for its Accept or Content-Type leaves no server behind", async () => {
  const rt = createRuntime({ workers: false });
  // Each session's MCP server listens to the runtime's events; count the live listeners.
  let listening = 0;
  const on = rt.on.bind(rt);
  rt.on = (listener) => {
    listening++;
    const off = on(listener);
    let done = false;
    return () => {
      if (!done) listening--;
      done = true;
      off();
    };
  };
  await using server = await serveHttp(rt);
  const post = (headers: Record<string, string>) =>
    fetch(server.url, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, ...headers },
      body: INITIALIZE,
    });
  for (let i = 0; i < 5; i++) {
    const json = await post({ "content-type": "application/json", accept: "application/json" });
    assert.equal(json.status, 406);
    await json.body?.cancel();
    const text = await post({
      "content-type": "text/plain",
      accept: "application/json, text/event-stream",
    });
    assert.equal(text.status, 415);
    await text.body?.cancel();
  }
  assert.equal(server.sessions, 0);
  assert.equal(listening, 0, "ten refused initializes left servers listening to the runtime");
  await initialize(server);
  assert.equal(listening, 1, "a session that began keeps its server");
});

Deno.test("serveHttp(): a session listening on its SSE stream is not idle nor evicted first; once it closes, it expires", async () => {
  const rt = createRuntime({ workers: false });
  await using server = await serveHttp(rt, { sessionIdleMs: 300, maxSessions: 2 });
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { authorization: `Bearer ${server.token}` } },
  });
  const client = new Client({ name: "streamlib-tests", version: "1.0.0" });
  await client.connect(transport); // opens the SSE stream (GET) for notifications
  const errors: string[] = [];
  transport.onerror = (error) => errors.push(error.message);
  const updates: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updates.push(n.params.uri);
  });
  await client.subscribeResource({ uri: "graph://current" });
  // Four idle periods without a request, only the open stream.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.equal(server.sessions, 1, "listening is not idle");
  rt.add("Gain"); // an edit by someone else reaches the listener
  const until = Date.now() + 2000;
  while (updates.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(updates, ["graph://current"]);
  assert.ok((await client.listTools()).tools.length > 10, "the session still serves");
  // At the cap, a new session closes the idlest one not listening, though it is newer.
  await initialize(server);
  await initialize(server);
  assert.equal(server.sessions, 2);
  assert.ok((await client.listTools()).tools.length > 10, "the listening session was kept");
  assert.deepEqual(errors, []);
  await client.close(); // ends the stream, leaves the session (no DELETE)
  const deadline = Date.now() + 3000;
  while (server.sessions > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.sessions, 0, "idle once its stream closed: expired");
});
