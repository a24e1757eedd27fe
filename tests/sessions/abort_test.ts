/**
 * Cancelling and disposing sessions the way Deno's own APIs do: an `AbortSignal` aborts an open or
 * a whole unary run (rejecting with the signal's reason, as `fetch()` does), and `await using`
 * closes runners and sessions, on the runner and on the WebSocket client alike.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PipelineRunner, type Session } from "../../sessions/mod.ts";
import { SessionHandler } from "../../sessions/websocket/mod.ts";
import { type ClientSession, SessionClient } from "../../sessions/client/mod.ts";

const gain = {
  version: 1,
  nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
  inputs: { audio: "fx.in" },
  outputs: { audio: "fx.out" },
};

const stereo = (value: number) =>
  ({
    kind: "audio",
    channels: 2,
    sampleRate: 16_000,
    samples: new Float32Array(64).fill(value),
  }) as const;

const isAbort = (error: unknown) => error instanceof DOMException && error.name === "AbortError";

/** Frames forever, one every 5 ms, until the consumer stops. */
async function* endless<T>(frame: T): AsyncGenerator<T> {
  while (true) {
    yield frame;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("PipelineRunner: a signal aborts stream() and execute() with its reason; await using closes", async () => {
  let kept: Session | undefined;
  {
    await using runner = new PipelineRunner();
    // Aborted already: nothing opens.
    await assert.rejects(runner.stream(gain, { signal: AbortSignal.abort() }), isAbort);
    assert.equal(runner.active, 0);
    // Aborted while the isolate starts: the session is closed, the open rejects with the reason.
    const opening = new AbortController();
    const open = runner.stream(gain, { signal: opening.signal });
    opening.abort();
    await assert.rejects(open, isAbort);
    // Aborted mid-run: the unary run ends with the reason, its session closed.
    const running = new AbortController();
    const run = runner.execute(gain, { audio: endless(stereo(0.25)) }, { signal: running.signal });
    setTimeout(() => running.abort(), 300);
    await assert.rejects(run, isAbort);
    // A reason of the caller's is what it rejects with.
    await assert.rejects(
      runner.execute(gain, { audio: endless(stereo(0.25)) }, {
        signal: AbortSignal.timeout(200),
      }),
      (e) => e instanceof DOMException && e.name === "TimeoutError",
    );
    {
      await using session = await runner.stream(gain);
      kept = session;
      assert.equal(await session.send("audio", stereo(0.25)), 0);
    }
    assert.equal(kept.state, "closed");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(runner.active, 0);
  }
});

Deno.test("SessionClient: a signal aborts open() and execute() with its reason; await using closes", async () => {
  const runner = new PipelineRunner();
  const handler = new SessionHandler({ runner, resolve: () => gain });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) => handler.handle(request),
  );
  // A server that accepts connections and never answers: an open can only be aborted.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    for await (const conn of silent) held.push(conn);
  })();
  try {
    const client = new SessionClient(`ws://127.0.0.1:${server.addr.port}/`);
    await assert.rejects(client.open("gain", { signal: AbortSignal.abort() }), isAbort);
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      client.open("gain", { signal: "soon" as any }),
      (e) => e instanceof TypeError && /'signal'/.test(e.message),
    );
    const stuck = new SessionClient(`ws://127.0.0.1:${(silent.addr as Deno.NetAddr).port}/`);
    const started = performance.now();
    await assert.rejects(
      stuck.open("gain", { signal: AbortSignal.timeout(200) }),
      (e) => e instanceof DOMException && e.name === "TimeoutError",
    );
    assert.ok(performance.now() - started < 5_000);

    const running = new AbortController();
    const run = client.execute("gain", {
      audio: endless({
        kind: "audio",
        channels: 2,
        sampleRate: 16_000,
        samples: new Float32Array(64),
      }),
    }, { signal: running.signal });
    setTimeout(() => running.abort(), 300);
    await assert.rejects(run, isAbort);

    let kept: ClientSession | undefined;
    {
      await using session = await client.open("gain");
      kept = session;
      await session.send("audio", {
        kind: "audio",
        channels: 2,
        sampleRate: 16_000,
        samples: new Float32Array(64).fill(0.25),
      });
    }
    const end = await kept.closed;
    assert.equal(end.code, "");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(runner.active, 0);
  } finally {
    silent.close();
    for (const conn of held) conn.close();
    await handler.close();
    await server.shutdown();
    await runner.close();
  }
});
