/**
 * The control API against hostile clients over raw TCP: bodies cut off, trickled, oversized or
 * malformed on every mutating route (enumerated from `GET /api/v1`), and WebSocket abuse. After
 * each, the process is still up and answers.
 */

import assert from "node:assert/strict";
import { Harness, rawRequest } from "./harness.ts";

const encoder = new TextEncoder();
const TIMEOUT_MS = 400;

/** A concrete path for a listed endpoint: `:id` → a node of the demo, `:action` → pause. */
function concrete(path: string): string {
  return path.split("?")[0]
    .replace("/nodes/:id", "/nodes/tone_a")
    .replace("/connections/:id", "/connections/conn_1")
    .replace(":action", "pause");
}

async function mutatingRoutes(h: Harness): Promise<{ method: string; path: string }[]> {
  const listing = await h.call("GET", "/api/v1");
  assert.equal(listing.status, 200);
  const routes = (listing.body.endpoints as { method: string; path: string }[])
    .filter((e) => e.method !== "GET")
    .map((e) => ({ method: e.method, path: concrete(e.path) }));
  assert.ok(routes.length >= 6, `mutating routes listed: ${routes.length}`);
  return routes;
}

function head(h: Harness, method: string, path: string, headers: Record<string, string>): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${h.dashboard.port}`,
    `Authorization: Bearer ${h.dashboard.token}`,
    "Content-Type: application/json",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

async function stillServes(h: Harness): Promise<void> {
  const reply = await h.call("GET", "/runtime");
  assert.equal(reply.status, 200);
  assert.equal(typeof reply.body.state, "string");
}

/** Reads a raw response until the server closes or `ms` pass; returns the status (0 if none). */
async function readStatus(conn: Deno.Conn, ms: number): Promise<{ status: number; text: string }> {
  const buffer = new Uint8Array(65536);
  let text = "";
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !/\r\n\r\n/.test(text)) {
    const n = await Promise.race([
      conn.read(buffer),
      new Promise<"wait">((r) => setTimeout(() => r("wait"), deadline - Date.now())),
    ]).catch(() => null);
    if (n === null || n === "wait") break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return { status: Number(text.split(" ")[1] ?? 0), text };
}

Deno.test("Control API: a body cut off on every mutating route fails that request only", async () => {
  await using h = await Harness.start({
    start: false,
    dashboard: { requestBody: { timeoutMs: TIMEOUT_MS } },
  });
  for (const { method, path } of await mutatingRoutes(h)) {
    for (const sent of ['{"proces', "", '{"config":{"frequency":1']) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: h.dashboard.port });
      await conn.write(encoder.encode(head(h, method, path, { "Content-Length": "1000" }) + sent));
      await new Promise((r) => setTimeout(r, 30));
      conn.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    await stillServes(h);
  }
  // The graph was not changed by any of it.
  assert.equal(h.rt.describe().nodes.length, 8);
  assert.equal(h.rt.describe().connections.length, 6);
});

Deno.test("Control API: a trickled body times out with 408 on every mutating route", async () => {
  await using h = await Harness.start({
    start: false,
    dashboard: { requestBody: { timeoutMs: TIMEOUT_MS } },
  });
  for (const { method, path } of await mutatingRoutes(h)) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: h.dashboard.port });
    const started = Date.now();
    await conn.write(encoder.encode(head(h, method, path, { "Content-Length": "200" }) + "{"));
    const trickle = setInterval(() => conn.write(encoder.encode(" ")).catch(() => {}), 50);
    const reply = await readStatus(conn, 5000);
    clearInterval(trickle);
    conn.close();
    assert.equal(reply.status, 408, `${method} ${path}: ${reply.text.slice(0, 200)}`);
    assert.match(reply.text, /"code":"body_timeout"/);
    assert.ok(Date.now() - started < 3000, `${method} ${path} answered within the limit`);
  }
  await stillServes(h);
});

Deno.test("Control API: oversized, malformed and non-UTF-8 bodies get 4xx on every route that reads one", async () => {
  await using h = await Harness.start({ start: false });
  for (const { method, path } of await mutatingRoutes(h)) {
    // Declared too large: refused before reading.
    const declared = await rawRequest(
      h.dashboard.port,
      head(h, method, path, { "Content-Length": String(10 * 1024 * 1024), Connection: "close" }),
    );
    assert.equal(declared.status, 413, `${method} ${path}`);
    assert.match(declared.text, /"code":"body_too_large"/);
    // Chunked, no length: cancelled as soon as it grows past the limit.
    const chunk = "a".repeat(32 * 1024);
    let chunked = head(h, method, path, { "Transfer-Encoding": "chunked", Connection: "close" });
    for (let i = 0; i < 4; i++) chunked += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const grown = await rawRequest(h.dashboard.port, `${chunked}0\r\n\r\n`);
    assert.equal(grown.status, 413, `${method} ${path} chunked`);
    if (method === "DELETE") continue; // its body is read, not parsed
    // WHEP, WHIP and the live view take SDP, not JSON: a JSON body is 415 (tests/webrtc/whep_api_test.ts).
    if (path.includes("/whep/") || path.includes("/whip/") || path.includes("/live/")) continue;
    for (const [raw, code] of [["{nope", "invalid_json"], ["[1,2]", "invalid_body"]] as const) {
      const reply = await h.call(method, path.replace("/api/v1", ""), undefined, {
        raw,
        headers: { "content-type": "application/json" },
      });
      assert.equal(reply.status, 400, `${method} ${path} ${raw}`);
      assert.equal(reply.body.error.code, code);
    }
    const latin1 = await h.call(method, path.replace("/api/v1", ""), undefined, {
      raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      headers: { "content-type": "application/json" },
    });
    assert.equal(latin1.status, 400);
  }
  await stillServes(h);
});

Deno.test("Control API: WebSocket abuse (cut-off upgrade, oversized, binary and malformed messages) leaves the server up", async () => {
  await using h = await Harness.start({ start: true });
  // An upgrade request cut off in its headers, and one cut off right after them.
  for (
    const request of [
      `GET /api/v1/stream?token=${h.dashboard.token} HTTP/1.1\r\nHost: 127.0.0.1:${h.dashboard.port}\r\nUpgrade: websock`,
      `GET /api/v1/stream?token=${h.dashboard.token} HTTP/1.1\r\nHost: 127.0.0.1:${h.dashboard.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\xfe\xff`,
    ]
  ) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: h.dashboard.port });
    await conn.write(encoder.encode(request));
    await new Promise((r) => setTimeout(r, 50));
    conn.close();
  }
  const stream = await h.stream();
  const errors = () => stream.messages.filter((m) => m.type === "error").length;
  stream.send("x".repeat(256 * 1024));
  stream.send("{not json");
  stream.send(JSON.stringify({ type: "watch", outputs: "tone_a.audio" }));
  stream.send(JSON.stringify({ type: "watch", outputs: Array(10_000).fill("a.b") }));
  stream.socket.send(new Uint8Array(1024));
  const deadline = Date.now() + 5000;
  while (errors() < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(errors(), 5, "each bad message answered with an error message");
  await stillServes(h);
  assert.equal(h.rt.state, "running");
});

Deno.test("Control API: keys named like object members are refused like any unknown key", async () => {
  await using h = await Harness.start({ start: false });
  const send = (method: string, path: string, raw: string) =>
    h.call(method, path, undefined, { raw, headers: { "content-type": "application/json" } });
  for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
    const inConfig = await send(
      "POST",
      "/nodes",
      `{"type":"Gain","config":{"${key}":{"gain":5}}}`,
    );
    assert.equal(inConfig.status, 422, key);
    assert.equal(inConfig.body.error.code, "invalid_config");
    assert.equal(inConfig.body.error.field, `config.${key}`);
    const top = await send("POST", "/nodes", `{"type":"Gain","${key}":1}`);
    assert.equal(top.status, 400, key);
    assert.equal(top.body.error.code, "unknown_field");
    const patch = await send("PATCH", "/nodes/tone_a/config", `{"config":{"${key}":1}}`);
    assert.equal(patch.status, 422, key);
    assert.equal(patch.body.error.field, `config.${key}`);
    const connect = await send("POST", "/connections", `{"from":"a.b","to":"c.d","${key}":1}`);
    assert.equal(connect.status, 400, key);
  }
  assert.equal(h.rt.describe().nodes.length, 8, "nothing was added");
});

Deno.test("Dashboard: close() is not held by a request whose body never comes", async () => {
  // Deno's graceful shutdown waits for every request body; the dashboard stops with a signal
  // once its handlers answered (frontend/http_server.ts). Before, close() was still pending 8 s on.
  const h = await Harness.start({ start: false });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: h.dashboard.port });
  try {
    await conn.write(
      encoder.encode(head(h, "POST", "/api/v1/nodes", { "Content-Length": "1000" }) + '{"ty'),
    );
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      h.dashboard.close().then(() => "closed"),
      new Promise<string>((resolve) => timer = setTimeout(() => resolve("held"), 8_000)),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, "closed");
    assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
  } finally {
    conn.close();
    await h[Symbol.asyncDispose]();
  }
});
