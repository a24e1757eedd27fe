/**
 * End to end: what a hostile gRPC peer gets: a client that never reads holds `close()` no longer
 * than its grace period; bodies it cannot decompress, or compressed without saying how, are its
 * fault (`grpc_invalid_message`); a method other than POST is refused; every ending it is told a
 * code of is counted with that code; frame metadata is bounded as on the wire format.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { SessionInfo } from "../../sessions/mod.ts";
import { audioFrame, loadSessionsClient, serve, type Served } from "./grpc_harness.ts";

const STREAM_PATH = "/streamlib.sessions.v1.Sessions/Stream";
const TOKEN = "s3cret";

// deno-lint-ignore no-explicit-any
const service = (loadSessionsClient() as any).service;

/** A `StreamRequest` as its protobuf bytes. */
function streamRequest(message: unknown): Uint8Array {
  return service.Stream.requestSerialize(message);
}

/** A gRPC length-prefixed message: its flag, its length, its bytes. */
function lengthPrefixed(bytes: Uint8Array, flag = 0): Uint8Array {
  const out = new Uint8Array(5 + bytes.byteLength);
  out[0] = flag;
  new DataView(out.buffer).setUint32(1, bytes.byteLength);
  out.set(bytes, 5);
  return out;
}

/** An HTTP/2 frame: its length, type, flags, stream, payload. */
function h2Frame(type: number, flags: number, stream: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.byteLength << 8);
  out[3] = type;
  out[4] = flags;
  view.setUint32(5, stream);
  out.set(payload, 9);
  return out;
}

/** Header fields as HPACK literals without indexing (names and values under 127 bytes). */
function hpack(headers: Record<string, string>): Uint8Array {
  const bytes: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const [n, v] = [new TextEncoder().encode(name), new TextEncoder().encode(value)];
    bytes.push(0, n.byteLength, ...n, v.byteLength, ...v);
  }
  return new Uint8Array(bytes);
}

/**
 * A client that never reads, written byte by byte: an HTTP/2 connection whose stream window is 0
 * (the server can send it nothing but headers), a `Stream` call with its open and `frames` audio
 * frames, and not one byte read back.
 */
async function neverReader(served: Served, frames: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: served.server.port });
  const parts = [
    new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    h2Frame(4, 0, 0, new Uint8Array([0, 4, 0, 0, 0, 0])), // SETTINGS_INITIAL_WINDOW_SIZE 0
    h2Frame(
      1,
      4,
      1,
      hpack({
        ":method": "POST",
        ":scheme": "http",
        ":path": STREAM_PATH,
        ":authority": "127.0.0.1",
        "content-type": "application/grpc",
        te: "trailers",
        authorization: `Bearer ${TOKEN}`,
      }),
    ),
    h2Frame(0, 0, 1, lengthPrefixed(streamRequest({ open: { pipeline: "gain" } }))),
  ];
  const frame = streamRequest({
    frame: { port: "audio", frame: audioFrame(new Array(640).fill(0.1)) },
  });
  for (let i = 0; i < frames; i++) parts.push(h2Frame(0, 0, 1, lengthPrefixed(frame)));
  for (const part of parts) {
    for (let at = 0; at < part.byteLength;) at += await conn.write(part.subarray(at));
  }
  return conn;
}

Deno.test("serveGrpc() close() with a client that never reads takes its grace period, not two", async () => {
  const served = await serve();
  const conn = await neverReader(served, 20);
  try {
    // Its frames go through the graph; the outputs fill the call's buffer and wait.
    let info: SessionInfo | undefined;
    const until = Date.now() + 60_000;
    while (!(info && info.framesIn === 20 && info.framesOut > 0) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      [info] = await served.runner.list();
    }
    assert.equal(info?.framesIn, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const start = performance.now();
    await served.server.close({ graceMs: 1_500 });
    const ms = performance.now() - start;
    // Before: the calls' grace, then a second one for the connections (3 s and more).
    assert.ok(ms < 2_700, `close() took ${ms.toFixed(0)} ms with a grace of 1500 ms`);
    assert.ok(ms >= 1_400, `close() took ${ms.toFixed(0)} ms with a grace of 1500 ms`);
  } finally {
    conn.close();
    await served.close();
  }
});
