/**
 * End to end: `streamlib serve`'s gRPC side refuses as its WebSocket side does: an unknown
 * pipeline is named with the pipelines there are, a token without access says what it allows,
 * and every refused open counts in the metrics (`serveSessions({ grpcPort })`, a `@grpc/grpc-js` client from the repository's `.proto`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadCatalog, serveSessions, TokenPolicy } from "../../serve/mod.ts";
import { audioFrame, auth, codeOf, loadSessionsClient, toStruct } from "./grpc_harness.ts";
import { gain } from "./ws_helpers.ts";

/** Calls Execute; resolves with the status error's code, streamlib code and details. */
function refusal(
  // deno-lint-ignore no-explicit-any
  client: any,
  pipeline: string,
  token: string,
  parameters?: unknown,
): Promise<{ status?: grpc.status; code?: string; details?: string }> {
  const request = {
    pipeline,
    inputs: [{ port: "audio", frames: [audioFrame([1, 1])] }],
    parameters,
  };
  return new Promise((resolve) =>
    client.Execute(
      request,
      auth(token),
      { deadline: Date.now() + 60_000 },
      (error: grpc.ServiceError | null) =>
        resolve({ status: error?.code, code: codeOf(error?.metadata), details: error?.details }),
    )
  );
}

Deno.test("serve over gRPC: an unknown pipeline names those there are; a token says what it allows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_grpc_" });
  for (const [name, manifest] of Object.entries({ "voice-fx": gain(2), transcode: gain(0.5) })) {
    await Deno.writeTextFile(join(dir, `${name}.json`), JSON.stringify(manifest));
  }
  const tokens = new TokenPolicy({
    tokens: { "team-a-0123456789": ["voice-fx"], "ops-0123456789": ["*"] },
  });
  const server = await serveSessions({
    catalog: await loadCatalog(dir),
    port: 0,
    grpcPort: 0,
    tokens,
  });
  const Sessions = loadSessionsClient();
  const client = new Sessions(`127.0.0.1:${server.grpcPort}`, grpc.credentials.createInsecure());
  try {
    const unknown = await refusal(client, "voice-fz", "ops-0123456789");
    assert.equal(unknown.status, grpc.status.NOT_FOUND);
    assert.equal(unknown.code, "pipeline_not_found");
    assert.equal(
      unknown.details,
      "No pipeline 'voice-fz', did you mean voice-fx? available: transcode, voice-fx",
    );
    const forbidden = await refusal(client, "transcode", "team-a-0123456789");
    assert.equal(forbidden.status, grpc.status.PERMISSION_DENIED);
    assert.equal(forbidden.code, "pipeline_not_allowed");
    assert.equal(forbidden.details, "Cannot open 'transcode': the token allows only voice-fx");
    // A wrong token still learns nothing of the names.
    const wrong = await refusal(client, "voice-fz", "guess-0123456789");
    assert.equal(wrong.status, grpc.status.UNAUTHENTICATED);
    assert.equal(wrong.code, "invalid_token");
    assert.doesNotMatch(wrong.details ?? "", /voice-fx|transcode/);
    // A credential that is no bearer token was sent and is wrong: not missing_token with "this
    // server needs a token" (the token file's check was given no token for it).
    for (const credential of ["Basic dXNlcjpwYXNz", "Bearer a b"]) {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", credential);
      const bad = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.Execute({ pipeline: "voice-fx" }, metadata, resolve)
      );
      assert.equal(bad?.code, grpc.status.UNAUTHENTICATED);
      assert.equal(codeOf(bad?.metadata), "invalid_token", bad?.details);
      assert.match(bad?.details ?? "", /send 'Authorization: Bearer <token>'/);
    }
    // Parameters refused before the runner sees them (a Value with no kind, a NaN) count too.
    const noKind = await refusal(client, "voice-fx", "ops-0123456789", { fields: { gain: {} } });
    assert.equal(noKind.code, "invalid_parameter");
    const call = client.Stream(auth("ops-0123456789"));
    call.on("error", () => {});
    call.write({ open: { pipeline: "voice-fx", parameters: toStruct({ gain: NaN }) } });
    const status = await new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
    assert.equal(codeOf(status.metadata), "invalid_parameter");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^streamlib_sessions_failed_total\{code="invalid_parameter"\} 2$/m);
    assert.match(metrics, /^streamlib_sessions_failed_total\{code="pipeline_not_found"\} 1$/m);
    assert.match(metrics, /^streamlib_sessions_failed_total\{code="pipeline_not_allowed"\} 1$/m);
    assert.match(metrics, /^streamlib_sessions_failed_total\{code="invalid_token"\} 3$/m);
  } finally {
    client.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
