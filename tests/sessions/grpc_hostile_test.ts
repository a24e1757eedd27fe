/**
 * End to end: the gRPC transport refuses bad input with a status and a streamlib code, and
 * frees what a session held: unknown pipelines, bad tokens, frames of the wrong kind or shape,
 * oversized messages, too many sessions, bytes that are not a message, messages out of order,
 * a client that cancels, a client that never reads, a processor that throws, parameters nested a
 * hundred thousand levels deep.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import {
  audioFrame,
  auth,
  codeOf,
  eventually,
  execute,
  f32,
  serve,
  stream,
} from "./grpc_harness.ts";
import { findPipeline } from "../../serve/catalog.ts";

const gainRequest = { pipeline: "gain", inputs: [{ port: "audio", frames: [audioFrame([1, 1])] }] };

Deno.test("serveGrpc() refuses an unknown pipeline with NOT_FOUND, pipeline_not_found", async () => {
  const served = await serve();
  try {
    const unary = await execute(served, { ...gainRequest, pipeline: "nope" });
    assert.equal(unary.error?.code, grpc.status.NOT_FOUND);
    assert.equal(unary.code, "pipeline_not_found");
    assert.match(unary.error!.details, /'nope'/);
    const s = stream(served);
    s.call.write({ open: { pipeline: "nope" } });
    const status = await s.status;
    assert.equal(status.code, grpc.status.NOT_FOUND);
    assert.equal(status.streamlibCode, "pipeline_not_found");
    assert.equal(served.runner.active, 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() refuses a missing or wrong token and a pipeline the token does not open", async () => {
  const served = await serve();
  try {
    const none = await execute(served, gainRequest, new grpc.Metadata());
    assert.equal(none.error?.code, grpc.status.UNAUTHENTICATED);
    assert.equal(none.code, "missing_token");
    const wrong = await execute(served, gainRequest, auth("guess"));
    assert.equal(wrong.error?.code, grpc.status.UNAUTHENTICATED);
    assert.equal(wrong.code, "invalid_token");
    // A wrong token learns nothing of which names exist.
    const unknown = await execute(served, { ...gainRequest, pipeline: "nope" }, auth("guess"));
    assert.equal(unknown.code, "invalid_token");
    const forbidden = await execute(served, { ...gainRequest, pipeline: "forbidden" });
    assert.equal(forbidden.error?.code, grpc.status.PERMISSION_DENIED);
    assert.equal(forbidden.code, "pipeline_not_allowed");
    const s = stream(served, auth("guess"));
    s.call.write({ open: { pipeline: "gain" } });
    const status = await s.status;
    assert.equal(status.code, grpc.status.UNAUTHENTICATED);
    assert.equal(status.streamlibCode, "invalid_token");
    assert.equal(served.runner.active, 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() reads authorization as the HTTP routes do: a credential that is no bearer token is invalid_token", async () => {
  const served = await serve();
  try {
    const withAuth = (...values: string[]) => {
      const metadata = new grpc.Metadata();
      for (const value of values) metadata.add("authorization", value);
      return metadata;
    };
    const bare = await execute(served, gainRequest, withAuth("Bearer"));
    assert.equal(bare.code, "missing_token");
    for (const metadata of [withAuth("Basic dXNlcjpwYXNz"), withAuth("Bearer a b")]) {
      const refused = await execute(served, gainRequest, metadata);
      assert.equal(refused.error?.code, grpc.status.UNAUTHENTICATED);
      assert.equal(refused.code, "invalid_token");
      assert.match(refused.error!.details, /send 'Authorization: Bearer <token>'/);
    }
    assert.equal(served.runner.active, 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() Stream answers a frame of the wrong kind or shape in the stream and goes on", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "gain" } });
    await s.received(1);
    const bad = [
      { data: { json: '{"a":1}' } }, // a data frame into an audio input
      { audio: { channels: 1, sampleRate: 16_000, samplesF32le: f32([1, 2, 3]) } }, // mono
      { audio: { channels: 2, sampleRate: 16_000, samplesF32le: new Uint8Array(7) } }, // 7 bytes
      { data: { json: "{not json" } },
      {}, // no kind
    ];
    for (const frame of bad) s.call.write({ frame: { port: "audio", frame } });
    s.call.write({ frame: { port: "nope", frame: audioFrame([1, 1]) } });
    s.call.write({ end: { port: "nope" } });
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.25, 0.25], { seq: 9 }) } });
    await s.received(9);
    // Refused in this process or in the session's isolate: each error says which frame.
    const errors = s.responses.filter((r) => r.message === "error").map((r) => r.error)
      .sort((a, b) => a.port.localeCompare(b.port) || a.index - b.index);
    assert.deepEqual(errors.map((e) => e.code), [
      "app_frame_mismatch",
      "app_frame_mismatch",
      "app_frame_mismatch",
      "app_frame_mismatch",
      "app_frame_mismatch",
      "app_port_not_found",
      "app_port_not_found",
    ]);
    assert.deepEqual(errors.slice(0, 5).map((e) => e.index), [0, 1, 2, 3, 4]);
    assert.equal(errors[5].port, "nope");
    assert.ok(errors.slice(5).some((e) => /available inputs: audio/.test(e.message)));
    const frames = s.responses.filter((r) => r.message === "frame");
    assert.equal(frames.length, 1);
    assert.equal(frames[0].frame.frame.seq, 9);
    s.call.end();
    assert.equal((await s.status).code, grpc.status.OK);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() Execute refuses a frame of the wrong shape with INVALID_ARGUMENT", async () => {
  const served = await serve();
  try {
    const mono = { audio: { channels: 1, sampleRate: 16_000, samplesF32le: f32([1]) } };
    const shape = await execute(served, {
      pipeline: "gain",
      inputs: [{ port: "audio", frames: [mono] }],
    });
    assert.equal(shape.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(shape.code, "app_frame_mismatch");
    const twice = await execute(served, {
      pipeline: "gain",
      inputs: [{ port: "audio", frames: [] }, { port: "audio", frames: [] }],
    });
    assert.equal(twice.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(twice.code, "grpc_invalid_message");
    const port = await execute(served, {
      pipeline: "gain",
      inputs: [{ port: "nope", frames: [audioFrame([1, 1])] }],
    });
    assert.equal(port.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(port.code, "app_port_not_found");
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() refuses an oversized message: in the stream under the envelope, RESOURCE_EXHAUSTED over it", async () => {
  const served = await serve({ maxMessageBytes: 64 * 1024 });
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "gain" } });
    await s.received(1);
    // 80 KiB of samples: over maxMessageBytes, under it plus the 64 KiB envelope.
    s.call.write({
      frame: { port: "audio", frame: audioFrame(new Array(20 * 1024).fill(0.5)) },
    });
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.5, 0.5]) } });
    await s.received(3);
    assert.equal(s.responses[1].error.code, "message_too_large");
    assert.equal(s.responses[2].message, "frame");
    // 256 KiB: grpc-js refuses the message itself; the call ends.
    s.call.write({
      frame: { port: "audio", frame: audioFrame(new Array(64 * 1024).fill(0.5)) },
    });
    const status = await s.status;
    assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(status.streamlibCode, "message_too_large");
    const unary = await execute(served, {
      pipeline: "gain",
      inputs: [{ port: "audio", frames: [audioFrame(new Array(64 * 1024).fill(0.5))] }],
    });
    assert.equal(unary.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(unary.code, "message_too_large");
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() refuses sessions past maxSessions with RESOURCE_EXHAUSTED", async () => {
  const served = await serve({ maxSessions: 2 });
  try {
    const open = [stream(served), stream(served)];
    for (const s of open) s.call.write({ open: { pipeline: "gain" } });
    await Promise.all(open.map((s) => s.received(1)));
    const extra = Array.from({ length: 5 }, () => stream(served));
    for (const s of extra) s.call.write({ open: { pipeline: "gain" } });
    for (const s of extra) {
      const status = await s.status;
      assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.equal(status.streamlibCode, "session_limit_reached");
    }
    const unary = await execute(served, gainRequest);
    assert.equal(unary.code, "session_limit_reached");
    for (const s of open) s.call.end();
    for (const s of open) assert.equal((await s.status).code, grpc.status.OK);
    await eventually(() => served.runner.active === 0);
    assert.equal((await execute(served, gainRequest)).error, undefined); // room again
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() takes maxSessions of 200 streams opened at once and refuses the rest", async () => {
  const served = await serve({ maxSessions: 4 });
  try {
    const calls = Array.from({ length: 200 }, () => stream(served));
    for (const s of calls) s.call.write({ open: { pipeline: "gain" } });
    // Each call either is accepted or ends with a status.
    const outcome = await Promise.all(calls.map(async (s) => {
      const first = await Promise.race([s.received(1).then((r) => r[0]), s.status]);
      return first && "message" in first ? "accepted" : (await s.status).streamlibCode;
    }));
    assert.equal(outcome.filter((o) => o === "accepted").length, 4);
    assert.equal(outcome.filter((o) => o === "session_limit_reached").length, 196);
    for (const [i, s] of calls.entries()) if (outcome[i] === "accepted") s.call.end();
    await eventually(() => served.runner.active === 0 && served.server.calls === 0, 60_000);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() answers bytes that are not a message, and messages out of order, with INVALID_ARGUMENT", async () => {
  const served = await serve();
  const raw = new grpc.Client(served.address, grpc.credentials.createInsecure());
  try {
    const garbage = await new Promise<grpc.ServiceError>((resolve) =>
      raw.makeUnaryRequest(
        "/streamlib.sessions.v1.Sessions/Execute",
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        new Uint8Array([0x0f]), // field 1 of wire type 7: there is no such type
        auth(),
        (error) => resolve(error!),
      )
    );
    assert.equal(garbage.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(codeOf(garbage.metadata), "grpc_invalid_message");
    const first = stream(served);
    first.call.write({ frame: { port: "audio", frame: audioFrame([1, 1]) } });
    const s1 = await first.status;
    assert.equal(s1.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(s1.streamlibCode, "grpc_invalid_message");
    assert.match(s1.details, /first StreamRequest must be an open/);
    const twice = stream(served);
    twice.call.write({ open: { pipeline: "gain" } });
    twice.call.write({ open: { pipeline: "gain" } });
    const s2 = await twice.status;
    assert.equal(s2.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(s2.streamlibCode, "grpc_invalid_message");
    const method = await new Promise<grpc.ServiceError>((resolve) =>
      raw.makeUnaryRequest(
        "/streamlib.sessions.v1.Sessions/Nope",
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        new Uint8Array(0),
        auth(),
        (error) => resolve(error!),
      )
    );
    // grpc-js answers a method the service lacks before any call exists: no streamlib-code.
    assert.equal(method.code, grpc.status.UNIMPLEMENTED);
    await eventually(() => served.runner.active === 0);
  } finally {
    raw.close();
    await served.close();
  }
});

/** A varint's bytes. */
function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n & 127) | 128);
  out.push(n);
  return out;
}

