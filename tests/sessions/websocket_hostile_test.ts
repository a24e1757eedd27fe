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
import { fitUtf8 } from "../../sessions/_fit_utf8.ts";
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

/** Writes `head` on a new connection and reads the answer's first bytes (5 s at most). */
async function exchange(port: number, head: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await conn.write(new TextEncoder().encode(head));
    let text = "";
    const buffer = new Uint8Array(4096);
    const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, 5_000, null)));
    while (!/}}|^HTTP\/1\.1 101[^]*\r\n\r\n/.test(text)) {
      const n = await Promise.race([conn.read(buffer), late]);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return text;
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}

/** Reads from `conn` until the server ends the connection; `false` if it has not within `ms`. */
async function endsWithin(conn: Deno.Conn, ms: number): Promise<boolean> {
  const buffer = new Uint8Array(4096);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  const ended = (async () => {
    while ((await conn.read(buffer).catch(() => null)) !== null) { /* what the server sends */ }
    return true;
  })();
  const result = await Promise.race([ended, late]);
  clearTimeout(timer);
  return result;
}

const UPGRADE = "GET /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
  "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";

Deno.test("SessionHandler: a malformed upgrade gets 400 upgrade_required, not a 500", async () => {
  const server = startServer({ gain: gain(2) });
  try {
    const answer = await exchange(server.port, `${UPGRADE}\r\n`);
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.match(answer, /"code":"upgrade_required"/);
    assert.match(answer, /Invalid WebSocket upgrade: .*Sec-WebSocket-Key/);
    assert.equal(server.handler.connections, 0);
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: a client that never answers the server's close is cut after closeTimeoutMs", async () => {
  const server = startServer({ gain: gain(2) }, {}, { openTimeoutMs: 200, closeTimeoutMs: 300 });
  // Upgraded, never sends its open, reads what comes but never answers the close frame.
  const conns = await Promise.all([0, 1, 2].map(async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await conn.write(
      new TextEncoder().encode(`${UPGRADE}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
    );
    return conn;
  }));
  try {
    await eventually(() => server.handler.connections === 3, "three connections");
    const ended = await Promise.all(conns.map((conn) => endsWithin(conn, 5_000)));
    assert.deepEqual(ended, [true, true, true], "the server cut every connection");
    await eventually(() => server.handler.connections === 0, "no connection held", 2_000);
  } finally {
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    await server.close();
  }
});

Deno.test("SessionHandler: upgrades past maxSessions + maxWaitingConnections get 503 session_limit_reached", async () => {
  const server = startServer({ gain: gain(2) }, { maxSessions: 1 }, { maxWaitingConnections: 3 });
  const idle: WebSocket[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const socket = new WebSocket(server.url);
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      });
      idle.push(socket);
    }
    assert.equal(server.handler.connections, 4);
    const answer = await exchange(
      server.port,
      `${UPGRADE}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1\.1 503/);
    assert.match(answer, /retry-after: 1/i);
    assert.match(answer, /"code":"session_limit_reached"/);
    assert.match(answer, /4 are open, the most is 4 \(maxSessions 1 and 3 waiting/);
    // One goes away: the next is taken.
    const closed = new Promise((resolve) => (idle[0].onclose = resolve));
    idle[0].close();
    await closed;
    await eventually(() => server.handler.connections === 3, "the closed one let go");
    const next = await exchange(
      server.port,
      `${UPGRADE}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    assert.match(next, /^HTTP\/1\.1 101/);
  } finally {
    for (const socket of idle) socket.close();
    await server.close();
  }
});

Deno.test("SessionHandler: an error naming 100 inputs is cut to the format's bound, not a crash", async () => {
  // Refusing an end on an unknown input names every input there is: 100 long names, over the
  // 4,096 bytes an error's message may take. The encoder's refusal used to end the process.
  const nodes = [];
  const inputs: Record<string, string> = {};
  const outputs: Record<string, string> = {};
  for (let i = 0; i < 100; i++) {
    const id = `gain${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + i / 26)}`;
    nodes.push({ id, type: "Gain" });
    inputs[`an_input_with_a_long_name_to_fill_the_message_${String(i).padStart(3, "0")}`] =
      `${id}.in`;
    outputs[`out${i}`] = `${id}.out`;
  }
  const server = startServer({ many: { version: 1, nodes, inputs, outputs } });
  const client = new RawClient(server.url);
  try {
    assert.equal((await client.open("many")).type, "accept");
    client.send(encodeWireMessage({ type: "end", port: "nope" }));
    client.send(encodeWireMessage({ type: "ping", id: 1 }));
    await client.until("pong");
    const [error] = client.messages.filter((m) => m.type === "error");
    assert.ok(error.type === "error");
    assert.equal(error.code, "app_port_not_found");
    assert.equal(error.fatal, false);
    assert.equal(new TextEncoder().encode(error.message).byteLength, 4096);
    assert.match(error.message, /^Cannot end 'nope': no such input, available inputs: an_input/);
    assert.match(error.message, / \.\.\. \(cut: \d+ bytes, the most is 4096\)$/);
    client.socket.close();
    await client.closed;
  } finally {
    await server.close();
  }
});

Deno.test("fitUtf8() cuts at a character's start and says how long the text was", () => {
  assert.equal(fitUtf8("short", 64), "short");
  const text = "é".repeat(100); // 200 bytes
  const cut = fitUtf8(text, 64);
  assert.ok(new TextEncoder().encode(cut).byteLength <= 64);
  assert.match(cut, /^é+ \.\.\. \(cut: 200 bytes, the most is 64\)$/);
  assert.ok(!cut.includes("\ufffd"));
});
