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
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { SessionInfo } from "../../sessions/mod.ts";
import type { GrpcCallEnding } from "../../sessions/grpc/mod.ts";
import { WIRE_LIMITS } from "../../sessions/wire/format.ts";
import { loadCatalog, serveSessions, TokenPolicy } from "../../serve/mod.ts";
import { gain } from "./ws_helpers.ts";
import {
  audioFrame,
  auth,
  execute,
  loadSessionsClient,
  serve,
  type Served,
  stream,
} from "./grpc_harness.ts";

const STREAM_PATH = "/streamlib.sessions.v1.Sessions/Stream";
const TOKEN = "s3cret";
const SERVE_TOKEN = "ops-0123456789abcdef";

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

/**
 * Sends one raw HTTP/2 request to the server (and half-closes unless `end` is false), and reads
 * its answer until its status.
 */
async function rawCall(
  served: Served,
  headers: Record<string, string>,
  body?: Uint8Array,
  end = true,
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
    const done = new Promise<void>((resolve) => {
      request.on("response", (h) => {
        Object.assign(all, h);
        if (h["grpc-status"] !== undefined) resolve(); // trailers-only
      });
      request.on("trailers", (h) => {
        Object.assign(all, h);
        resolve();
      });
      request.on("close", resolve);
    });
    request.on("error", () => {});
    request.on("data", () => {});
    if (body === undefined) request.end();
    else if (end) request.end(Buffer.from(body));
    else request.write(Buffer.from(body));
    await done;
    request.destroy();
    return { headers: all };
  } finally {
    session.destroy();
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
  const endings: GrpcCallEnding[] = [];
  const served = await serve({}, { onEnded: (ending) => endings.push(ending) });
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
    // Told with the code the server ended it with, not grpc-js's INTERNAL for the write the cut
    // connection failed (which was the session's end in the log: internal_error).
    assert.deepEqual(endings, [{ code: "server_shutting_down", session: info!.id }]);
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

Deno.test("streamlib serve counts and logs every gRPC ending with the code its client was sent", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_grpc_endings_" });
  await Deno.writeTextFile(join(dir, "gain.json"), JSON.stringify(gain(2)));
  const ended: [string, string][] = [];
  const server = await serveSessions({
    catalog: await loadCatalog(dir),
    port: 0,
    grpcPort: 0,
    tokens: new TokenPolicy({ tokens: { [SERVE_TOKEN]: ["*"] } }),
    drainMs: 500,
    observe: (transport) => ({ ended: (_session, code) => ended.push([transport, code]) }),
  });
  const Sessions = loadSessionsClient();
  const client = new Sessions(`127.0.0.1:${server.grpcPort}`, grpc.credentials.createInsecure());
  const served = { client, address: `127.0.0.1:${server.grpcPort}` } as unknown as Served;
  const served2 = { server: { port: server.grpcPort! }, address: served.address } as Served;
  const bearer = { authorization: `Bearer ${SERVE_TOKEN}` };
  try {
    const codes: (string | undefined)[] = [];
    // No open first; an empty message first; a second open (a session ended by it).
    for (
      const requests of [
        [{ frame: { port: "audio", frame: audioFrame([1, 1]) } }],
        [{}],
        [{ open: { pipeline: "gain" } }, { open: { pipeline: "gain" } }],
      ]
    ) {
      const call = stream(served, auth(SERVE_TOKEN));
      for (const request of requests) call.call.write(request);
      codes.push((await call.status).streamlibCode);
    }
    // Bytes that do not decode, or do not decompress (grpc-js's own refusal).
    codes.push(
      (await rawCall(served2, bearer, lengthPrefixed(new Uint8Array([0x0f])))).headers[
        "streamlib-code"
      ] as string,
      (await rawCall(
        served2,
        { ...bearer, "grpc-encoding": "gzip" },
        lengthPrefixed(new Uint8Array(9), 1),
      ))
        .headers["streamlib-code"] as string,
    );
    assert.deepEqual(codes, new Array(5).fill("grpc_invalid_message"));
    // A session past its call's deadline (grpc-js's own status), the client waiting for it.
    const late = await rawCall(
      served2,
      { ...bearer, "grpc-timeout": "1500m" },
      lengthPrefixed(streamRequest({ open: { pipeline: "gain" } })),
      false,
    );
    assert.equal(late.headers["streamlib-code"], "grpc_deadline_exceeded");
    // A session the server's stop ends.
    const open = stream(served, auth(SERVE_TOKEN));
    open.call.write({ open: { pipeline: "gain" } });
    await open.received(1);
    const closing = server.close();
    const shut = await open.status;
    assert.equal(shut.streamlibCode, "server_shutting_down");
    await closing;
    const metrics = server.metrics.render();
    // Before: most were not counted, nor the deadline, nor the shutdown.
    assert.match(metrics, /^streamlib_sessions_failed_total\{code="grpc_invalid_message"\} 5$/m);
    assert.match(metrics, /^streamlib_sessions_failed_total\{code="grpc_deadline_exceeded"\} 1$/m);
    assert.match(metrics, /^streamlib_sessions_failed_total\{code="server_shutting_down"\} 1$/m);
    assert.match(metrics, /^streamlib_sessions_active 0$/m);
    assert.deepEqual(ended, [
      ["grpc", "grpc_invalid_message"],
      ["grpc", "grpc_deadline_exceeded"],
      ["grpc", "server_shutting_down"],
    ]);
  } finally {
    client.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serveGrpc() bounds frame metadata as the wire format does: wire_too_large", async () => {
  const served = await serve();
  const { metadataEntries, metadataKeyBytes, metadataValueBytes } = WIRE_LIMITS;
  const many = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
  try {
    const call = stream(served);
    call.call.write({ open: { pipeline: "gain" } });
    const over = [
      many(metadataEntries + 1),
      { ["k".repeat(metadataKeyBytes + 1)]: "v" },
      { k: "é".repeat(metadataValueBytes / 2 + 1) }, // 2 bytes a character
    ];
    // Before: taken, however many and however large.
    for (const metadata of over) {
      call.call.write({ frame: { port: "audio", frame: audioFrame([1, 1], { metadata }) } });
    }
    const atLimits = {
      ...many(metadataEntries - 1),
      ["k".repeat(metadataKeyBytes)]: "v".repeat(metadataValueBytes),
    };
    call.call.write({
      frame: { port: "audio", frame: audioFrame([1, 1], { seq: 7, metadata: atLimits }) },
    });
    call.call.end();
    const status = await call.status;
    assert.equal(status.code, grpc.status.OK);
    const errors = call.responses.filter((r) => r.error).map((r) => r.error);
    assert.deepEqual(errors.map((e) => [e.code, e.index]), [
      ["wire_too_large", 0],
      ["wire_too_large", 1],
      ["wire_too_large", 2],
    ]);
    assert.match(errors[0].message, /65 entries, over the limit of 64/);
    // The session went on: the frame at the limits came back with its metadata.
    const frames = call.responses.filter((r) => r.frame).map((r) => r.frame.frame);
    assert.equal(frames.length, 1);
    assert.equal(Number(frames[0].seq), 7);
    assert.deepEqual(frames[0].metadata, atLimits);
    const unary = await execute(served, {
      pipeline: "gain",
      inputs: [{ port: "audio", frames: [audioFrame([1, 1], { metadata: over[0] })] }],
    });
    assert.equal(unary.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(unary.code, "wire_too_large");
  } finally {
    await served.close();
  }
});
