/**
 * End to end: `SessionHandler` on a real port with real WebSocket clients (Deno's, and a raw TCP
 * one that never reads or vanishes): the wire protocol, every fault of issue 33's "Bad input and
 * faults" list as a coded error, bounded memory, shutdown.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodeWireMessage } from "../../sessions/wire/mod.ts";
import { connect, SessionClientError } from "../../sessions/client/mod.ts";
import {
  block,
  DeafClient,
  eventually,
  frameBytes,
  gain,
  RawClient,
  startServer,
  through,
} from "./ws_helpers.ts";

Deno.test("SessionHandler: open, frames with seq and metadata, end, outputs, end, close", async () => {
  const server = startServer({ gain: gain(2) });
  try {
    const client = new RawClient(server.url);
    const accept = await client.open("gain");
    assert.equal(accept.type, "accept");
    if (accept.type !== "accept") return;
    assert.deepEqual(accept.inputs, [{ name: "audio", kind: "audio" }]);
    assert.deepEqual(accept.outputs, [{ name: "audio", kind: "audio" }]);
    for (let i = 0; i < 5; i++) client.send(frameBytes(10 + i, 0.25, 160, { chunk: String(i) }));
    client.send(encodeWireMessage({ type: "ping", id: 7 }));
    client.send(encodeWireMessage({ type: "end", port: "audio" }));
    await client.until("close");
    await client.closed;
    const frames = client.messages.flatMap((m) => m.type === "frame" ? [m] : []);
    assert.deepEqual(frames.map((f) => f.sequence), [10, 11, 12, 13, 14]);
    assert.deepEqual(frames.map((f) => f.metadata.chunk), ["0", "1", "2", "3", "4"]);
    assert.ok(frames[0].frame.kind === "audio" && frames[0].frame.samples[0] === 0.5);
    const pong = client.messages.find((m) => m.type === "pong");
    assert.deepEqual(pong, { type: "pong", id: 7 });
    assert.deepEqual(client.types().slice(-2), ["end", "close:"]);
    assert.deepEqual(server.recorder.events, ["started:gain", "ended:"]);
    assert.equal(server.recorder.framesIn, 5);
    assert.equal(server.recorder.framesOut, 5);
    assert.equal(server.recorder.trips, 5);
    await eventually(() => server.runner.active === 0, "the session is freed");
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: bad bytes before open end the connection with the decoder's code", async () => {
  const server = startServer({ gain: gain() });
  try {
    const cases: [Uint8Array | string, string][] = [
      [new Uint8Array([0x53, 0x4c, 1]), "wire_truncated"],
      [new Uint8Array([0x58, 0x58, 1, 1, 8, 0, 0, 0]), "wire_malformed"],
      [new Uint8Array([0x53, 0x4c, 9, 1, 8, 0, 0, 0]), "wire_version"],
      ["open please", "wire_malformed"],
      [frameBytes(0), "wire_unexpected"],
      [
        encodeWireMessage({
          type: "accept",
          sessionId: "x",
          inputs: [],
          outputs: [],
          maxMessageBytes: 1,
        }),
        "wire_unexpected",
      ],
    ];
    for (const [bytes, code] of cases) {
      const client = new RawClient(server.url);
      await client.opened;
      client.send(bytes);
      await client.until("close");
      assert.deepEqual(client.types(), [`error:${code}:fatal`, `close:${code}`], code);
      await client.closed;
    }
    // Each counts as a refused open, by its code (`streamlib_sessions_failed_total`).
    assert.deepEqual(server.recorder.events, cases.map(([, code]) => `refused:${code}`));
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: after open, a bad message or a refused frame is a non-fatal error", async () => {
  const server = startServer({ gain: gain() }, { maxMessageBytes: 8_192 });
  try {
    const client = new RawClient(server.url);
    assert.equal((await client.open("gain")).type, "accept");
    client.send(new Uint8Array([0x53, 0x4c, 1, 3, 200, 0, 0, 0])); // truncated frame
    client.send("text"); // not binary
    client.send(encodeWireMessage({ type: "open", pipeline: "gain", token: "", metadata: {} }));
    client.send(encodeWireMessage({ // wrong kind for an audio input
      type: "frame",
      port: "audio",
      sequence: 0,
      metadata: {},
      frame: { kind: "data", timestampNs: 0, value: 1 },
    }));
    client.send(encodeWireMessage({ // wrong shape: 3 channels
      type: "frame",
      port: "audio",
      sequence: 1,
      metadata: {},
      frame: {
        kind: "audio",
        channels: 3,
        sampleRate: 16_000,
        frameCount: 2,
        samples: new Float32Array(6),
        timestampNs: 0,
        frameNumber: 0,
      },
    }));
    client.send(frameBytes(2, 0.25, 4_000)); // 32 000 bytes of samples: over maxMessageBytes
    client.send(frameBytes(2, 0.25, 80_000)); // 640 KB: over what the decoder takes (8 KiB + 512 KiB)
    client.send(
      encodeWireMessage({
        type: "frame",
        port: "nope",
        sequence: 3,
        metadata: {},
        frame: { kind: "data", timestampNs: 0, value: 1 },
      }),
    );
    client.send(encodeWireMessage({ type: "end", port: "nope" }));
    client.send(frameBytes(4)); // a good one still goes through
    client.send(encodeWireMessage({ type: "end", port: "audio" }));
    await client.until("close");
    assert.deepEqual(client.errors(), [
      "wire_truncated",
      "wire_malformed",
      "wire_unexpected",
      "app_frame_mismatch",
      "app_frame_mismatch",
      "message_too_large",
      "wire_too_large",
      "app_port_not_found",
      "app_port_not_found",
    ]);
    assert.ok(client.messages.every((m) => m.type !== "error" || !m.fatal));
    const frames = client.messages.flatMap((m) => m.type === "frame" ? [m.sequence] : []);
    assert.deepEqual(frames, [4]);
    assert.equal(client.types().at(-1), "close:");
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: an unknown pipeline and a manifest that does not load are refused with codes", async () => {
  const server = startServer({
    gain: gain(),
    broken: { version: 1, nodes: [{ id: "x", type: "Nope" }] },
  });
  try {
    const unknown = new RawClient(server.url);
    assert.equal((await unknown.open("voice")).type, "close");
    assert.deepEqual(unknown.types(), [
      "error:pipeline_not_found:fatal",
      "close:pipeline_not_found",
    ]);
    const broken = new RawClient(server.url);
    await broken.open("broken");
    assert.deepEqual(broken.types(), ["error:invalid_manifest:fatal", "close:invalid_manifest"]);
    assert.deepEqual(server.recorder.events, [
      "refused:pipeline_not_found",
      "refused:invalid_manifest",
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: a processor that throws and an isolate that dies end that session only", async () => {
  const server = startServer({
    gain: gain(),
    throws: through("Thrower"),
    crashes: through("Crasher"),
  });
  try {
    const healthy = new RawClient(server.url);
    await healthy.open("gain");
    for (
      const [pipeline, code] of [["throws", "session_processor_failed"], [
        "crashes",
        "session_isolate_died",
      ]]
    ) {
      const client = new RawClient(server.url);
      assert.equal((await client.open(pipeline)).type, "accept");
      client.send(frameBytes(0));
      await client.until("close");
      assert.deepEqual(
        client.types().slice(-2),
        [`error:${code}:fatal`, `close:${code}`],
        pipeline,
      );
    }
    healthy.send(frameBytes(0));
    healthy.send(encodeWireMessage({ type: "end", port: "audio" }));
    await healthy.until("close");
    assert.deepEqual(healthy.types(), ["accept", "frame", "end", "close:"]);
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: idle timeout, maximum length and no open are coded ends", async () => {
  const idle = startServer({ gain: gain() }, { idleTimeoutMs: 1_000 }, { openTimeoutMs: 1_000 });
  try {
    const silent = new RawClient(idle.url);
    await silent.open("gain");
    await silent.until("close");
    assert.deepEqual(silent.types().slice(-2), [
      "error:session_idle_timeout:fatal",
      "close:session_idle_timeout",
    ]);
    const mute = new RawClient(idle.url); // never sends its open
    await mute.opened;
    await mute.until("close");
    assert.deepEqual(mute.types(), [
      "error:session_idle_timeout:fatal",
      "close:session_idle_timeout",
    ]);
    // The session that went idle started and ended; the connection that never opened one counts
    // as a refused open.
    assert.equal(
      idle.recorder.events.filter((e) => e === "refused:session_idle_timeout").length,
      1,
      JSON.stringify(idle.recorder.events),
    );
  } finally {
    await idle.close();
  }
  const long = startServer({ gain: gain() }, { maxSessionMs: 1_500 });
  try {
    const client = new RawClient(long.url);
    await client.open("gain");
    for (let i = 0; i < 3; i++) client.send(frameBytes(i));
    await client.until("close");
    assert.deepEqual(client.types().slice(-2), [
      "error:session_too_long:fatal",
      "close:session_too_long",
    ]);
  } finally {
    await long.close();
  }
});

Deno.test("SessionHandler: 400 opens at once past maxSessions: 4 open, the rest refused with a code", async () => {
  // Generous start and open timeouts: 400 clients and the server share one event loop here.
  const server = startServer({ gain: gain() }, { maxSessions: 4, startTimeoutMs: 120_000 }, {
    openTimeoutMs: 120_000,
  });
  try {
    const clients = Array.from({ length: 400 }, () => new RawClient(server.url));
    const answers = await Promise.all(clients.map((c) => c.open("gain")));
    const accepted = answers.filter((a) => a.type === "accept").length;
    const refused = clients.filter((c) => c.errors()[0] === "session_limit_reached").length;
    assert.equal(accepted, 4);
    assert.equal(refused, 396);
    assert.equal(server.runner.active, 4);
    for (const client of clients) client.socket.close();
    await eventually(() => server.runner.active === 0, "every session freed");
    await eventually(() => server.handler.connections === 0, "every connection gone");
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: a client that vanishes mid-stream has its session freed at once", async () => {
  const server = startServer({ gain: gain() });
  try {
    const client = await DeafClient.connect(server.port);
    await client.send(
      encodeWireMessage({ type: "open", pipeline: "gain", token: "", metadata: {} }),
    );
    for (let i = 0; i < 10; i++) await client.send(frameBytes(i));
    await eventually(() => server.runner.active === 1, "the session runs");
    client.vanish();
    await eventually(() => server.runner.active === 0, "the session is freed");
    await eventually(() => server.handler.connections === 0, "the connection is gone");
    assert.deepEqual(server.recorder.events, ["started:gain", "ended:client_disconnected"]);
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: a client that never reads is bounded and ended with a code", async () => {
  const server = startServer(
    { gain: gain() },
    { idleTimeoutMs: 3_000 },
    { maxBufferedBytes: 256 * 1024, maxPendingFrames: 64 },
  );
  try {
    const client = await DeafClient.connect(server.port);
    await client.send(
      encodeWireMessage({ type: "open", pipeline: "gain", token: "", metadata: {} }),
    );
    await eventually(() => server.recorder.events.length === 1, "the session runs");
    // 48 000 stereo samples (384 KB) per frame, 200 frames: 77 MB if the server kept it all.
    // Paced while the graph keeps up; once it stalls (nobody reads its outputs), keep sending
    // until the server stops reading too (a write that does not finish) or refuses more.
    let sent = 0;
    let stalledAt = -1;
    for (; sent < 200; sent++) {
      if (!(await client.sendWithin(frameBytes(sent, 0.25, 48_000), 5_000))) break;
      if (stalledAt >= 0) continue;
      const deadline = Date.now() + 5_000;
      while (server.recorder.framesIn < sent + 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (server.recorder.framesIn < sent + 1) stalledAt = sent;
    }
    await eventually(() => server.recorder.events.length === 2, "the session ended", 60_000);
    const ended = server.recorder.events[1];
    const { framesIn, framesOut } = server.recorder;
    console.log(
      `never reads: ${sent} sent, stalled at ${stalledAt}, ${framesIn} in, ${framesOut} out, ${ended}`,
    );
    assert.ok(
      ["ended:input_overrun", "ended:session_idle_timeout", "ended:client_disconnected"]
        .includes(ended),
      ended,
    );
    assert.ok(stalledAt >= 0, `the graph stalled (at frame ${stalledAt})`);
    // What the server took is bounded by its buffers, not by what the client tried to send.
    assert.ok(framesOut < 200 && framesIn < 200, `${framesIn} in, ${framesOut} out`);
    client.vanish();
    await eventually(() => server.runner.active === 0, "the session is freed");
  } finally {
    await server.close();
  }
});

Deno.test("SessionClient.execute() throws the first frame the server refused", async () => {
  const server = startServer({ gain: gain() });
  try {
    const mono = {
      kind: "audio",
      channels: 1,
      sampleRate: 16_000,
      samples: new Float32Array(4),
    } as const;
    await assert.rejects(
      connect(server.url).execute("gain", { audio: [block(), mono, block()] }),
      (e) => e instanceof SessionClientError && e.code === "app_frame_mismatch" && !e.fatal,
    );
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler.close() flushes outputs, then closes with server_shutting_down", async () => {
  const server = startServer({ gain: gain() });
  const client = connect(server.url);
  const session = await client.open("gain");
  for (let i = 0; i < 20; i++) {
    await session.send("audio", block(0.1), { metadata: { i: String(i) } });
  }
  await session.flush(); // the graph took all 20: the drain must deliver their outputs
  const reading = (async () => {
    const got: number[] = [];
    try {
      for await (const out of session.outputs()) got.push(out.sequence);
    } catch (error) {
      return { got, error };
    }
    return { got, error: undefined };
  })();
  await server.close();
  const { got, error } = await reading;
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => i));
  assert.ok(
    error instanceof SessionClientError && error.code === "server_shutting_down",
    String(error),
  );
  // A new connection is refused the same way.
  await assert.rejects(
    connect(server.url).open("gain"),
    (e) => e instanceof SessionClientError,
  );
});

Deno.test("SessionHandler.close() while a session's isolate starts: refused, and counted as ended", async () => {
  const server = startServer({ gain: gain() }); // no pool: the isolate takes 100+ ms to start
  const opening = connect(server.url).open("gain").then(() => undefined, (error) => error);
  // Wait until the runner is starting the session's isolate, then stop the server.
  const until = Date.now() + 5_000;
  while (server.runner.active === 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  assert.equal(server.runner.active, 1, "the open never reached the runner");
  await server.close();
  const refused = await opening;
  assert.ok(
    refused instanceof SessionClientError && refused.code === "server_shutting_down",
    String(refused),
  );
  // Told it started, so told it ended: the metrics' active sessions and the log stay balanced.
  const { events } = server.recorder;
  assert.equal(
    events.filter((e) => e.startsWith("started:")).length,
    events.filter((e) => e.startsWith("ended:")).length,
    events.join(", "),
  );
});

Deno.test("SessionHandler: an AacEncoder's output reaches the client as encoded audio (wire version 2)", async () => {
  const server = startServer({
    aac: {
      version: 1,
      nodes: [{ id: "aac", type: "AacEncoder", config: { bitrate: 64_000 } }],
      inputs: { audio: "aac.in" },
      outputs: { aac: "aac.out" },
    },
  });
  try {
    const client = new RawClient(server.url);
    const accept = await client.open("aac");
    assert.ok(accept.type === "accept");
    assert.deepEqual(accept.outputs, [{ name: "aac", kind: "encoded-audio" }]);
    // 16 kHz stereo: 20 blocks of 160 samples are three 1024-sample frames and a part, stamped
    // from 0: the encoder stamps its frames 1600 samples (100 ms) early, so the first ones are
    // before 0 and the wire's signed timestamps carry them (none is lost).
    for (let i = 0; i < 20; i++) {
      client.send(encodeWireMessage({
        type: "frame",
        port: "audio",
        sequence: i,
        metadata: {},
        frame: {
          kind: "audio",
          channels: 2,
          sampleRate: 16_000,
          frameCount: 160,
          samples: new Float32Array(320).fill(0.25),
          timestampNs: i * 10_000_000,
          frameNumber: i,
        },
      }));
    }
    client.send(encodeWireMessage({ type: "end", port: "audio" }));
    await client.until("close");
    const frames = client.messages.flatMap((m) => m.type === "frame" ? [m] : []);
    assert.ok(frames.length >= 1, JSON.stringify(client.messages));
    const first = frames[0].frame;
    assert.ok(first.kind === "encoded-audio", first.kind);
    assert.deepEqual(
      [first.codec, first.sampleRate, first.channels, first.frameCount, [...first.extradata]],
      ["aac", 16_000, 2, 1024, [0x14, 0x10]], // AAC-LC, 16 kHz (index 8), stereo
    );
    assert.ok(first.data.length > 0);
    assert.equal(first.timestampNs, -100_000_000);
    // 3,200 samples with the encoder's 1,600 of delay flushed at the end: 5 frames of 1,024.
    assert.deepEqual(
      frames.map((f) => f.frame.timestampNs),
      [0, 1, 2, 3, 4].map((n) => Math.round((n * 1024 - 1600) * 1e9 / 16_000)),
    );
    assert.equal(client.messages.filter((m) => m.type === "error").length, 0);
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: a source's frames are stamped from the session's start and reach the client", async () => {
  // A source stamps frames with the graph's media clock; a session's runs from 0 at its start,
  // so they fit the wire's timestamps (the process clock's epoch nanoseconds do not: each frame
  // used to be refused as a non-fatal wire_malformed error, and none arrived).
  const server = startServer({
    tone: {
      version: 1,
      nodes: [{ id: "t", type: "TestToneGenerator", config: { sampleRate: 16_000 } }],
      outputs: { audio: "t.audio" },
    },
  });
  try {
    const client = new RawClient(server.url);
    const accept = await client.open("tone");
    assert.ok(accept.type === "accept");
    await eventually(
      () => client.messages.filter((m) => m.type === "frame").length >= 5,
      "five frames of the tone",
    );
    const errors = client.messages.filter((m) => m.type === "error");
    assert.deepEqual(errors, []);
    const stamps = client.messages.flatMap((m) => m.type === "frame" ? [m.frame.timestampNs] : []);
    for (const [i, t] of stamps.entries()) {
      assert.ok(Number.isSafeInteger(t) && t >= 0 && t < 60e9, `frame ${i} stamped ${t}`);
      if (i > 0) assert.ok(t > stamps[i - 1], `frame ${i} after frame ${i - 1}`);
    }
    client.socket.close();
    await client.closed;
    await eventually(() => server.runner.active === 0, "the session is freed");
  } finally {
    await server.close();
  }
});
