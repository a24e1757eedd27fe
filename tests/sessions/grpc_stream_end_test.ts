/**
 * A `Stream` whose client ended every input: frames it still sends are answered with
 * `app_port_ended` (they were left unread, unanswered), and the call ends with `OK` once the
 * outputs did, whether or not the client half-closes.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { audioFrame, BUILTIN, eventually, PIPELINES, serve, stream } from "./grpc_harness.ts";

const SLOW = new URL("./fixtures/grpc_slow_registry.ts", import.meta.url).href;

Deno.test("serveGrpc() Stream answers a frame sent after every input ended, and ends with OK", async () => {
  const slow = {
    version: 1,
    nodes: [{ id: "fx", type: "SlowEcho" }],
    inputs: { audio: "fx.in" },
    outputs: { audio: "fx.out" },
  };
  const served = await serve({ registries: [BUILTIN, SLOW] }, {
    resolve: (name) => (name === "slow" ? slow : PIPELINES[name]),
  });
  try {
    // SlowEcho answers 400 ms after a frame: the late frame comes while the output runs.
    const s = stream(served);
    s.call.write({ open: { pipeline: "slow" } });
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.5, 0.5], { seq: 7 }) } });
    s.call.write({ end: { port: "audio" } });
    s.call.write({ frame: { port: "audio", frame: audioFrame([1, 1]) } });
    // No half-close: the call ends once the outputs did.
    const status = await s.status;
    assert.equal(status.code, grpc.status.OK, status.details);
    const kinds = s.responses.map((r) => r.message);
    assert.deepEqual(kinds, ["accepted", "error", "frame", "end"]);
    const { code, port, index } = s.responses[1].error;
    assert.deepEqual({ code, port, index: Number(index) }, {
      code: "app_port_ended",
      port: "audio",
      index: 1,
    });
    assert.equal(s.responses[2].frame.frame.seq, 7);
    await eventually(() => served.runner.active === 0 && served.server.calls === 0);
  } finally {
    await served.close();
  }
});
