/**
 * End to end: what a hostile gRPC peer gets: a client that never reads holds `close()` no longer
 * than its grace period; bodies it cannot decompress, or compressed without saying how, are its
 * fault (`grpc_invalid_message`); a method other than POST is refused; every ending it is told a
 * code of is counted with that code; frame metadata is bounded as on the wire format.
 *
 * @module
 */

import assert from "node:assert/strict";
import http2 from "node:http2";
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
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

/** What a raw HTTP/2 call was answered: its headers and trailers, merged. */
interface RawAnswer {
  readonly headers: Record<string, unknown>;
}

/** Sends one raw HTTP/2 request to the server and reads its answer in full. */
async function rawCall(
  served: Served,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<RawAnswer> {
  const session = http2.connect(`http://${served.address}`);
  session.on("error", () => {});
  try {
    const request = session.request({
      ":method": "POST",
      ":path": STREAM_PATH,
      "content-type": "application/grpc",
      te: "trailers",
      authorization: `Bearer ${TOKEN}`,
      ...headers,
    });
    const all: Record<string, unknown> = {};
    request.on("response", (h) => Object.assign(all, h));
    request.on("trailers", (h) => Object.assign(all, h));
    if (body === undefined) request.end();
    else request.end(Buffer.from(body));
    request.on("data", () => {});
    await new Promise<void>((resolve) => request.on("close", resolve));
    return { headers: all };
  } finally {
    session.close();
  }
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

Deno.test("serveGrpc() refuses a body that does not decompress, or is compressed unsaid, as the caller's fault", async () => {
  const served = await serve();
  try {
    const open = streamRequest({ open: { pipeline: "gain" } });
    const cases: [string, Record<string, string>, Uint8Array, number][] = [
      // Before: INTERNAL, internal_error ("Failed to decompress message").
      ["gzip, not gzip", { "grpc-encoding": "gzip" }, lengthPrefixed(open, 1), 3],
      // Before: UNIMPLEMENTED, internal_error.
      ["bogus", { "grpc-encoding": "bogus" }, lengthPrefixed(open, 1), 12],
      // Before: taken as if uncompressed.
      ["flag, no encoding", {}, lengthPrefixed(open, 1), 13],
      ["flag 7", {}, lengthPrefixed(open, 7), 13],
    ];
    for (const [label, headers, body, status] of cases) {
      const { headers: answer } = await rawCall(served, headers, body);
      assert.equal(answer["grpc-status"], String(status), label);
      assert.equal(answer["streamlib-code"], "grpc_invalid_message", label);
    }
    const bogus = await rawCall(served, { "grpc-encoding": "bogus" }, lengthPrefixed(open, 1));
    assert.equal(bogus.headers["grpc-accept-encoding"], "identity,deflate,gzip");
    // A body gzip-compressed as its header says is served.
    const gzip = await rawCall(
      served,
      { "grpc-encoding": "gzip" },
      lengthPrefixed(new Uint8Array(gzipSync(open)), 1),
    );
    assert.equal(gzip.headers["grpc-status"], "0");
    assert.equal(served.runner.active, 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() answers a GET with 405, INVALID_ARGUMENT, method_not_allowed", async () => {
  const served = await serve();
  try {
    // Before: served as a call (a Stream without its open: grpc_invalid_message).
    const { headers } = await rawCall(served, { ":method": "GET" });
    assert.equal(headers[":status"], 405);
    assert.equal(headers["grpc-status"], "3");
    assert.equal(headers["streamlib-code"], "method_not_allowed");
    assert.equal(served.runner.active, 0);
  } finally {
    await served.close();
  }
});
