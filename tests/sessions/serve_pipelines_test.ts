/**
 * `GET /v1/pipelines`: what a caller's token may open, with each pipeline's inputs, outputs and
 * parameters (schemas from the processors the server was given).
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveSessions } from "../../serve/mod.ts";
import { TokenPolicy } from "../../serve/tokens.ts";
import { registry } from "../../processors/registry.gen.ts";
import { gain, tunable } from "./pipelines.ts";
import { connect, SessionClientError } from "../../sessions/client/mod.ts";

const TEAM = "team-a-0123456789";
const OPS = "ops-0123456789";

async function list(url: string, token?: string) {
  const response = await fetch(`${url}/v1/pipelines`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

Deno.test("GET /v1/pipelines lists what the token may open, with parameters", async () => {
  const catalog = new Map<string, unknown>([["voice-fx", tunable()], ["double", gain(2)]]);
  const tokens = new TokenPolicy({ tokens: { [TEAM]: ["voice-fx"], [OPS]: ["*"] } });
  const server = await serveSessions({ catalog, port: 0, tokens, processors: registry });
  try {
    const all = await list(server.url, OPS);
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.pipelines.map((p: { name: string }) => p.name), [
      "double",
      "voice-fx",
    ]);
    const [double, fx] = all.body.pipelines;
    assert.deepEqual(double, {
      name: "double",
      inputs: ["audio"],
      outputs: ["audio"],
      parameters: {},
    });
    assert.equal(fx.parameters.gain.target, "fx.gain");
    assert.equal(fx.parameters.gain.description, "how much louder");
    assert.equal(fx.parameters.gain.default, 1);
    assert.equal(fx.parameters.gain.schema.type, "number");
    assert.equal(fx.parameters.gain.schema.maximum, 16);
    assert.equal(fx.parameters.gain.live, true);

    const team = await list(server.url, TEAM);
    assert.deepEqual(team.body.pipelines.map((p: { name: string }) => p.name), ["voice-fx"]);

    const none = await list(server.url);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, "missing_token");
    assert.equal(none.headers.get("www-authenticate"), "Bearer");
    const wrong = await list(server.url, "guess-0123456789");
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, "invalid_token");
    assert.doesNotMatch(JSON.stringify(wrong.body), /voice-fx|double/);
    const huge = await list(server.url, "x".repeat(10_000));
    assert.equal(huge.body.error.code, "invalid_token");

    const post = await fetch(`${server.url}/v1/pipelines`, { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("without processors, parameters are listed by target; with no tokens, all are", async () => {
  const catalog = new Map<string, unknown>([["voice-fx", tunable()]]);
  const server = await serveSessions({ catalog, port: 0 });
  try {
    const { status, body } = await list(server.url);
    assert.equal(status, 200);
    assert.deepEqual(body.pipelines[0].parameters, {
      gain: { target: "fx.gain", description: "how much louder" },
    });
  } finally {
    await server.close();
  }
});

Deno.test("the TypeScript client's pipelines() reads the listing with its token", async () => {
  const catalog = new Map<string, unknown>([["voice-fx", tunable()], ["double", gain(2)]]);
  const tokens = new TokenPolicy({ tokens: { [TEAM]: ["voice-fx"] } });
  const server = await serveSessions({ catalog, port: 0, tokens, processors: registry });
  try {
    const listed = await connect(server.sessionsUrl, { token: TEAM }).pipelines();
    assert.deepEqual(listed.map((p) => p.name), ["voice-fx"]);
    assert.equal(listed[0].parameters.gain.live, true);
    await assert.rejects(
      connect(server.sessionsUrl, { token: "guess-0123456789" }).pipelines(),
      (error) => error instanceof SessionClientError && error.code === "invalid_token",
    );
    await assert.rejects(
      connect(server.sessionsUrl).pipelines(),
      (error) => error instanceof SessionClientError && error.code === "missing_token",
    );
  } finally {
    await server.close();
  }
  // Nothing listening: connection_failed.
  await assert.rejects(
    connect(server.sessionsUrl, { token: TEAM }).pipelines(),
    (error) => error instanceof SessionClientError && error.code === "connection_failed",
  );
});

Deno.test("the TypeScript client's pipelines() refuses a listing without end, bounded", async () => {
  // A server that answers the listing with JSON that never ends, as fast as it can.
  let sent = 0;
  const controller = new AbortController();
  const server = Deno.serve({ port: 0, signal: controller.signal, onListen() {} }, () => {
    const chunk = new TextEncoder().encode(`{"pipelines":[${'"x",'.repeat(16_000)}`);
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(stream) {
          sent += chunk.byteLength;
          stream.enqueue(chunk);
        },
      }),
      { headers: { "content-type": "application/json" } },
    );
  });
  try {
    const url = `ws://127.0.0.1:${server.addr.port}/v1/sessions`;
    await assert.rejects(
      connect(url).pipelines(),
      (error) =>
        error instanceof SessionClientError && error.code === "connection_failed" &&
        /over 16777216 bytes/.test(error.message),
    );
    // It stopped reading at the bound, not at the open timeout.
    assert.ok(sent < 64 * 1024 * 1024, `the client read ${sent} bytes`);
  } finally {
    controller.abort();
    await server.finished;
  }
});
