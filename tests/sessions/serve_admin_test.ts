/**
 * End to end: `streamlib serve`'s operator API (`/v1/admin/sessions`) on a real port, with a real
 * WebSocket session from the TypeScript client: the list shows it, its graph has the manifest's
 * nodes, DELETE ends it and the client gets `session_ended_by_operator`; tokens, roles and ids
 * are refused with their codes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveSessions, type SessionListBody, TokenPolicy } from "../../serve/mod.ts";
import { connect, SessionClientError } from "../../sessions/client/mod.ts";
import { block, gain } from "./ws_helpers.ts";
import { tunable, twoGains } from "./pipelines.ts";

const READ = "reader-token-0123456789";
const ADMIN = "admin-token-0123456789";
const CLIENT = "client-token-0123456789";

const voiceFx = twoGains();

async function call(url: string, token?: string, method = "GET") {
  const response = await fetch(url, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("serve /v1/admin/sessions: list, graph and end a live WebSocket session", async () => {
  const tokens = new TokenPolicy({
    tokens: { [CLIENT]: ["*"] },
    operators: { [READ]: "read", [ADMIN]: "admin" },
  });
  const catalog = new Map<string, unknown>([["voice-fx", voiceFx], ["double", gain(2)]]);
  const server = await serveSessions({ catalog, port: 0, tokens });
  const admin = `${server.url}/v1/admin/sessions`;
  try {
    assert.equal(server.adminToken, undefined, "the token file names operators: none is made");
    assert.deepEqual((await call(admin, READ)).body, { sessions: [], active: 0, maxSessions: 16 });

    const session = await connect(server.sessionsUrl, { token: CLIENT }).open("voice-fx");
    await session.send("audio", block(0.25));
    const reader = session.outputs()[Symbol.asyncIterator]();
    assert.equal(
      ((await reader.next()).value!.frame as { samples: Float32Array }).samples[0],
      0.25,
    );

    // The list shows it, with its pipeline and counts.
    const list = await call(admin, READ);
    assert.equal(list.status, 200);
    const body = list.body as SessionListBody;
    assert.equal(body.active, 1);
    assert.equal(body.sessions.length, 1);
    const [summary] = body.sessions;
    assert.equal(summary.id, session.id);
    assert.equal(summary.pipeline, "voice-fx");
    assert.equal(summary.state, "running");
    assert.equal(summary.framesIn, 1);
    assert.equal(summary.framesOut, 1);
    assert.ok(summary.heapBytes! > 0);
    assert.ok(Math.abs(Date.parse(summary.startedAt) - Date.now()) < 60_000);
    const one = await call(`${admin}/${session.id}`, READ);
    assert.equal(one.status, 200);
    assert.equal(one.body.pipeline, "voice-fx");

    // Its graph: the manifest's nodes (and the application ports), running, with counters.
    const graph = await call(`${admin}/${session.id}/graph`, READ);
    assert.equal(graph.status, 200);
    assert.equal(graph.body.id, session.id);
    assert.equal(graph.body.graph.state, "running");
    const nodes = graph.body.graph.nodes as { id: string; type: string; state: string }[];
    for (const id of ["pre", "post"]) {
      const node = nodes.find((n) => n.id === id);
      assert.equal(node?.type, "Gain");
      assert.equal(node?.state, "running");
    }
    assert.ok(
      (graph.body.graph.connections as { from: string; to: string }[]).some((c) =>
        c.from === "pre.out" && c.to === "post.in"
      ),
    );

    // A read token may not end it; refusals carry their codes.
    const notAllowed = await call(`${admin}/${session.id}`, READ, "DELETE");
    assert.equal(notAllowed.status, 403);
    assert.equal(notAllowed.body.error.code, "operation_not_allowed");
    assert.equal((await call(admin)).body.error.code, "missing_token");
    assert.equal((await call(admin)).status, 401);
    assert.equal((await call(admin, "wrong-token-0123456789")).body.error.code, "invalid_token");
    assert.equal((await call(admin, CLIENT)).body.error.code, "invalid_token");
    const unknown = await call(`${admin}/s999/graph`, READ);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "session_not_found");
    assert.deepEqual(unknown.body.error.details.available, [session.id]);
    const long = await call(`${admin}/${"x".repeat(10_000)}`, ADMIN, "DELETE");
    assert.equal(long.status, 400);
    assert.equal(long.body.error.code, "id_too_long");
    assert.ok(long.body.error.message.length < 200);
    assert.equal((await call(`${admin}/s1/other`, READ)).body.error.code, "not_found");
    const post = await fetch(admin, {
      method: "POST",
      headers: { authorization: `Bearer ${READ}` },
    });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    assert.equal((await post.json()).error.code, "method_not_allowed");

    // The admin token ends it: the client's outputs throw the code and its close carries it.
    const ended = await call(`${admin}/${session.id}`, ADMIN, "DELETE");
    assert.equal(ended.status, 200);
    assert.deepEqual(ended.body, {
      id: session.id,
      state: "failed",
      code: "session_ended_by_operator",
    });
    await assert.rejects(
      reader.next(),
      (e) => e instanceof SessionClientError && e.code === "session_ended_by_operator",
    );
    assert.equal((await session.closed).code, "session_ended_by_operator");
    assert.deepEqual((await call(admin, READ)).body.sessions, []);
    assert.equal((await call(`${admin}/${session.id}`, ADMIN, "DELETE")).status, 404);
    assert.match(
      await (await fetch(`${server.url}/metrics`)).text(),
      /^streamlib_sessions_failed_total\{code="session_ended_by_operator"\} 1$/m,
    );
  } finally {
    await server.close();
  }
});

Deno.test("serve makes an admin token when the token file names no operator", async () => {
  const server = await serveSessions({ catalog: new Map([["double", gain(2)]]), port: 0 });
  try {
    assert.match(server.adminToken!, /^[0-9a-f]{32}$/);
    assert.equal(server.dashboardUrl, undefined, "no page unless one is given");
    const admin = `${server.url}/v1/admin/sessions`;
    assert.equal((await call(admin)).body.error.code, "missing_token");
    assert.equal((await call(admin, server.adminToken)).status, 200);
    const page = await fetch(`${server.url}/dashboard`);
    assert.equal(page.status, 404);
    assert.equal((await page.json()).error.code, "not_found");
  } finally {
    await server.close();
  }
  await assert.rejects(
    serveSessions({ catalog: new Map(), port: 0, adminToken: "short" }),
    { code: "invalid_argument" },
  );
  assert.throws(
    () => new TokenPolicy({ tokens: {}, operators: { [ADMIN]: "root" } }),
    { code: "invalid_field" },
  );
});

Deno.test("serve PATCH /v1/admin/sessions/:id changes a live session's parameters (admin only)", async () => {
  const tokens = new TokenPolicy({
    tokens: { [CLIENT]: ["*"] },
    operators: { [READ]: "read", [ADMIN]: "admin" },
  });
  const catalog = new Map<string, unknown>([["tunable", tunable()]]);
  const server = await serveSessions({ catalog, port: 0, tokens });
  const patch = async (id: string, body: string, token = ADMIN, type = "application/json") => {
    const response = await fetch(`${server.url}/v1/admin/sessions/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": type },
      body,
    });
    return { status: response.status, body: await response.json() };
  };
  try {
    const session = await connect(server.sessionsUrl, { token: CLIENT }).open("tunable", {
      parameters: { gain: 2 },
    });
    const reader = session.outputs()[Symbol.asyncIterator]();
    const roundTrip = async () => {
      await session.send("audio", block(0.25));
      return ((await reader.next()).value!.frame as { samples: Float32Array }).samples[0];
    };
    assert.equal(await roundTrip(), 0.5);
    const changed = await patch(session.id, JSON.stringify({ parameters: { gain: 0.5 } }));
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.id, session.id);
    assert.equal(await roundTrip(), 0.125, "the operator turned the caller's session down");

    const cases: [string, string, number, string, string?][] = [
      [JSON.stringify({ parameters: { gian: 1 } }), ADMIN, 422, "unknown_parameter"],
      [JSON.stringify({ parameters: { gain: 99 } }), ADMIN, 422, "invalid_parameter"],
      ["{", ADMIN, 400, "invalid_json"],
      [JSON.stringify({ gain: 1 }), ADMIN, 400, "invalid_body"],
      [JSON.stringify({ parameters: [1] }), ADMIN, 400, "invalid_body"],
      [JSON.stringify({ parameters: { gain: 1 } }), READ, 403, "operation_not_allowed"],
      [
        JSON.stringify({ parameters: { gain: 1 } }),
        ADMIN,
        415,
        "unsupported_media_type",
        "text/plain",
      ],
      [JSON.stringify({ parameters: { gain: "x".repeat(200_000) } }), ADMIN, 413, "body_too_large"],
    ];
    for (const [body, token, status, code, type] of cases) {
      const refused = await patch(session.id, body, token, type);
      assert.equal(refused.status, status, `${code}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.code, code);
    }
    const missing = await patch("s999", JSON.stringify({ parameters: { gain: 1 } }));
    assert.equal(missing.body.error.code, "session_not_found");
    assert.equal(await roundTrip(), 0.125, "the refusals changed nothing");
    await session.close();
  } finally {
    await server.close();
  }
});
