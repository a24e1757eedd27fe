import assert from "node:assert/strict";
import { PipelineRunner } from "../../sessions/runner.ts";
import { SessionHandler } from "../../sessions/websocket/mod.ts";
import { connect } from "../../sessions/client/client.ts";
import { SessionClientError } from "../../sessions/client/errors.ts";

async function openFails(url: string): Promise<SessionClientError> {
  const error = await connect(url, { openTimeoutMs: 10_000 }).open("gain").then(
    () => assert.fail("open() succeeded"),
    (error) => error,
  );
  assert.ok(error instanceof SessionClientError, String(error));
  assert.equal(error.code, "connection_failed");
  assert.ok(error.fatal);
  return error;
}

Deno.test("open() against a port nothing listens on says the connection was refused", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = listener.addr.port;
  listener.close(); // the port is free again: nothing listens on it
  const error = await openFails(`ws://127.0.0.1:${port}/`);
  assert.match(error.message, /^Cannot open 'gain' at ws:\/\/127\.0\.0\.1:\d+\/: /);
  assert.match(error.message, /connection refused/);
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

Deno.test("open() at a path the server answers with HTTP 404 says HTTP 404", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("no such path", { status: 404 }),
  );
  try {
    const error = await openFails(`ws://127.0.0.1:${server.addr.port}/wrong/path`);
    assert.match(error.message, /HTTP 404 Not Found instead of a WebSocket upgrade/);
    assert.match(error.message, /path/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("open() that the server closes before an accept names the close code and reason", async () => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => socket.close(4001, "go away");
    return response;
  });
  try {
    const error = await openFails(`ws://127.0.0.1:${server.addr.port}/`);
    assert.match(
      error.message,
      /the server closed the connection \(code 4001: go away\) before an accept/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("send() of what is not a frame throws app_frame_mismatch naming it and what is valid", async () => {
  const runner = new PipelineRunner();
  const handler = new SessionHandler({
    runner,
    resolve: () => ({
      version: 1,
      nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
      inputs: { voice: "fx.in" },
      outputs: { audio: "fx.out" },
    }),
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (r) => handler.handle(r),
  );
  try {
    const session = await connect(`ws://127.0.0.1:${server.addr.port}/`).open("gain");
    const cases: [unknown, string][] = [
      [null, "null"],
      [undefined, "undefined"],
      [3, "a number"],
      ["samples", "a string"],
      [[0.1, 0.2], "an array"],
      [{ samples: [0.1] }, "an object without a kind"],
      [{ kind: "audi" }, "an object of kind 'audi'"],
      [new Float32Array(4), "a Float32Array"],
    ];
    for (const [value, named] of cases) {
      const error = await session.send("voice", value as never).then(
        () => assert.fail(`send(${named}) succeeded`),
        (error) => error,
      );
      assert.ok(error instanceof SessionClientError, `${named}: ${error}`);
      assert.equal(error.code, "app_frame_mismatch");
      assert.equal(error.fatal, false);
      assert.ok(
        error.message.startsWith(`Cannot send ${named} to 'voice': expected a frame (`),
        error.message,
      );
      assert.match(error.message, /"audio", "video", "encoded-video", "encoded-audio" or "data"/);
      assert.match(error.message, /'voice' takes audio frames/);
    }
    // An audio frame without samples is the wire's refusal, not a TypeError.
    const missing = await session.send("voice", { kind: "audio" } as never).then(
      () => assert.fail("send() succeeded"),
      (error) => error,
    );
    assert.ok(missing instanceof SessionClientError, String(missing));
    // The session goes on: a real frame is sent and comes out.
    const seq = await session.send("voice", {
      kind: "audio",
      channels: 2,
      sampleRate: 16000,
      samples: new Float32Array([0.25, 0.25]),
    });
    assert.equal(seq, 0);
    // A name that is not an input is refused at once, naming the inputs there are.
    const audio = {
      kind: "audio" as const,
      channels: 2,
      sampleRate: 16000,
      samples: new Float32Array(2),
    };
    for (
      const act of [
        () => session.send("vocie", audio),
        () => Promise.resolve().then(() => session.end("vocie")),
      ]
    ) {
      const wrong = await act().then(() => assert.fail("succeeded"), (error) => error);
      assert.ok(wrong instanceof SessionClientError, String(wrong));
      assert.equal(wrong.code, "app_port_not_found");
      assert.equal(wrong.fatal, false);
      assert.equal(
        wrong.message,
        "Cannot send to 'vocie': the pipeline has no such input, did you mean voice? available inputs: voice",
      );
    }
    session.end("voice");
    session.end("voice"); // a second end does nothing
    const ended = await session.send("voice", audio).then(() => assert.fail("sent"), (e) => e);
    assert.equal(ended.code, "app_port_ended");
    const got = [];
    for await (const out of session.outputs()) got.push(out.sequence);
    assert.deepEqual(got, [0]);
    assert.deepEqual(session.errors, [], "nothing reached the server to refuse");
    await session.close();
  } finally {
    await handler.close();
    await server.shutdown();
    await runner.close();
  }
});
