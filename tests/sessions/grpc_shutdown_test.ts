/**
 * `GrpcServer.close()` (`streamlib serve` on SIGTERM) answers every call when its grace period
 * ends, with `UNAVAILABLE` and `server_shutting_down`, even while a processor is still inside
 * `process()` and the session's close waits for it; a frame sent once the stop began is refused
 * in the stream with `server_shutting_down`.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import {
  audioFrame,
  BUILTIN,
  eventually,
  execute,
  PIPELINES,
  serve,
  stream,
} from "./grpc_harness.ts";
import { SLOW_ECHO_MS } from "./fixtures/grpc_slow_registry.ts";

const SLOW = new URL("./fixtures/grpc_slow_registry.ts", import.meta.url).href;
const SLOW_PIPELINE = {
  version: 1,
  nodes: [{ id: "fx", type: "SlowEcho" }],
  inputs: { audio: "fx.in" },
  outputs: { audio: "fx.out" },
};

Deno.test("GrpcServer.close() answers Stream and Execute at the grace's end while a processor still runs", async () => {
  const served = await serve({ registries: [BUILTIN, SLOW] }, {
    resolve: (name) => (name === "slow" ? SLOW_PIPELINE : PIPELINES[name]),
  });
  try {
    const frames = 4; // one process() call of 4 x 400 ms
    const s = stream(served);
    s.call.write({ open: { pipeline: "slow" } });
    await s.received(1);
    for (let i = 0; i < frames; i++) {
      s.call.write({ frame: { port: "audio", frame: audioFrame([1, 1], { seq: i }) } });
    }
    const answer = execute(served, {
      pipeline: "slow",
      inputs: [{ port: "audio", frames: [...Array(frames)].map(() => audioFrame([1, 1])) }],
    });
    await eventually(() => served.runner.active === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const graceMs = 200;
    const start = performance.now();
    const closing = served.server.close({ graceMs });
    // A frame sent once the stop began is refused as the stop's (before: app_port_ended, as if
    // the client had ended the input).
    s.call.write({ frame: { port: "audio", frame: audioFrame([1, 1], { seq: frames }) } });
    const [status, executed] = await Promise.all([
      s.status.then((st) => ({ ...st, ms: performance.now() - start })),
      answer.then((a) => ({ ...a, ms: performance.now() - start })),
    ]);
    // Before: each status waited for the session's close, that is for process() to return
    // (about 1.6 s), and the stream's was cut with the connection (CANCELLED, no code).
    assert.equal(status.code, grpc.status.UNAVAILABLE, status.details);
    assert.equal(status.streamlibCode, "server_shutting_down");
    assert.ok(status.ms < graceMs + 600, `Stream answered after ${status.ms.toFixed(0)} ms`);
    assert.equal(executed.error?.code, grpc.status.UNAVAILABLE, executed.error?.details);
    assert.equal(executed.code, "server_shutting_down");
    assert.ok(executed.ms < graceMs + 600, `Execute answered after ${executed.ms.toFixed(0)} ms`);
    const errors = s.responses.filter((r) => r.message === "error").map((r) => r.error);
    assert.deepEqual(
      errors.map(({ code, port, index }) => ({ code, port, index: Number(index) })),
      [
        { code: "server_shutting_down", port: "audio", index: frames },
      ],
    );
    assert.match(errors[0].message, /the server is stopping/);
    // What the stream got before the status is whole and in order.
    const seqs = s.responses.filter((r) => r.message === "frame").map((r) => r.frame.frame.seq);
    assert.deepEqual(seqs, [...Array(seqs.length).keys()]);
    assert.ok(frames * SLOW_ECHO_MS > graceMs + 600);
    await closing;
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("GrpcServer.close() answers a stream whose outputs ended within the grace at once, its last write just out", async () => {
  const served = await serve({ registries: [BUILTIN, SLOW] }, {
    resolve: (name) => (name === "slow" ? SLOW_PIPELINE : PIPELINES[name]),
  });
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "slow" } });
    await s.received(1);
    for (let i = 0; i < 2; i++) {
      s.call.write({ frame: { port: "audio", frame: audioFrame([1, 1], { seq: i }) } });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const start = performance.now();
    const closing = served.server.close({ graceMs: 3_000 });
    const status = await s.status;
    const ms = performance.now() - start;
    // Before: the status was dropped (the request iterator destroyed the call on the error that
    // carried it) and the client got CANCELLED, no code, when close() cut the connection at 3 s.
    assert.equal(status.code, grpc.status.UNAVAILABLE, status.details);
    assert.equal(status.streamlibCode, "server_shutting_down");
    assert.ok(ms < 2 * SLOW_ECHO_MS + 1_000, `answered after ${ms.toFixed(0)} ms`);
    assert.deepEqual(s.responses.slice(1).map((r) => r.frame.frame.seq), [0, 1]);
    await closing;
  } finally {
    await served.close();
  }
});
