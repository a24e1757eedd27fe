/**
 * End to end: the gRPC transport of pipeline sessions (`sessions/grpc/`) on a real port, called
 * by a grpc-js client: unary Execute through a Gain, a bidirectional Stream with seq and
 * metadata end to end, and a graceful close.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import {
  audioFrame,
  auth,
  eventually,
  execute,
  f32,
  samplesOf,
  serve,
  stream,
  toStruct,
} from "./grpc_harness.ts";

Deno.test("serveGrpc() Execute runs audio through a Gain with seq and metadata", async () => {
  const served = await serve();
  try {
    const frames = Array.from(
      { length: 20 },
      (_, i) => audioFrame([0.25, -0.25, 0.125, 0], { seq: 100 + i, metadata: { n: String(i) } }),
    );
    const { response, error } = await execute(served, {
      pipeline: "gain",
      inputs: [{ port: "audio", frames }],
    });
    assert.equal(error, undefined, String(error));
    assert.match(response.sessionId, /^s\d+$/);
    assert.equal(response.outputs.length, 1);
    assert.equal(response.outputs[0].port, "audio");
    const out = response.outputs[0].frames;
    assert.equal(out.length, 20);
    assert.deepEqual(samplesOf(out[0].audio.samplesF32le), [0.5, -0.5, 0.25, 0]);
    assert.deepEqual(out.map((f: { seq: number }) => f.seq), frames.map((f) => f.seq));
    assert.deepEqual(
      out.map((f: { metadata: Record<string, string> }) => f.metadata.n),
      frames.map((f) => f.metadata?.n),
    );
    assert.equal(out[0].audio.channels, 2);
    assert.equal(out[0].audio.sampleRate, 16_000);
    assert.equal(served.runner.active, 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() Stream carries seq and metadata end to end, then ends with OK", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "half", metadata: { client: "test" } } });
    const [accepted] = await s.received(1);
    assert.equal(accepted.message, "accepted");
    assert.deepEqual(accepted.accepted.inputs, [{ name: "audio", type: "AudioFrame<2>" }]);
    assert.deepEqual(accepted.accepted.outputs, [{ name: "audio", type: "AudioFrame<2>" }]);
    assert.equal(accepted.accepted.maxMessageBytes, served.runner.limits.maxMessageBytes);
    // Frames as they come: each one's output before the next is sent.
    for (let i = 0; i < 10; i++) {
      s.call.write({
        frame: {
          port: "audio",
          frame: audioFrame([1, -1], { seq: 40 + i, metadata: { chunk: String(i), lang: "en" } }),
        },
      });
      const got = await s.received(2 + i);
      const frame = got[1 + i];
      assert.equal(frame.message, "frame");
      assert.equal(frame.frame.port, "audio");
      assert.equal(frame.frame.frame.seq, 40 + i);
      assert.deepEqual(frame.frame.frame.metadata, { chunk: String(i), lang: "en" });
      assert.deepEqual(samplesOf(frame.frame.frame.audio.samplesF32le), [0.5, -0.5]);
    }
    s.call.write({ end: { port: "audio" } });
    const status = await s.status;
    assert.equal(status.code, grpc.status.OK, status.details);
    assert.deepEqual(s.responses.at(-1), { end: { port: "audio" }, message: "end" });
    await eventually(() => served.runner.active === 0 && served.server.calls === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() Stream: the client's half-close ends its inputs; seq defaults from 0", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "gain" } });
    for (let i = 0; i < 3; i++) {
      s.call.write({
        frame: {
          port: "audio",
          frame: { audio: { channels: 2, sampleRate: 8000, samplesF32le: f32([0.1, 0.2]) } },
        },
      });
    }
    s.call.end();
    const status = await s.status;
    assert.equal(status.code, grpc.status.OK, status.details);
    const frames = s.responses.filter((r) => r.message === "frame");
    assert.deepEqual(frames.map((r) => r.frame.frame.seq), [0, 1, 2]);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() takes a pipeline's parameters as a Struct on Execute and on Stream's open", async () => {
  const served = await serve();
  try {
    const inputs = [{ port: "audio", frames: [audioFrame([0.25, -0.25])] }];
    const tripled = await execute(served, {
      pipeline: "tunable",
      inputs,
      parameters: toStruct({ gain: 3 }),
    });
    assert.equal(tripled.error, undefined, String(tripled.error));
    assert.deepEqual(samplesOf(tripled.response.outputs[0].frames[0].audio.samplesF32le), [
      0.75,
      -0.75,
    ]);
    // None given: the manifest's own gain (1).
    const plain = await execute(served, { pipeline: "tunable", inputs });
    assert.deepEqual(samplesOf(plain.response.outputs[0].frames[0].audio.samplesF32le), [
      0.25,
      -0.25,
    ]);

    const s = stream(served);
    s.call.write({ open: { pipeline: "tunable", parameters: toStruct({ gain: 3 }) } });
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.5, 0.125]) } });
    s.call.end();
    const status = await s.status;
    assert.equal(status.code, grpc.status.OK, status.details);
    const frames = s.responses.filter((r) => r.message === "frame");
    assert.deepEqual(samplesOf(frames[0].frame.frame.audio.samplesF32le), [1.5, 0.375]);
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() refuses an unknown parameter or a bad value with INVALID_ARGUMENT and its code", async () => {
  const served = await serve();
  try {
    const unknown = await execute(served, {
      pipeline: "tunable",
      parameters: toStruct({ gian: 3 }),
    });
    assert.equal(unknown.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(unknown.code, "unknown_parameter");
    assert.match(
      unknown.error!.details,
      /The pipeline has no parameter gian\. Did you mean gain\? Its parameters: gain$/,
    );
    // Over Stream, the open is refused the same way.
    const s = stream(served);
    s.call.write({ open: { pipeline: "tunable", parameters: toStruct({ level: 1 }) } });
    const refused = await s.status;
    assert.equal(refused.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(refused.streamlibCode, "unknown_parameter");
    assert.match(refused.details, /Its parameters: gain$/);
    assert.deepEqual(s.responses, []);

    const cases: [string, unknown, RegExp][] = [
      ["out of range", toStruct({ gain: -1 }), /gain \(fx\.gain\) must be a number from 0 to 16/],
      ["of the wrong type", toStruct({ gain: "loud" }), /gain \(fx\.gain\) must be a number/],
      ["NaN", toStruct({ gain: NaN }), /Parameter gain holds NaN at gain/],
      ["a Value with no kind", { fields: { gain: {} } }, /Value with no kind set at gain/],
      [
        "over 64 KiB as JSON",
        toStruct({ gain: "x".repeat(70_000) }),
        /bytes as JSON, at most 65535 are taken/,
      ],
    ];
    for (const [what, parameters, message] of cases) {
      const answer = await execute(served, { pipeline: "tunable", parameters });
      assert.equal(answer.error?.code, grpc.status.INVALID_ARGUMENT, what);
      assert.equal(answer.code, "invalid_parameter", what);
      assert.match(answer.error!.details, message, what);
    }
    // The token is checked before the parameters: no one learns a pipeline's parameters.
    const stranger = await execute(
      served,
      { pipeline: "tunable", parameters: toStruct({ gian: 1 }) },
      auth("wrong"),
    );
    assert.equal(stranger.code, "invalid_token");
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() Stream takes video, encoded video and data frames on an input of any kind", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "sink" } });
    const [accepted] = await s.received(1);
    assert.deepEqual(accepted.accepted.inputs, [{ name: "any", type: "Frame" }]);
    assert.deepEqual(accepted.accepted.outputs ?? [], []); // an empty repeated field is left out
    const frames = [
      { video: { width: 2, height: 2, format: "PIXEL_FORMAT_RGBA", data: new Uint8Array(16) } },
      { video: { width: 2, height: 2, format: "PIXEL_FORMAT_I420", data: new Uint8Array(6) } },
      {
        encoded: {
          codec: "VIDEO_CODEC_H264",
          keyframe: true,
          data: new Uint8Array([0, 0, 1, 0x65]),
        },
      },
      { data: { json: '{"speaking":true}' }, metadata: { kind: "event" } },
      audioFrame([0.5, 0.5]),
      { data: { json: "{" } }, // refused: not JSON
    ];
    for (const frame of frames) s.call.write({ frame: { port: "any", frame } });
    s.call.write({ end: { port: "any" } });
    const status = await s.status;
    assert.equal(status.code, grpc.status.OK, status.details);
    // Every frame was taken but the last, refused in the stream before the status.
    assert.deepEqual(s.responses.map((r) => r.message), ["accepted", "error"]);
    assert.equal(s.responses[1].error.code, "app_frame_mismatch");
    assert.equal(s.responses[1].error.index, 5);
  } finally {
    await served.close();
  }
});

Deno.test("GrpcServer.close() ends open streams with UNAVAILABLE and server_shutting_down", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "gain" } });
    await s.received(1);
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.25, 0.25], { seq: 5 }) } });
    await s.received(2);
    await served.server.close({ graceMs: 2_000 });
    const status = await s.status;
    assert.equal(status.code, grpc.status.UNAVAILABLE);
    assert.equal(status.streamlibCode, "server_shutting_down");
    assert.equal(s.responses[1].frame.frame.seq, 5);
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("GrpcServer.close() ends an Execute that does not finish in the grace period with UNAVAILABLE", async () => {
  const served = await serve();
  try {
    const answer = execute(served, {
      pipeline: "hanger",
      inputs: [{ port: "audio", frames: [audioFrame([1, 1])] }],
    });
    await eventually(() => served.runner.active === 1);
    await served.server.close({ graceMs: 1_000 });
    const { error, code } = await answer;
    assert.equal(error?.code, grpc.status.UNAVAILABLE);
    assert.equal(code, "server_shutting_down");
    // A session still starting when the grace ran out is closed as soon as it starts.
    await eventually(() => served.runner.active === 0, 60_000);
  } finally {
    await served.close();
  }
});
