import assert from "node:assert/strict";
import { Hono } from "hono";
import { accessPolicy, hostGuard, originGuard, presentsToken, requireToken } from "./auth.ts";
import { errorResponse } from "./app.ts";

const TOKEN = "0123456789abcdef0123";

function app(hostname: string) {
  const policy = accessPolicy(TOKEN, hostname, 8787, ["http://tools.example"]);
  const a = new Hono();
  a.onError(errorResponse);
  a.use("*", hostGuard(policy), originGuard(policy), requireToken(policy));
  a.post("/x", (c) => c.json({ ok: true }));
  return a;
}

async function post(a: Hono, headers: Record<string, string>): Promise<number> {
  const init = { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, ...headers } };
  const response = await a.request("/x", init);
  await response.body?.cancel();
  return response.status;
}

Deno.test("accessPolicy() on loopback allows loopback hosts and their origins only", async () => {
  const a = app("127.0.0.1");
  assert.equal(await post(a, { host: "127.0.0.1:8787" }), 200);
  assert.equal(await post(a, { host: "localhost:8787", origin: "http://localhost:8787" }), 200);
  assert.equal(await post(a, { host: "127.0.0.1:8787", origin: "http://tools.example" }), 200);
  assert.equal(await post(a, { host: "evil.example:8787" }), 403);
  assert.equal(await post(a, { host: "127.0.0.1:8787", origin: "http://evil.example" }), 403);
  assert.equal(await post(a, { host: "127.0.0.1:8788" }), 403);
});

Deno.test("accessPolicy() beyond loopback accepts the page's own origin under any host name", async () => {
  const a = app("0.0.0.0");
  assert.equal(await post(a, { host: "10.0.0.5:8787", origin: "http://10.0.0.5:8787" }), 200);
  assert.equal(await post(a, { host: "10.0.0.5:8787", origin: "http://evil.example" }), 403);
  assert.equal(await post(a, { host: "10.0.0.5:8787" }), 200);
});

Deno.test("requireToken() answers 401 without the bearer token", async () => {
  const a = app("127.0.0.1");
  const r = await a.request("/x", { method: "POST", headers: { host: "127.0.0.1:8787" } });
  assert.equal(r.status, 401);
  assert.equal((await r.json()).error.code, "missing_token");
});

Deno.test("accessPolicy() needs the token for reads only beyond loopback", () => {
  for (const host of ["127.0.0.1", "localhost", "::1"]) {
    assert.equal(accessPolicy(TOKEN, host, 8787).readsNeedToken, false, host);
  }
  for (const host of ["0.0.0.0", "::", "192.168.1.20"]) {
    assert.equal(accessPolicy(TOKEN, host, 8787).readsNeedToken, true, host);
  }
});

Deno.test("presentsToken() takes the bearer header or the token query parameter", () => {
  const policy = accessPolicy(TOKEN, "0.0.0.0", 8787);
  const request = (url: string, headers: Record<string, string> = {}) =>
    new Request(`http://x${url}`, { headers });
  assert.equal(presentsToken(policy, request("/", { authorization: `Bearer ${TOKEN}` })), true);
  assert.equal(presentsToken(policy, request(`/?token=${TOKEN}`)), true);
  assert.equal(presentsToken(policy, request("/?token=nope")), false);
  assert.equal(presentsToken(policy, request("/")), false);
});
