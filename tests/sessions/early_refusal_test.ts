/**
 * Refusals decided before an isolate is taken: an open's parameters the manifest does not take
 * (`unknown_parameter`, `invalid_parameter`), refused by the runner with the error the session's
 * isolate would end it with (the same functions, the same message), for `stream()`, `execute()`,
 * a WebSocket open, a gRPC call and a WebRTC offer; and a WebRTC offer its native `acceptOffer()`
 * would certainly refuse (`webrtc_invalid_offer`). A runner with one pooled isolate whose
 * replacement waits 10 minutes shows it: the pool keeps its isolate.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { serveSessions, TokenPolicy } from "../../serve/mod.ts";
import { PipelineRunner, SessionError } from "../../sessions/mod.ts";
import { connect, SessionClientError } from "../../sessions/client/mod.ts";
import { checkOffer } from "../../sessions/webrtc/_offer.ts";
import { builtinRegistry } from "../../processors/mod.ts";
import { audioFrame, auth, codeOf, loadSessionsClient, toStruct } from "./grpc_harness.ts";
import { BUILTIN, gain, tunable } from "./pipelines.ts";

/** A pool of one whose replacement would start only after 10 minutes. */
const KEEP_POOL = { pool: 1, poolRefillDelayMs: 600_000 };

const block = {
  kind: "audio",
  channels: 2,
  sampleRate: 16_000,
  samples: new Float32Array(320),
} as const;

async function refusal(promise: Promise<unknown>): Promise<SessionError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SessionError, String(error));
    return error;
  }
  throw new Error("not refused");
}

/** What a refusal says, its session id left out (each runner counts its own). */
function said(error: SessionError) {
  const { session: _, ...details } = error.details;
  return { code: error.code, message: error.message.replace(/'s\d+'/, "'s?'"), details };
}

Deno.test({
  name: "PipelineRunner refuses parameters before it takes an isolate, as the isolate would",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // The same processors under another URL: the runner does not know them, its isolate checks.
    const isolate = new PipelineRunner({ registries: [`${BUILTIN}?in-the-isolate`] });
    const early = new PipelineRunner({ registries: [BUILTIN], ...KEEP_POOL });
    const given = new PipelineRunner({
      registries: [`${BUILTIN}?given`],
      processors: builtinRegistry,
      ...KEEP_POOL,
    });
    try {
      const cases: [string, Record<string, unknown>, string][] = [
        ["an unknown name", { gian: 2 }, "unknown_parameter"],
        ["a value out of range", { gain: 99 }, "invalid_parameter"],
        ["a value of the wrong type", { gain: "loud" }, "invalid_parameter"],
      ];
      for (const [what, parameters, code] of cases) {
        const options = { parameters } as never;
        const late = await refusal(isolate.stream(tunable(), options));
        assert.equal(late.code, code, what);
        for (const runner of [early, given]) {
          const started = performance.now();
          const streamed = await refusal(runner.stream(tunable(), options));
          const ms = performance.now() - started;
          assert.deepEqual(said(streamed), said(late), what);
          assert.match(streamed.message, /^Session 's\d+' could not start: /);
          const executed = await refusal(runner.execute(tunable(), { audio: [block] }, options));
          assert.deepEqual(said(executed), said(late), `${what} (execute)`);
          await assert.rejects(
            runner.checkParameters(tunable(), parameters as never),
            { code },
            what,
          );
          // No isolate taken from the pool (its replacement would wait 10 minutes), none started.
          assert.equal(runner.pooled, 1, what);
          assert.equal(runner.active, 0, what);
          if (runner === given) assert.ok(ms < 50, `${what}: refused in ${ms.toFixed(1)} ms`);
        }
      }
      // The session's ids are not reused by a refusal's message.
      const first = await refusal(early.stream(tunable(), { parameters: { gian: 1 } }));
      const second = await refusal(early.stream(tunable(), { parameters: { gian: 1 } }));
      assert.notEqual(first.session, second.session);
      // A manifest that does not load is the isolate's `invalid_manifest`, whatever the values.
      const broken = { ...tunable(), nodes: [{ id: "fx", type: "Gian" }] };
      const invalid = await refusal(early.stream(broken, { parameters: { nope: 1 } }));
      assert.equal(invalid.code, "invalid_manifest");
      assert.equal(early.pooled, 0); // that one did take the isolate
      // Parameters the manifest takes open the session.
      const session = await given.stream(tunable(), { parameters: { gain: 2 } });
      await session.close();
      await given.checkParameters(tunable(), { gain: 2 });
    } finally {
      await Promise.all([isolate.close(), early.close(), given.close()]);
    }
  },
});

