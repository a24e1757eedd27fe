/**
 * `Authorization` headers as `streamlib serve` reads them, in one place (`readBearer()`): a
 * credential that is not `Bearer <token>` (another scheme, a tab, a list, several headers,
 * bytes outside printable ASCII) is `invalid_token`, saying what form is valid, on every HTTP
 * route (`/v1/pipelines`, `/v1/admin/sessions`, a WebRTC offer and `DELETE`); only a request
 * with no credential is `missing_token`. A server with no tokens does not read it. And
 * `/v1/admin/sessions/` (no id) is no route.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveSessions, type SessionServer, TokenPolicy } from "../../serve/mod.ts";
import { MAX_BEARER_LENGTH, readBearer } from "../../serve/tokens.ts";
import { BUILTIN, gain } from "./pipelines.ts";

const TOKEN = "auth-token-0123456789";
const OPERATOR = "auth-operator-0123456789";

Deno.test("readBearer() reads a bearer token, and says why another credential is none", () => {
  assert.deepEqual(readBearer(`Bearer ${TOKEN}`), { token: TOKEN });
  assert.deepEqual(readBearer(`bearer   ${TOKEN}  `), { token: TOKEN });
  assert.deepEqual(readBearer(`Bearer\t${TOKEN}`), { token: TOKEN });
  assert.deepEqual(readBearer(null), { token: "" });
  assert.deepEqual(readBearer(""), { token: "" });
  // The scheme alone: no token was sent.
  assert.deepEqual(readBearer("Bearer"), { token: "" });
  assert.deepEqual(readBearer("Bearer      "), { token: "" });
  const cases: [string, string, RegExp][] = [
    ["another scheme", "Basic czNjcmV0LTAxMjM0NTY3ODk=", /uses the scheme 'Basic'/],
    ["no scheme", "=x", /uses no scheme/],
    ["a list", `Bearer ${TOKEN}, Bearer x`, /more than one credential/],
    ["no space", `Bearer,${TOKEN}`, /no space between Bearer and the token/],
    ["a tab in the token", "Bearer\tabc\tdef", /a space, a control character/],
    ["a byte outside ASCII", "Bearer \xff\xfe\xfd-0123456789", /outside printable ASCII/],
    ["an emoji", "Bearer \u{1f600}\u{1f600}", /outside printable ASCII/],
    [
      "too long",
      `Bearer ${"a".repeat(MAX_BEARER_LENGTH + 1)}`,
      /4097 characters long, none is over 4096/,
    ],
  ];
  for (const [what, header, problem] of cases) {
    const read = readBearer(header);
    assert.equal(read.token, "", what);
    assert.match(read.problem ?? "", problem, what);
    assert.match(read.problem ?? "", /send 'Authorization: Bearer <token>'/, what);
  }
});

function start(tokens?: TokenPolicy): Promise<SessionServer> {
  return serveSessions({
    catalog: new Map<string, unknown>([["voice", gain(2)]]),
    port: 0,
    tokens,
    registries: [BUILTIN],
    dashboard: false,
  });
}

/** The JSON refusal of a request with `authorization` (none when undefined). */
async function ask(
  url: string,
  authorization?: string,
  init: RequestInit = {},
): Promise<{ status: number; code: string; message: string; details: unknown }> {
  const headers = new Headers(init.headers);
  if (authorization !== undefined) headers.set("authorization", authorization);
  const response = await fetch(url, { ...init, headers });
  const body = await response.json();
  return { status: response.status, ...body.error };
}

/** A raw HTTP/1.1 GET with the header lines given as they are; the status and the body. */
async function raw(port: number, path: string, lines: string[]): Promise<[number, string]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = [`GET ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`, ...lines, "connection: close"];
  await conn.write(new TextEncoder().encode(`${head.join("\r\n")}\r\n\r\n`));
  let text = "";
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(65_536);
  for (let n; (n = await conn.read(buffer)) !== null;) {
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  conn.close();
  const [status, body] = [Number(text.split(" ")[1]), text.slice(text.indexOf("\r\n\r\n") + 4)];
  return [status, body];
}