/**
 * The bytes of an `ExecuteRequest` of `pipeline` whose `parameters` nest `levels` Structs deep
 * (`{"k": {"k": ... true}}`), built inside out in one pass: each level is a prefix of the next.
 */
function deepParameters(pipeline: string, levels: number): Uint8Array {
  const prefixes: number[][] = [];
  let length = 2; // the innermost Value: bool_value (field 4) true
  for (let i = 0; i < levels; i++) {
    const entry = [0x0a, 1, 0x6b, 0x12, ...varint(length)]; // key "k", value (field 2)
    const struct = [0x0a, ...varint(entry.length + length)]; // fields (field 1)
    const inStruct = struct.length + entry.length + length;
    // A Value's struct_value (field 5), except the outermost: the request's parameters (field 3).
    const head = i === levels - 1 ? 0x1a : 0x2a;
    prefixes.push([head, ...varint(inStruct), ...struct, ...entry]);
    length = 1 + varint(inStruct).length + inStruct;
  }
  const name = new TextEncoder().encode(pipeline);
  const out = [0x0a, name.length, ...name];
  for (let i = prefixes.length - 1; i >= 0; i--) out.push(...prefixes[i]);
  out.push(0x20, 0x01);
  return new Uint8Array(out);
}

Deno.test("serveGrpc() refuses parameters nested past the decoder's limit with INVALID_ARGUMENT", async () => {
  const served = await serve();
  const raw = new grpc.Client(served.address, grpc.credentials.createInsecure());
  try {
    for (const levels of [200, 100_000]) {
      const error = await new Promise<grpc.ServiceError>((resolve) =>
        raw.makeUnaryRequest(
          "/streamlib.sessions.v1.Sessions/Execute",
          (b: Uint8Array) => Buffer.from(b),
          (b: Buffer) => b,
          deepParameters("tunable", levels),
          auth(),
          (error) => resolve(error!),
        )
      );
      assert.equal(error.code, grpc.status.INVALID_ARGUMENT, `${levels} levels`);
      assert.equal(codeOf(error.metadata), "grpc_invalid_message", `${levels} levels`);
      assert.match(error.details, /does not decode: maximum nesting depth exceeded/);
    }
    // The same bytes 3 levels deep decode: the parameters reach the pipeline.
    const shallow = await new Promise<grpc.ServiceError>((resolve) =>
      raw.makeUnaryRequest(
        "/streamlib.sessions.v1.Sessions/Execute",
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        deepParameters("tunable", 3),
        auth(),
        (error) => resolve(error!),
      )
    );
    assert.equal(codeOf(shallow.metadata), "unknown_parameter");
    assert.match(shallow.details, /no parameter k\. Its parameters: gain$/);
    await eventually(() => served.runner.active === 0);
  } finally {
    raw.close();
    await served.close();
  }
});

