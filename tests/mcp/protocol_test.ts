/**
 * MCP protocol details, the same over stdio and streamable HTTP: requests before `initialize`
 * are refused, malformed params keep the request's id and get -32602 with a readable message,
 * and batches are refused alike on both transports.
 */

import assert from "node:assert/strict";
import { type HttpMcpServer, serveHttp } from "../../mcp/mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { ROOT } from "./mcp_client.ts";

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
};

type Reply = { id: unknown; error?: { code: number; message: string }; result?: unknown };

/**
 * Malformed messages sent after initialize (a string as it is, as JSON text), and what each must
 * be answered with.
 */
const CASES: { send: unknown; id: unknown; code: number; message: RegExp }[] = [
  {
    send: { jsonrpc: "2.0", id: 10, method: "tools/list", params: "x" },
    id: 10,
    code: -32602,
    message: /^Invalid params for tools\/list: params must be an object, got "x"$/,
  },
  {
    send: { jsonrpc: "2.0", id: 11, method: "tools/list", params: { cursor: 5 } },
    id: 11,
    code: -32602,
    message: /^Invalid params for tools\/list: 'cursor' must be a string, got 5$/,
  },
  // Every list is one page: a cursor the server never gave is invalid params (MCP pagination).
  ...["tools/list", "resources/list", "resources/templates/list"].map((method, i) => ({
    send: { jsonrpc: "2.0", id: 20 + i, method, params: { cursor: "page2" } },
    id: 20 + i,
    code: -32602,
    message: new RegExp(
      `^Invalid params for ${method}: unknown cursor "page2": this server sends every item in one page`,
    ),
  })),
  {
    send: { jsonrpc: "2.0", id: "a", method: "tools/call", params: { name: 5 } },
    id: "a",
    code: -32602,
    message: /^Invalid params for tools\/call: 'name' must be a string, got 5$/,
  },
  {
    send: { jsonrpc: "2.0", id: 12, method: "tools/call", params: { name: "x", arguments: [] } },
    id: 12,
    code: -32602,
    message: /^Invalid params for tools\/call: 'arguments' must be an object, got \[\]$/,
  },
  {
    send: { jsonrpc: "2.0", id: 13, method: "logging/setLevel", params: { level: "loud" } },
    id: 13,
    code: -32602,
    message: /^Invalid params for logging\/setLevel: 'level' must be one of debug, .*got "loud"$/,
  },
  {
    send: [{ jsonrpc: "2.0", id: 14, method: "ping" }, { jsonrpc: "2.0", id: 15, method: "ping" }],
    id: null,
    code: -32600,
    message: /^Invalid request: batches \(JSON arrays\) are not supported/,
  },
  {
    send: [],
    id: null,
    code: -32600,
    message: /^Invalid request: batches/,
  },
  {
    send: { jsonrpc: "2.0", id: { a: 1 }, method: "ping" },
    id: null,
    code: -32600,
    message:
      /^Invalid request: the id must be a string of at most 256 characters or an integer from -9007199254740991 to 9007199254740991, got \{"a":1\}$/,
  },
  {
    // 2^53 + 1: not an integer JSON can carry back exactly (it reads as 2^53).
    send: '{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}',
    id: null,
    code: -32600,
    message: /or an integer from -9007199254740991 to 9007199254740991, got 9007199254740992$/,
  },
  {
    send: { jsonrpc: "2.0", id: "x".repeat(257), method: "ping" },
    id: null,
    code: -32600,
    message:
      /^Invalid request: the id must be a string of at most 256 .*got a string of 257 characters$/,
  },
  {
    // 0xff inside a string: not UTF-8, so not JSON text, whatever it would decode to.
    send: new Uint8Array([
      ...new TextEncoder().encode('{"jsonrpc":"2.0","id":17,"method":"x'),
      0xff,
      0x22,
      0x7d,
    ]),
    id: null,
    code: -32700,
    message: /not valid UTF-8/,
  },
  {
    send: { jsonrpc: "1.0", id: 16, method: "ping" },
    id: 16,
    code: -32600,
    message: /^Invalid request: 'jsonrpc' must be "2\.0", got "1\.0"$/,
  },
];

/**
 * A message as sent: a string is JSON text already (for numbers JSON.stringify cannot write),
 * bytes are sent as they are (for text that is not UTF-8).
 */
