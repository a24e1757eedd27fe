/**
 * `SessionHandler` against hostile peers on a real port, beyond `websocket_test.ts`: clients
 * that send and never read the answers, outputs the wire cannot carry, floods of connections
 * that never open a session, malformed upgrades, and peers that never answer our close.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodeWireMessage } from "../../sessions/wire/mod.ts";
import { DeafClient, eventually, gain, startServer } from "./ws_helpers.ts";

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
