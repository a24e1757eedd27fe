/**
 * `serveSessions()` against hostile peers on a real port: requests held half-sent (slowloris)
 * must not hold up the server's stop (Deno's graceful shutdown waits for every body to arrive),
 * and an offer's body has a deadline.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveSessions } from "../../serve/mod.ts";
import { gain } from "./ws_helpers.ts";

const catalog = new Map([["gain", gain(2)]]);

/** Opens a TCP connection, writes `head` and leaves the request unfinished. */
async function holdOpen(port: number, head: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(head));
  return conn;
}

for (
  const [what, head] of [
    ["headers", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "],
    ["a body no route reads", "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 600\r\n\r\nab"],
    [
      "an offer's body",
      "POST /v1/webrtc/gain HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n" +
      "Content-Length: 600\r\n\r\nv=0\r\n",
    ],
  ]
) {
  Deno.test(`serveSessions().close() ends within its drain while a client holds ${what} unsent`, async () => {
    const server = await serveSessions({ catalog, port: 0, drainMs: 300 });
    const conns = await Promise.all([0, 1, 2].map(() => holdOpen(server.port, head)));
    // Let the server take the connections (and start reading the offer) before it stops.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(resolve, 10_000, "late")));
    try {
      const result = await Promise.race([server.close().then(() => "closed" as const), late]);
      assert.equal(result, "closed", `close() still waiting after 10 s on ${what}`);
      assert.ok(
        performance.now() - started < 5_000,
        `close() took ${performance.now() - started} ms`,
      );
      // The held connections were cut: each reads its end.
      for (const conn of conns) {
        const buf = new Uint8Array(4096);
        let n: number | null = 0;
        while (n !== null) n = await conn.read(buf).catch(() => null);
      }
    } finally {
      clearTimeout(timer);
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    }
  });
}

Deno.test("WebRtcHandler: an offer whose body does not arrive in time gets 408 body_timeout", async () => {
  const { PipelineRunner } = await import("../../sessions/mod.ts");
  const { WebRtcHandler } = await import("../../sessions/webrtc/mod.ts");
  const runner = new PipelineRunner();
  const handler = new WebRtcHandler({ runner, resolve: () => gain(2), offerTimeoutMs: 300 });
  const http = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) => handler.handle(request),
  );
  const conn = await holdOpen(
    http.addr.port,
    "POST /v1/webrtc/gain HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n" +
      "Content-Length: 600\r\n\r\nv=0\r\n",
  );
  try {
    const started = performance.now();
    const buf = new Uint8Array(4096);
    let text = "";
    while (!text.includes("}}")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.match(text, /"code":"body_timeout"/);
    assert.match(text, /did not arrive within 300 ms \(5 bytes came\)/);
    assert.ok(performance.now() - started < 3_000);
    assert.equal(runner.active, 0);
  } finally {
    conn.close();
    await handler.close();
    await http.shutdown();
    await runner.close();
  }
});

Deno.test("serve /v1/admin/sessions: every bad Authorization gets 401 with the code that says why", async () => {
  const server = await serveSessions({ catalog, port: 0 });
  try {
    const cases: [string | undefined, string, RegExp][] = [
      [undefined, "missing_token", /Missing token/],
      ["Basic dXNlcjpwYXNz", "invalid_token", /Bearer <token>/],
      ["Bearer", "missing_token", /Missing token/],
      ["Bearer wrong-token", "invalid_token", /no operator's/],
      [`Bearer ${"a".repeat(5_000)}`, "invalid_token", /5000 characters long.*over 4096/],
      [`Bearer ${server.adminToken}x`, "invalid_token", /no operator's/],
    ];
    for (const [authorization, code, message] of cases) {
      const response = await fetch(`${server.url}/v1/admin/sessions`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      const { error } = await response.json();
      assert.equal(response.status, 401, authorization?.slice(0, 40));
      assert.equal(error.code, code, authorization?.slice(0, 40));
      assert.match(error.message, message);
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    }
    const ok = await fetch(`${server.url}/v1/admin/sessions`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await server.close();
  }
});