function wire(message: unknown): Uint8Array {
  if (message instanceof Uint8Array) return message;
  return new TextEncoder().encode(typeof message === "string" ? message : JSON.stringify(message));
}

/** `streamlib mcp` in a subprocess, spoken to line by line. */
function stdioServer() {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", "mcp"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async send(message: unknown): Promise<Reply> {
      await writer.write(new Uint8Array([...wire(message), 0x0a]));
      while (!buffer.includes("\n")) {
        const { value, done } = await lines.read();
        if (done) throw new Error("the server closed stdout");
        buffer += value;
      }
      const index = buffer.indexOf("\n");
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      return JSON.parse(line);
    },
    notify: (message: unknown) =>
      writer.write(new TextEncoder().encode(`${JSON.stringify(message)}\n`)),
    async close() {
      await writer.close();
      assert.equal((await child.status).code, 0);
      await lines.cancel();
    },
  };
}

async function httpPost(server: HttpMcpServer, body: unknown, session?: string) {
  const response = await fetch(server.url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${server.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(session ? { "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" } : {}),
    },
    body: wire(body) as Uint8Array<ArrayBuffer>,
  });
  const text = await response.text();
  return { response, reply: (text ? JSON.parse(text) : undefined) as Reply };
}

Deno.test("streamlib mcp over stdio answers tools/list and tools/call only after initialize", async () => {
  const server = stdioServer();
  try {
    for (const method of ["tools/list", "resources/list"]) {
      const early = await server.send({ jsonrpc: "2.0", id: 7, method });
      assert.equal(early.id, 7);
      assert.equal(early.error?.code, -32600);
      assert.match(early.error!.message, /^Not initialized: send 'initialize'/);
    }
    const call = await server.send({
      jsonrpc: "2.0",
      id: 8,
      method: "tools/call",
      params: { name: "add_processor", arguments: { type: "Gain" } },
    });
    assert.equal(call.error?.code, -32600);
    assert.equal((await server.send({ jsonrpc: "2.0", id: 9, method: "ping" })).id, 9);
    assert.ok((await server.send(INITIALIZE)).result);
    await server.notify({ jsonrpc: "2.0", method: "notifications/initialized" });
    const listed = await server.send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    assert.ok((listed.result as { tools: unknown[] }).tools.length > 0);
    const graph = await server.send({
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "get_graph" },
    });
    // The refused add_processor before initialize changed nothing.
    assert.deepEqual(
      (graph.result as { structuredContent: { processors: unknown[] } }).structuredContent
        .processors,
      [],
    );
  } finally {
    await server.close();
  }
});

Deno.test("MCP over stdio and HTTP answer malformed params and batches alike, keeping valid ids", async () => {
  const stdio = stdioServer();
  const rt = createRuntime();
  const http = await serveHttp(rt);
  try {
    assert.ok((await stdio.send(INITIALIZE)).result);
    await stdio.notify({ jsonrpc: "2.0", method: "notifications/initialized" });
    const init = await httpPost(http, INITIALIZE);
    const session = init.response.headers.get("mcp-session-id")!;
    assert.ok(session);
    await httpPost(http, { jsonrpc: "2.0", method: "notifications/initialized" }, session);

    for (const c of CASES) {
      const label = JSON.stringify(c.send);
      const overStdio = await stdio.send(c.send);
      const overHttp = await httpPost(http, c.send, session);
      assert.deepEqual(overHttp.reply, overStdio, label);
      assert.equal(overStdio.id, c.id, label);
      assert.equal(overStdio.error?.code, c.code, label);
      assert.match(overStdio.error!.message, c.message, label);
      // An error a client can match to its request comes back 200; one without an id, 400.
      assert.equal(overHttp.response.status, c.id === null ? 400 : 200, label);
    }
    // Both still serve.
    assert.deepEqual((await stdio.send({ jsonrpc: "2.0", id: 99, method: "ping" })).result, {});
    const ping = await httpPost(http, { jsonrpc: "2.0", id: 99, method: "ping" }, session);
    assert.deepEqual(ping.reply.result, {});
    // A malformed initialize keeps its id too, over HTTP without a session.
    const bad = await httpPost(http, { ...INITIALIZE, params: {} });
    assert.equal(bad.reply.id, 1);
    assert.equal(bad.reply.error?.code, -32602);
    assert.match(bad.reply.error!.message, /'protocolVersion' must be a string, got nothing/);
  } finally {
    await http.close();
    await stdio.close();
  }
});
