import assert from "node:assert/strict";
import { createRuntime } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { Harness, rawRequest } from "./harness.ts";

Deno.test("createDashboard() binds to 127.0.0.1 and prints the token inside the URL", async () => {
  await using h = await Harness.start({ start: false });
  const { url, origin, token } = h.dashboard;
  assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(token, /^[0-9a-f]{32}$/);
  assert.equal(url, `${origin}/?token=${token}`);
});

Deno.test("createDashboard() takes a token of its own and refuses a malformed one", async () => {
  const rt = createRuntime();
  const token = "demo-token-0123456789";
  const dashboard = await createDashboard(rt, { token });
  try {
    assert.equal(dashboard.token, token);
    const reply = await fetch(`${dashboard.origin}/api/v1/runtime/start`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(reply.status, 200);
    await reply.body?.cancel();
  } finally {
    await dashboard.close();
    await rt.stop();
  }
  await assert.rejects(() => createDashboard(rt, { token: "short" }), TypeError);
});

Deno.test("Mutating calls need the token: missing or wrong answers 401 and changes nothing", async () => {
  await using h = await Harness.start({ start: false });
  const calls: [string, string, unknown][] = [
    ["POST", "/nodes", { type: "Gain" }],
    ["DELETE", "/nodes/mixer", undefined],
    ["PATCH", "/nodes/tone_a/config", { config: { frequency: 100 } }],
    ["POST", "/connections", { from: "mixer.out", to: "reverb.in" }],
    ["DELETE", "/connections/conn_1", undefined],
    ["POST", "/runtime/start", undefined],
  ];
  for (const [method, path, body] of calls) {
    const missing = await h.call(method, path, body, { token: false });
    assert.equal(missing.status, 401, `${method} ${path}`);
    assert.equal(missing.body.error.code, "missing_token");
    const wrong = await h.call(method, path, body, { token: "0".repeat(32) });
    assert.equal(wrong.status, 401, `${method} ${path}`);
    assert.equal(wrong.body.error.code, "invalid_token");
  }
  const graph = h.rt.describe();
  assert.equal(graph.state, "stopped");
  assert.equal(graph.nodes.length, 8);
  assert.equal(graph.connections.length, 6);
  const read = await h.call("GET", "/graph", undefined, { token: false });
  assert.equal(read.status, 200, "reads need no token");
});

Deno.test("A request from another origin is refused with 403", async () => {
  await using h = await Harness.start({ start: false });
  const reply = await h.call("POST", "/runtime/start", undefined, {
    headers: { origin: "http://evil.example" },
  });
  assert.equal(reply.status, 403);
  assert.equal(reply.body.error.code, "forbidden_origin");
  assert.ok(reply.body.error.choices.includes(h.dashboard.origin));
  assert.equal(h.rt.state, "stopped");
  const own = await h.call("POST", "/runtime/start", undefined, {
    headers: { origin: h.dashboard.origin },
  });
  assert.equal(own.status, 200);
});

Deno.test("A player page on an origin of allowedOrigins can preflight and POST; another origin is told the option", async () => {
  const rt = createRuntime();
  const player = "http://127.0.0.1:9";
  const dashboard = await createDashboard(rt, { allowedOrigins: [player] });
  try {
    const url = `${dashboard.origin}/api/v1/whep/live`;
    const preflight = await fetch(url, {
      method: "OPTIONS",
      headers: {
        origin: player,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    await preflight.body?.cancel();
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), player);
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
    // The POST itself (no such node here: 404) carries the headers the page needs to read it.
    const post = await fetch(url, {
      method: "POST",
      headers: {
        origin: player,
        authorization: `Bearer ${dashboard.token}`,
        "content-type": "application/sdp",
      },
      body: "v=0\r\n",
    });
    await post.body?.cancel();
    assert.equal(post.headers.get("access-control-allow-origin"), player);
    assert.match(post.headers.get("access-control-expose-headers") ?? "", /location/i);
    const other = await fetch(url, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:8", "access-control-request-method": "POST" },
    });
    const { error } = await other.json();
    assert.equal(other.status, 403);
    assert.equal(error.code, "forbidden_origin");
    assert.match(error.message, /allowedOrigins/);
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  } finally {
    await dashboard.close();
  }
});

Deno.test("A Host header that is not the dashboard's is refused (DNS rebinding)", async () => {
  await using h = await Harness.start({ start: false });
  const port = h.dashboard.port;
  const foreign = await rawRequest(
    port,
    `GET /api/v1/graph HTTP/1.1\r\nHost: rebind.example:${port}\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(foreign.status, 403);
  assert.match(foreign.text, /forbidden_host/);
  const own = await rawRequest(
    port,
    `GET /api/v1/runtime HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(own.status, 200);
});

Deno.test("The event stream needs the token and a same-origin (or no) Origin", async () => {
  await using h = await Harness.start({ start: false });
  const ws = h.dashboard.origin.replace("http", "ws") + "/api/v1/stream";
  const plain = await fetch(`${h.dashboard.origin}/api/v1/stream`);
  assert.equal(plain.status, 401);
  await plain.body?.cancel();
  for (
    const [url, headers, label] of [
      [ws, {}, "no token"],
      [`${ws}?token=${"f".repeat(32)}`, {}, "wrong token"],
      [`${ws}?token=${h.dashboard.token}`, { origin: "http://evil.example" }, "foreign origin"],
    ] as const
  ) {
    assert.equal(await opens(url, headers), false, label);
  }
  const ok = await h.stream({ headers: { origin: h.dashboard.origin } });
  await ok.next((m) => m.type === "snapshot");
  const upgrade = await fetch(`${h.dashboard.origin}/api/v1/stream`, {
    headers: { authorization: `Bearer ${h.dashboard.token}` },
  });
  assert.equal(upgrade.status, 426);
  await upgrade.body?.cancel();
});

/** Whether a WebSocket to `url` opens (it is closed again at once). */
function opens(url: string, headers: Record<string, string>): Promise<boolean> {
  const socket = new WebSocket(url, { headers } as never);
  return new Promise((resolve) => {
    socket.onopen = () => {
      socket.onclose = () => resolve(true);
      socket.close();
    };
    socket.onerror = () => resolve(false);
  });
}

Deno.test("Bound beyond loopback, reads need the token too: a DNS-rebinding page gets nothing", async () => {
  await using h = await Harness.start({ start: false, dashboard: { hostname: "0.0.0.0" } });
  const port = h.dashboard.port;
  const get = (path: string, headers = "") =>
    rawRequest(
      port,
      `GET ${path} HTTP/1.1\r\nHost: rebind.example:${port}\r\nOrigin: http://rebind.example:${port}\r\n${headers}Connection: close\r\n\r\n`,
    );
  for (const path of ["/api/v1/graph", "/api/v1/stats", "/api/v1/events", "/api/v1/nodes/tone_a"]) {
    const refused = await get(path);
    assert.equal(refused.status, 401, path);
    assert.match(refused.text, /missing_token/, path);
    assert.doesNotMatch(refused.text, /frequency|"nodes"/, path);
  }
  const bearer = await get("/api/v1/graph", `Authorization: Bearer ${h.dashboard.token}\r\n`);
  assert.equal(bearer.status, 200);
  assert.match(bearer.text, /tone_a/);
  const query = await get(`/api/v1/stats?token=${h.dashboard.token}`);
  assert.equal(query.status, 200);
  const wrong = await get(`/api/v1/graph?token=${"f".repeat(32)}`);
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /invalid_token/);
  const shell = await get("/");
  assert.equal(shell.status, 200);
  assert.doesNotMatch(shell.text, /tone_a|audio_out/, "the page without the token shows no graph");
  const page = await get(`/?token=${h.dashboard.token}`);
  assert.match(page.text, /tone_a/);
  const index = await h.call("GET", "/api/v1", undefined, { token: h.dashboard.token });
  assert.ok(
    index.body.endpoints.every((e: { token: boolean }) => e.token),
    "all listed as needing it",
  );
});

Deno.test("On loopback, reads stay open and the page shows the graph", async () => {
  await using h = await Harness.start({ start: false });
  const page = await h.call("GET", "/", undefined, { token: false });
  assert.match(String(page.body), /tone_a/);
  const index = await h.call("GET", "/api/v1", undefined, { token: false });
  assert.equal(index.status, 200);
  const graph = index.body.endpoints.find((e: { path: string }) => e.path === "/api/v1/graph");
  assert.equal(graph.token, false);
});