Deno.test("serveGrpc() ends a Stream with no open: at the half-close, or at the idle timeout", async () => {
  const served = await serve({ idleTimeoutMs: 1_500 });
  try {
    const closed = stream(served);
    closed.call.end();
    const s1 = await closed.status;
    assert.equal(s1.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(s1.streamlibCode, "grpc_invalid_message");
    const silent = stream(served);
    const s2 = await silent.status;
    assert.equal(s2.code, grpc.status.DEADLINE_EXCEEDED);
    assert.equal(s2.streamlibCode, "session_idle_timeout");
    await eventually(() => served.server.calls === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() frees a session whose client cancels mid-stream", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "gain" } });
    await s.received(1);
    for (let i = 0; i < 5; i++) {
      s.call.write({ frame: { port: "audio", frame: audioFrame([0.1, 0.1]) } });
    }
    await s.received(3);
    assert.equal(served.runner.active, 1);
    s.call.cancel();
    assert.equal((await s.status).code, grpc.status.CANCELLED);
    await eventually(() => served.runner.active === 0 && served.server.calls === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() ends a session whose processor throws with INTERNAL, session_processor_failed", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "thrower" } });
    await s.received(1);
    s.call.write({ frame: { port: "audio", frame: audioFrame([1, 1]) } });
    const status = await s.status;
    assert.equal(status.code, grpc.status.INTERNAL);
    assert.equal(status.streamlibCode, "session_processor_failed");
    const unary = await execute(served, { ...gainRequest, pipeline: "thrower" });
    assert.equal(unary.error?.code, grpc.status.INTERNAL);
    assert.equal(unary.code, "session_processor_failed");
    await eventually(() => served.runner.active === 0);
    assert.equal((await execute(served, gainRequest)).error, undefined); // the server goes on
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() ends a call past its own deadline with grpc_deadline_exceeded and frees it", async () => {
  const served = await serve();
  try {
    const answer = await new Promise<grpc.ServiceError>((resolve) =>
      served.client.Execute(
        { ...gainRequest, pipeline: "hanger" },
        auth(),
        { deadline: Date.now() + 3_000 },
        (error: grpc.ServiceError) => resolve(error),
      )
    );
    assert.equal(answer.code, grpc.status.DEADLINE_EXCEEDED);
    // The client's timer and the server's fire together: which status the client reports (its
    // own, or the server's with streamlib-code grpc_deadline_exceeded) is a race, not checked.
    await eventually(() => served.runner.active === 0 && served.server.calls === 0, 60_000);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() bounds a client that never reads: the idle timeout ends its session", async () => {
  const served = await serve({ idleTimeoutMs: 3_000 });
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "gain" } });
    await s.received(1);
    const [session] = served.runner.sessions();
    s.call.pause(); // reads nothing more
    // 256 frames of 32 KiB: far more than the windows and buffers between the graph and the socket.
    const block = audioFrame(new Array(8 * 1024).fill(0.5));
    for (let i = 0; i < 256; i++) s.call.write({ frame: { port: "audio", frame: block } });
    await eventually(() => served.runner.active === 0, 60_000);
    assert.equal(session.error?.code, "session_idle_timeout");
    // The graph took only what the windows between it and the stalled socket hold.
    assert.ok(session.counts.framesIn < 256, `took ${session.counts.framesIn} frames`);
    await eventually(() => served.server.calls === 0, 30_000);
    s.call.cancel();
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() answers a request that is not gRPC with 415, INVALID_ARGUMENT, unsupported_media_type", async () => {
  const http2 = await import("node:http2");
  const served = await serve();
  const session = http2.connect(`http://${served.address}`);
  try {
    for (const type of ["application/json", undefined]) {
      const request = session.request({
        ":method": "POST",
        ":path": "/streamlib.sessions.v1.Sessions/Execute",
        ...(type ? { "content-type": type } : {}),
      });
      request.end("{}");
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        request.on("response", resolve);
        request.on("error", reject);
      });
      let body = "";
      request.setEncoding("utf8");
      for await (const chunk of request) body += chunk;
      assert.equal(headers[":status"], 415);
      assert.equal(headers["grpc-status"], "3");
      assert.equal(headers["streamlib-code"], "unsupported_media_type");
      const { error } = JSON.parse(body);
      assert.equal(error.code, "unsupported_media_type");
      assert.match(error.message, /application\/grpc/);
    }
    assert.equal(served.runner.active, 0);
  } finally {
    session.close();
    await served.close();
  }
});

