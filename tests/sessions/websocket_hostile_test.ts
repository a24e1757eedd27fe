/**
 * `SessionHandler` against hostile peers on a real port, beyond `websocket_test.ts`: clients
 * that send and never read the answers, outputs the wire cannot carry, floods of connections
 * that never open a session, malformed upgrades, and peers that never answer our close.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SessionMetrics } from "../../serve/session_metrics.ts";
import { encodeWireMessage } from "../../sessions/wire/mod.ts";
import {
  BUILTIN,
  DeafClient,
  eventually,
  frameBytes,
  gain,
  RawClient,
  startServer,
  through,
} from "./ws_helpers.ts";

const OPEN = encodeWireMessage({ type: "open", pipeline: "gain", token: "", metadata: {} });

for (
  const [what, payload, opcode] of [
    ["pings", encodeWireMessage({ type: "ping", id: 7 }), 0x2],
    ["bytes that are not a message", new Uint8Array([1, 2, 3]), 0x2],
    ["text messages", new TextEncoder().encode("x"), 0x1],
    ["ends of an input there is not", encodeWireMessage({ type: "end", port: "nope" }), 0x2],
  ] as const
) {
  Deno.test(`SessionHandler: a client that sends ${what} and never reads ends with input_overrun`, async () => {
    const server = startServer({ gain: gain(2) }, {}, { maxBufferedBytes: 16 * 1024 });
    const client = await DeafClient.connect(server.port);
    try {
      await client.send(OPEN);
      await eventually(() => server.runner.active === 1, "the session opened");
      // Each answers with a message the client never reads: the answers wait for it in the
      // server, bounded by maxBufferedBytes and maxPendingFrames, and then the session ends.
      for (let i = 0; i < 100 && server.runner.active === 1; i++) {
        if (!(await client.sendManyWithin(payload, 5_000, 5_000, opcode))) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await eventually(
        () => server.recorder.events.includes("ended:input_overrun"),
        `input_overrun (events: ${server.recorder.events})`,
        10_000,
      );
      await eventually(() => server.runner.active === 0, "the session freed");
      assert.deepEqual(server.recorder.events, ["started:gain", "ended:input_overrun"]);
    } finally {
      client.vanish();
      await server.close();
    }
  });
}

Deno.test("SessionHandler: output frames the wire cannot carry are reported once, then counted", async () => {
  const unsendable = new URL("./fixtures/unsendable_registry.ts", import.meta.url).href;
  const server = startServer({ bad: through("Unsendable") }, { registries: [BUILTIN, unsendable] });
  const client = new RawClient(server.url);
  try {
    assert.equal((await client.open("bad")).type, "accept");
    for (let i = 0; i < 50; i++) client.send(frameBytes(i));
    client.send(encodeWireMessage({ type: "ping", id: 1 }));
    await client.until("pong");
    await eventually(() => server.recorder.framesDropped === 50, "every frame counted as dropped");
    // The first at once; the other 49 in one report within a second, not one error each.
    await eventually(() => client.errors().length === 2, `two errors: ${client.types()}`, 5_000);
    const [first, rest] = client.messages.filter((m) => m.type === "error");
    assert.deepEqual(
      [first.type === "error" && first.code, first.type === "error" && first.fatal],
      ["wire_malformed", false],
    );
    assert.match(
      (first as { message: string }).message,
      /^Cannot send a frame of 'audio': .*sampleRate/,
    );
    assert.match(
      (rest as { message: string }).message,
      /^Cannot send 49 more frames of 'audio' \(wire_malformed\) in the last \d+ ms; the last: .*sampleRate/,
    );
    // Frames dropped since the last report are reported before the close: none goes untold.
    for (let i = 50; i < 55; i++) client.send(frameBytes(i));
    client.send(encodeWireMessage({ type: "ping", id: 2 }));
    await eventually(() => client.messages.filter((m) => m.type === "pong").length === 2, "pong 2");
    client.send(encodeWireMessage({ type: "close", code: "", message: "" }));
    await client.closed;
    const errors = client.messages.filter((m) => m.type === "error");
    assert.equal(errors.length, 3, client.types().join(" "));
    assert.match(
      (errors[2] as { message: string }).message,
      /^Cannot send 5 more frames of 'audio'/,
    );
    assert.equal(server.recorder.framesDropped, 55);
    assert.equal(server.recorder.framesOut, 0);
  } finally {
    await server.close();
  }
});

Deno.test("SessionMetrics: output frames dropped are counted by code", () => {
  const metrics = new SessionMetrics();
  metrics.observer.frameDropped?.("wire_malformed");
  metrics.observer.frameDropped?.("wire_malformed");
  assert.match(
    metrics.render(),
    /^streamlib_session_frames_dropped_total\{code="wire_malformed"\} 2$/m,
  );
});