Deno.test("checkOffer() refuses what the native acceptOffer() certainly refuses", () => {
  const offer = (lines: string[]) => lines.join("\r\n") + "\r\n";
  const head = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0"];
  const refused: [string, string, RegExp][] = [
    ["v=0 alone", "v=0\r\n", /second line must be the origin/],
    ["a line that is not SDP", "v=0\r\nnonsense\r\n", /second line must be the origin/],
    ["v=0 with more on its line", "v=0 x\r\no=- 1 1 IN IP4 1.2.3.4\r\n", /first line must be/],
    ["no media line", offer(head), /no media line/],
  ];
  for (const [what, sdp, message] of refused) {
    assert.throws(() => checkOffer(sdp), { code: "webrtc_invalid_offer", message }, what);
  }
  checkOffer(offer([...head, "m=audio 9 UDP/TLS/RTP/SAVPF 111"]));
  checkOffer(offer([...head, "m=video 9 UDP/TLS/RTP/SAVPF 96"]).replaceAll("\r\n", "\n"));
});

const TOKEN = "early-token-0123456789";

Deno.test({
  name: "serve refuses bad parameters and offers over every transport before taking an isolate",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await serveSessions({
      catalog: new Map<string, unknown>([["tunable", tunable()], ["voice", gain(2)]]),
      port: 0,
      grpcPort: 0,
      tokens: new TokenPolicy({ tokens: { [TOKEN]: ["*"] } }),
      registries: [BUILTIN],
      ...KEEP_POOL,
    });
    const Sessions = loadSessionsClient();
    const grpcClient = new Sessions(
      `127.0.0.1:${server.grpcPort}`,
      grpc.credentials.createInsecure(),
    );
    const client = connect(server.sessionsUrl, { token: TOKEN });
    try {
      // WebSocket: an open, and a unary execute.
      await assert.rejects(
        client.open("tunable", { parameters: { gian: 2 } }),
        (error) =>
          error instanceof SessionClientError && error.code === "unknown_parameter" &&
          /could not start: The pipeline has no parameter gian\. Did you mean gain\?/.test(
            error.message,
          ),
      );
      await assert.rejects(
        client.execute("tunable", { audio: [block] }, { parameters: { gain: 99 } }),
        (error) => error instanceof SessionClientError && error.code === "invalid_parameter",
      );
      // gRPC: Execute, and a Stream's open.
      const executed = await new Promise<{ status?: number; code?: string; details?: string }>(
        (resolve) =>
          grpcClient.Execute(
            {
              pipeline: "tunable",
              inputs: [{ port: "audio", frames: [audioFrame([1, 1])] }],
              parameters: toStruct({ gian: 2 }),
            },
            auth(TOKEN),
            { deadline: Date.now() + 60_000 },
            (error: grpc.ServiceError | null) =>
              resolve({
                status: error?.code,
                code: codeOf(error?.metadata),
                details: error?.details,
              }),
          ),
      );
      assert.equal(executed.status, grpc.status.INVALID_ARGUMENT);
      assert.equal(executed.code, "unknown_parameter");
      assert.match(executed.details ?? "", /Its parameters: gain$/);
      const call = grpcClient.Stream(auth(TOKEN));
      call.on("data", () => {});
      call.on("error", () => {});
      const status = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
      call.write({ open: { pipeline: "tunable", parameters: toStruct({ gain: -1 }) } });
      const streamed = await status;
      assert.equal(codeOf(streamed.metadata), "invalid_parameter");
      // WebRTC: an offer's ?parameters=, and offers acceptOffer() would refuse.
      const post = async (path: string, body: string) => {
        const response = await fetch(`${server.webrtcUrl}/${path}`, {
          method: "POST",
          headers: { "content-type": "application/sdp", authorization: `Bearer ${TOKEN}` },
          body,
        });
        return { status: response.status, ...(await response.json()).error };
      };
      const sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
      const query = `tunable?parameters=${encodeURIComponent('{"gian":2}')}`;
      const unknown = await post(query, sdp);
      assert.deepEqual([unknown.status, unknown.code], [422, "unknown_parameter"]);
      assert.deepEqual(unknown.details.available, ["gain"]);
      for (const body of ["v=0\r\n", "v=0\r\nnonsense\r\n", sdp]) {
        const started = performance.now();
        const bad = await post("voice", body);
        const ms = performance.now() - started;
        assert.deepEqual([bad.status, bad.code], [400, "webrtc_invalid_offer"], body);
        assert.ok(ms < 100, `${JSON.stringify(body)} refused in ${ms.toFixed(1)} ms`);
      }
      // None took the pooled isolate (its replacement would wait 10 minutes) or started one.
      assert.equal(server.runner.pooled, 1);
      assert.equal(server.runner.active, 0);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^streamlib_sessions_failed_total\{code="webrtc_invalid_offer"\} 3$/m);
    } finally {
      grpcClient.close();
      await server.close();
    }
  },
});