Deno.test({
  name: "serve: a credential that is not 'Bearer <token>' is invalid_token on every HTTP route",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start(
      new TokenPolicy({ tokens: { [TOKEN]: ["*"] }, operators: { [OPERATOR]: "admin" } }),
    );
    const offer = (authorization?: string) =>
      ask(`${server.webrtcUrl}/voice`, authorization, {
        method: "POST",
        headers: { "content-type": "application/sdp" },
        body: "v=0\r\n",
      });
    const routes: [string, (authorization?: string) => ReturnType<typeof ask>][] = [
      ["GET /v1/pipelines", (a) => ask(`${server.url}/v1/pipelines`, a)],
      ["GET /v1/admin/sessions", (a) => ask(`${server.url}/v1/admin/sessions`, a)],
      ["POST /v1/webrtc/voice", offer],
      [
        "DELETE /v1/webrtc/voice/<id>",
        (a) => ask(`${server.webrtcUrl}/voice/some-session`, a, { method: "DELETE" }),
      ],
    ];
    try {
      for (const [route, call] of routes) {
        const none = await call();
        assert.deepEqual([none.status, none.code], [401, "missing_token"], route);
        for (
          const header of [
            "Basic czNjcmV0LTAxMjM0NTY3ODk=",
            "Bearer\tabc\tdef",
            `Bearer ${TOKEN}, Bearer x`,
            "Bearer \xff\xfe\xfd-0123456789",
          ]
        ) {
          const got = await call(header);
          assert.deepEqual([got.status, got.code], [401, "invalid_token"], `${route} ${header}`);
          assert.match(got.message, /send 'Authorization: Bearer <token>'/, `${route} ${header}`);
        }
      }
      // The admin routes and the WebRTC ones say which field is wrong.
      assert.deepEqual((await routes[1][1]("Basic x")).details, { field: "authorization" });
      assert.deepEqual((await offer("Basic x")).details, { field: "authorization" });
      // Two Authorization headers are two credentials, not none.
      for (const path of ["/v1/pipelines", "/v1/admin/sessions"]) {
        const [status, body] = await raw(server.port, path, [
          "authorization: Bearer x",
          `authorization: Bearer ${OPERATOR}`,
        ]);
        assert.equal(status, 401, path);
        assert.equal(JSON.parse(body).error.code, "invalid_token", path);
        assert.match(JSON.parse(body).error.message, /more than one credential/, path);
      }
      // A well-formed token still reaches its check.
      const listed = await fetch(`${server.url}/v1/pipelines`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(listed.status, 200);
      await listed.body?.cancel();
      assert.equal((await offer("Bearer wrong-token-0123")).code, "invalid_token");
      assert.equal(server.runner.active, 0);
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "serve: with no tokens an odd credential is not read; an empty session id is no route",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start();
    try {
      const listed = await fetch(`${server.url}/v1/pipelines`, {
        headers: { authorization: "Basic czNjcmV0" },
      });
      assert.equal(listed.status, 200);
      await listed.body?.cancel();
      // The offer gets as far as its SDP: the credential was no obstacle.
      const offered = await ask(`${server.webrtcUrl}/voice`, "Basic czNjcmV0", {
        method: "POST",
        headers: { "content-type": "application/sdp" },
        body: "v=0\r\n",
      });
      assert.equal(offered.code, "webrtc_invalid_offer");
      const auth = `Bearer ${server.adminToken}`;
      for (const path of ["/v1/admin/sessions/", "/v1/admin/sessions//graph"]) {
        const got = await ask(`${server.url}${path}`, auth);
        assert.deepEqual([got.status, got.code], [404, "not_found"], path);
      }
      const unknown = await ask(`${server.url}/v1/admin/sessions/s9`, auth);
      assert.deepEqual([unknown.status, unknown.code], [404, "session_not_found"]);
    } finally {
      await server.close();
    }
  },
});
