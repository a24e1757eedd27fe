/**
 * The MCP server over streamable HTTP: a real server on loopback, the SDK's
 * `StreamableHTTPClientTransport`, the token, Origin checks and malformed requests; and
 * `streamlib mcp --http` as a subprocess.
 */

import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { type HttpMcpServer, serveHttp } from "../../mcp/mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { ROOT, type TestClient, wrap } from "./mcp_client.ts";

async function connectHttp(url: string, token: string): Promise<TestClient> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "streamlib-tests", version: "1.0.0" });
  await client.connect(transport);
  return wrap(client);
}

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "t", version: "1" },
  },
};

function post(server: HttpMcpServer, body: string, headers: Record<string, string> = {}) {
  return fetch(server.url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${server.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
  });
}

Deno.test("serveHttp() serves the tools to the SDK's HTTP client; sessions share one runtime", async () => {
  const rt = createRuntime();
  await using server = await serveHttp(rt);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  await using a = await connectHttp(server.url, server.token);
  await using b = await connectHttp(server.url, server.token);
  assert.equal(server.sessions, 2);
  assert.equal((await a.client.listTools()).tools.length, 16);
  await a.call("add_processor", { type: "TestToneGenerator", id: "tone" });
  await a.call("add_processor", { type: "NullSink", id: "sink" });
  const c = await b.call("connect", {
    from: "tone.audio",
    to: "sink.in",
  });
  assert.equal(c.isError, false, c.text);
  assert.equal((await b.call("start")).data.state, "running");
  await new Promise((resolve) => setTimeout(resolve, 100));
  const stats = await a.call("get_stats", { id: "sink" });
  assert.ok((stats.data.nodes as Record<string, { framesIn: number }>).sink.framesIn > 0);
  const missing = await b.call("connect", {
    from: "tone.audio",
    to: "sink.audio_in",
  });
  assert.equal(missing.isError, true);
  assert.match(
    missing.text,
    /^Cannot find input 'audio_in' on 'sink': did you mean in\? available inputs: in/,
  );
  assert.equal((await a.call("stop")).data.state, "stopped");
});

Deno.test("serveHttp(): logging/setLevel filters the log messages of its own session only", async () => {
  const rt = createRuntime({ workers: false });
  await using server = await serveHttp(rt);
  await using quiet = await connectHttp(server.url, server.token);
  await using chatty = await connectHttp(server.url, server.token);
  const received = { quiet: [] as string[], chatty: [] as string[] };
  for (const [name, session] of [["quiet", quiet], ["chatty", chatty]] as const) {
    session.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      received[name].push(n.params.level);
    });
  }
  await quiet.client.setLoggingLevel("critical");
  // A WavWriter whose folder does not exist fails in setup(): an error log message.
  await quiet.call("add_processor", {
    type: "WavWriter",
    id: "wav",
    config: { path: `${Deno.cwd()}/no-such-dir-${crypto.randomUUID()}/out.wav` },
  });
  await quiet.call("start");
  await quiet.call("stop");
  const deadline = Date.now() + 3000;
  while (received.chatty.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.deepEqual(received.chatty, ["error"], "a session without setLevel gets every message");
  assert.deepEqual(received.quiet, [], "below the level the session set: not sent to it");
});

Deno.test("serveHttp() refuses requests without the token, from other origins, and malformed ones, and keeps serving", async () => {
  const rt = createRuntime();
  await using server = await serveHttp(rt, { token: "0123456789abcdef0123456789abcdef" });
  const json = async (response: Response) => {
    const body = await response.json();
    return { status: response.status, code: body.error?.code, message: body.error?.message ?? "" };
  };

  let r = await fetch(server.url, { method: "POST", body: JSON.stringify(INITIALIZE) });
  assert.equal(r.headers.get("www-authenticate"), 'Bearer realm="streamlib"');
  let body = await json(r);
  assert.equal(body.status, 401);
  assert.match(body.message, /^Missing token: send 'Authorization: Bearer <token>'/);
  body = await json(
    await post(server, JSON.stringify(INITIALIZE), {
      authorization: "Bearer wrongwrongwrongwrong",
    }),
  );
  assert.deepEqual([body.status, body.message], [401, "Invalid token: it is not this server's"]);
  body = await json(
    await post(server, JSON.stringify(INITIALIZE), { origin: "https://evil.example" }),
  );
  assert.equal(body.status, 403);
  assert.match(
    body.message,
    /origin 'https:\/\/evil\.example': allowed origins are http:\/\/127\.0\.0\.1:/,
  );
  body = await json(await post(server, "{not json"));
  assert.deepEqual([body.status, body.code], [400, -32700]);
  body = await json(
    await post(server, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" })),
  );
  assert.equal(body.status, 400);
  assert.match(body.message, /the first request of a session must be 'initialize'/);
  body = await json(await post(server, JSON.stringify(INITIALIZE), { "mcp-session-id": "gone" }));
  assert.deepEqual([body.status, body.code], [404, -32001]);
  r = await fetch(new URL("/elsewhere", server.url), {
    headers: { authorization: `Bearer ${server.token}` },
  });
  body = await json(r);
  assert.equal(body.status, 404);
  assert.match(body.message, /the MCP endpoint is \/mcp/);
  // A browser on the server's own origin may call it.
  r = await post(server, JSON.stringify(INITIALIZE), { origin: new URL(server.url).origin });
  assert.equal(r.status, 200);
  await r.body?.cancel();

  await using client = await connectHttp(server.url, server.token);
  assert.equal((await client.call("get_graph")).isError, false);
});

Deno.test("serveHttp() binds loopback only and checks the token's shape", async () => {
  const rt = createRuntime();
  await assert.rejects(
    () => serveHttp(rt, { hostname: "0.0.0.0" }),
    (e: unknown) => e instanceof TypeError && /only loopback addresses are allowed/.test(e.message),
  );
  await assert.rejects(() => serveHttp(rt, { token: "short" }), /16 to 128 letters/);
});

Deno.test("streamlib mcp --http --json prints the endpoint and token, serves the SDK client and stops on SIGINT", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", "mcp", "--http", "--json"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const { url, token } = JSON.parse(text.split("\n")[0]);
  {
    await using client = await connectHttp(url, token);
    const list = await client.call("list_processors");
    assert.ok((list.data.processors as unknown[]).length >= 13);
  }
  child.kill("SIGINT");
  const status = await child.status;
  await reader.cancel();
  const stderr = await new Response(child.stderr).text();
  assert.equal(status.code, 0, stderr);
});
