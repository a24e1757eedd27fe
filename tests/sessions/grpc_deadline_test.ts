/**
 * A call ended at its own deadline counts as `grpc_deadline_exceeded` whichever side ends it: a
 * gRPC client resets the call at its deadline (an HTTP/2 `RST_STREAM`), about when the server's
 * timer for it fires, and such a reset arriving first counted as `client_disconnected`. A cancel
 * well before the deadline is still `client_disconnected`.
 *
 * @module
 */

import assert from "node:assert/strict";
import http2 from "node:http2";
import { Buffer } from "node:buffer";
import type { GrpcCallEnding } from "../../sessions/grpc/mod.ts";
import { DEADLINE_SLACK_MS } from "../../sessions/grpc/_intake.ts";
import { eventually, loadSessionsClient, serve, TOKEN } from "./grpc_harness.ts";

// deno-lint-ignore no-explicit-any
const service = (loadSessionsClient() as any).service;

/** An open `Stream` request as a gRPC length-prefixed message. */
function openMessage(): Uint8Array {
  const bytes: Uint8Array = service.Stream.requestSerialize({ open: { pipeline: "gain" } });
  const out = new Uint8Array(5 + bytes.byteLength);
  new DataView(out.buffer).setUint32(1, bytes.byteLength);
  out.set(bytes, 5);
  return out;
}

Deno.test("serveGrpc() counts a reset at the call's deadline as grpc_deadline_exceeded, an early cancel as client_disconnected", async () => {
  const endings: GrpcCallEnding[] = [];
  const served = await serve({}, { onEnded: (ending) => endings.push(ending) });
  const session = http2.connect(`http://${served.address}`);
  session.on("error", () => {});
  try {
    /** A Stream with a deadline of `timeoutMs`, reset by the client (CANCEL) after `resetMs`. */
    const call = async (timeoutMs: number, resetMs: number) => {
      const request = session.request({
        ":method": "POST",
        ":path": "/streamlib.sessions.v1.Sessions/Stream",
        "content-type": "application/grpc",
        te: "trailers",
        "grpc-timeout": `${timeoutMs}m`,
        authorization: `Bearer ${TOKEN}`,
      });
      request.on("error", () => {});
      request.on("data", () => {});
      request.write(Buffer.from(openMessage()));
      await new Promise((resolve) => setTimeout(resolve, resetMs));
      request.close(http2.constants.NGHTTP2_CANCEL);
    };
    // As a client library does at its deadline: the reset lands just before the server's timer.
    await call(1_000, 1_000 - DEADLINE_SLACK_MS / 2);
    await eventually(() => endings.length === 1);
    await call(5_000, 300);
    await eventually(() => endings.length === 2);
    assert.deepEqual(endings.map((e) => e.code), ["grpc_deadline_exceeded", "client_disconnected"]);
    assert.ok(endings.every((e) => e.session !== undefined));
    await eventually(() => served.runner.active === 0);
  } finally {
    session.destroy();
    await served.close();
  }
});