Deno.test("serveGrpc() ends a connection that sends nothing, or only the preface, after maxConnectionIdleMs", async () => {
  const served = await serve({}, { maxConnectionIdleMs: 300 });
  const [host, port] = [served.address.split(":")[0], Number(served.address.split(":")[1])];
  const conns = await Promise.all(
    ["", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"].map(async (head) => {
      const conn = await Deno.connect({ hostname: host, port });
      if (head) await conn.write(new TextEncoder().encode(head));
      return conn;
    }),
  );
  try {
    const ended = await Promise.all(conns.map(async (conn) => {
      const buffer = new Uint8Array(1024);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, 5_000, false)));
      const closed = (async () => {
        while ((await conn.read(buffer).catch(() => null)) !== null) { /* its GOAWAY */ }
        return true;
      })();
      const result = await Promise.race([closed, late]);
      clearTimeout(timer);
      return result;
    }));
    assert.deepEqual(ended, [true, true]);
    // A real client is served all the same.
    const unary = await execute(served, gainRequest);
    assert.equal(unary.error, undefined);
    assert.ok(unary.response.outputs.length > 0);
  } finally {
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    await served.close();
  }
});

Deno.test("serveGrpc(): a refusal listing thousands of pipelines keeps its code within a client's trailer limit", async () => {
  const names = Array.from({ length: 3000 }, (_, i) => `pipeline-number-${i}`);
  const catalog = new Map(names.map((n) => [n, { version: 1 }]));
  const served = await serve({}, { resolve: (name) => findPipeline(catalog, name) });
  try {
    const unary = await execute(served, { ...gainRequest, pipeline: "nope" });
    assert.equal(unary.error?.code, grpc.status.NOT_FOUND, unary.error?.details);
    assert.equal(unary.code, "pipeline_not_found");
    assert.ok(new TextEncoder().encode(unary.error!.details).byteLength <= 2048);
    assert.match(unary.error!.details, /^No pipeline 'nope', available: pipeline-number-0, /);
    assert.match(unary.error!.details, / \.\.\. \(cut: \d+ bytes, the most is 2048\)$/);
  } finally {
    await served.close();
  }
});
