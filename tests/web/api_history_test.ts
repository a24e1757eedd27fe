/**
 * `GET /api/v1/history`: the server keeps a bounded ring of stats samples (one a period) and serves
 * it to anyone who may read; hostile query parameters get typed 400s and change nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { HistoryReply } from "../../web/shared/stats_history.ts";
import { Harness } from "./harness.ts";

Deno.test("GET /history keeps at most capacity samples, newest last, one a period", async () => {
  await using h = await Harness.start({ dashboard: { history: { capacity: 5, periodMs: 40 } } });
  // Fifteen periods: five fill the ring, ten more go round it (it stays at five).
  await new Promise((r) => setTimeout(r, 600));
  const { status, body } = await h.call("GET", "/history");
  assert.equal(status, 200);
  const reply = body as HistoryReply;
  assert.equal(reply.capacity, 5);
  assert.equal(reply.periodMs, 40);
  assert.equal(reply.samples.length, 5);
  const times = reply.samples.map((s) => s.t);
  assert.deepEqual(times, [...times].sort((a, b) => a - b), "oldest first");
  assert.ok(
    reply.now - times.at(-1)! < 200,
    `the newest is recent: ${reply.now - times.at(-1)!} ms`,
  );
  const ids = h.rt.describe().nodes.map((n) => n.id).sort();
  assert.deepEqual(Object.keys(reply.samples.at(-1)!.nodes).sort(), ids);
  const connections = h.rt.describe().connections.map((c) => c.id).sort();
  assert.deepEqual(Object.keys(reply.samples.at(-1)!.connections).sort(), connections);
  assert.ok(reply.samples.some((s) => s.nodes.tone_a.rate > 0), "the tone runs");
  for (const s of reply.samples) {
    for (const c of Object.values(s.connections)) assert.ok(c.fill >= 0 && c.fill <= 1);
  }

  const since = times[2];
  const later = (await h.call("GET", `/history?since=${since}`)).body as HistoryReply;
  assert.ok(later.samples.every((s) => s.t > since));
  assert.ok(later.samples.length >= 2 && later.samples.length <= 5);
  const recent = (await h.call("GET", "/history?seconds=1")).body as HistoryReply;
  assert.ok(recent.samples.every((s) => s.t >= recent.now - 1001));
});

Deno.test("GET /history refuses hostile query parameters with typed errors", async () => {
  await using h = await Harness.start({ start: false });
  const cases: [string, string, string][] = [
    ["foo=1", "unknown_field", "foo"],
    ["__proto__=1", "unknown_field", "__proto__"],
    [`${"k".repeat(5000)}=1`, "unknown_field", `${"k".repeat(80)}...`],
    ["seconds=0", "invalid_field", "seconds"],
    ["seconds=301", "invalid_field", "seconds"],
    ["seconds=-1", "invalid_field", "seconds"],
    ["seconds=1.5", "invalid_field", "seconds"],
    ["seconds=1e2", "invalid_field", "seconds"],
    ["seconds=abc", "invalid_field", "seconds"],
    ["seconds=", "invalid_field", "seconds"],
    ["seconds=99999999999999999999999", "invalid_field", "seconds"],
    ["seconds=5&seconds=6", "invalid_field", "seconds"],
    ["since=-5", "invalid_field", "since"],
    ["since=Infinity", "invalid_field", "since"],
    ["since=0x10", "invalid_field", "since"],
    [`since=${"9".repeat(4000)}`, "invalid_field", "since"],
  ];
  for (const [query, code, field] of cases) {
    const { status, body } = await h.call("GET", `/history?${query}`);
    assert.equal(status, 400, query.slice(0, 60));
    assert.equal(body.error.code, code, query.slice(0, 60));
    assert.equal(body.error.field, field, query.slice(0, 60));
    assert.ok(body.error.message.length < 300, "the message quotes a bounded excerpt");
  }
  const ok = await h.call("GET", "/history?seconds=300&since=0");
  assert.equal(ok.status, 200);
  assert.ok(Array.isArray(ok.body.samples));
  assert.equal((await h.call("POST", "/history", {})).status, 405);
});

Deno.test("GET /history beyond loopback needs the token, as other reads", async () => {
  await using h = await Harness.start({ start: false, dashboard: { hostname: "0.0.0.0" } });
  assert.equal((await h.call("GET", "/history")).body.error.code, "missing_token");
  const wrong = await h.call("GET", "/history", undefined, { token: "wrong-token-0123456789abc" });
  assert.equal(wrong.body.error.code, "invalid_token");
  assert.equal(
    (await h.call("GET", "/history", undefined, { token: h.dashboard.token })).status,
    200,
  );
});
