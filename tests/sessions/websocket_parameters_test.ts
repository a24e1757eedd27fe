/**
 * A pipeline's parameters over WebSocket, end to end: the wire's version 2 `open` carries them to
 * `SessionHandler` on a real port, which passes them to the runner; refusals come back as a failed
 * open with the runner's code, counted by code in `streamlib serve`'s metrics and log; a hostile
 * `open` is a typed error and the server goes on serving.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodeWireMessage, WIRE_LIMITS } from "../../sessions/wire/mod.ts";
import { connect, SessionClientError } from "../../sessions/client/mod.ts";
import type { SessionObserver } from "../../sessions/websocket/mod.ts";
import { SessionMetrics } from "../../serve/session_metrics.ts";
import { SessionLog } from "../../cli/_session_log.ts";
import { tunable } from "./pipelines.ts";
import {
  block,
  eventually,
  frameBytes,
  gain,
  RawClient,
  Recorder,
  startServer,
} from "./ws_helpers.ts";

/** One open of `tunable` with `parameters`, raw: the client's messages, to its close. */
async function openRaw(url: string, parameters?: unknown): Promise<RawClient> {
  const client = new RawClient(url);
  await client.opened;
  client.send(
    encodeWireMessage(
      {
        type: "open",
        pipeline: "tunable",
        token: "",
        metadata: {},
        ...(parameters !== undefined && { parameters }),
      } as Parameters<typeof encodeWireMessage>[0],
    ),
  );
  await Promise.race([client.until("accept"), client.until("close")]);
  return client;
}

/** Sends one frame of 0.25 and the end, and returns the first sample of the output. */
async function firstSample(client: RawClient): Promise<number> {
  client.send(frameBytes(0, 0.25, 160));
  client.send(encodeWireMessage({ type: "end", port: "audio" }));
  await client.until("close");
  const frame = client.messages.find((m) => m.type === "frame");
  assert.ok(frame?.type === "frame" && frame.frame.kind === "audio", client.types().join());
  return frame.frame.samples[0];
}

/** A v2 open of `tunable` whose parameters field holds `text`, bypassing the encoder's checks. */
function hostileOpen(text: string): Uint8Array {
  const head = encodeWireMessage({ type: "open", pipeline: "tunable", token: "", metadata: {} });
  const json = new TextEncoder().encode(text);
  const bytes = new Uint8Array(head.length + 2 + json.length);
  bytes.set(head);
  bytes.set([json.length & 0xff, json.length >> 8], head.length);
  bytes.set(json, head.length + 2);
  bytes[2] = 2;
  new DataView(bytes.buffer).setUint32(4, bytes.length, true);
  return bytes;
}

Deno.test("SessionHandler: an open's parameters set the session's config; none keeps the manifest's", async () => {
  const server = startServer({ tunable: tunable() });
  try {
    const tripled = await openRaw(server.url, { gain: 3 });
    assert.equal((await tripled.until("accept")).type, "accept");
    assert.equal(await firstSample(tripled), 0.75);
    const plain = await openRaw(server.url);
    assert.equal(await firstSample(plain), 0.25);
    // An empty object is no parameters: the manifest's value.
    const empty = await openRaw(server.url, {});
    assert.equal(await firstSample(empty), 0.25);
    assert.deepEqual(server.recorder.events, [
      "started:tunable",
      "ended:",
      "started:tunable",
      "ended:",
      "started:tunable",
      "ended:",
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: unknown and refused parameters fail the open with the runner's code", async () => {
  const metrics = new SessionMetrics();
  const lines: string[] = [];
  const log = new SessionLog((line) => lines.push(line));
  const recorder = new Recorder();
  const fan = (name: keyof SessionObserver) => (...args: unknown[]) => {
    for (const o of [recorder, metrics.observer, log.observer("websocket")]) {
      (o[name] as ((...a: unknown[]) => void) | undefined)?.call(o, ...args);
    }
  };
  const observer: SessionObserver = {
    refused: fan("refused"),
    started: fan("started"),
    ended: fan("ended"),
  };
  const server = startServer({ tunable: tunable(), gain: gain() }, {}, { observer });
  try {
    const unknown = await openRaw(server.url, { gian: 2 });
    assert.deepEqual(unknown.types(), ["error:unknown_parameter:fatal", "close:unknown_parameter"]);
    const refusal = unknown.messages[0];
    assert.ok(refusal.type === "error");
    assert.match(refusal.message, /no parameter gian\. Did you mean gain\? Its parameters: gain/);
    await unknown.closed;

    for (const value of [-1, 99, "loud", null, [3], { a: 1 }]) {
      const bad = await openRaw(server.url, { gain: value });
      assert.deepEqual(
        bad.types(),
        ["error:invalid_parameter:fatal", "close:invalid_parameter"],
        JSON.stringify(value),
      );
      const error = bad.messages[0];
      assert.ok(error.type === "error");
      assert.match(error.message, /Parameter gain \(fx\.gain\) must be a number from 0 to 16/);
      await bad.closed;
    }
    // A pipeline that declares none takes none.
    const none = new RawClient(server.url);
    await none.opened;
    none.send(encodeWireMessage({
      type: "open",
      pipeline: "gain",
      token: "",
      metadata: {},
      parameters: { gain: 2 },
    }));
    await none.until("close");
    assert.deepEqual(none.types(), ["error:unknown_parameter:fatal", "close:unknown_parameter"]);
    assert.match(none.messages[0].type === "error" ? none.messages[0].message : "", /\(none\)/);

    assert.deepEqual(recorder.events, [
      "refused:unknown_parameter",
      ...Array(6).fill("refused:invalid_parameter"),
      "refused:unknown_parameter",
    ]);
    const text = metrics.render();
    assert.match(text, /^streamlib_sessions_failed_total\{code="unknown_parameter"\} 2$/m);
    assert.match(text, /^streamlib_sessions_failed_total\{code="invalid_parameter"\} 6$/m);
    assert.match(text, /^streamlib_sessions_started_total 0$/m);
    log.close();
    // The log sums refusals up once a second at most: every one told, by code.
    const told = new Map<string, number>();
    for (const line of lines) {
      const parts = line.match(/^streamlib serve: refused \d+ opens?: (.*)$/)?.[1];
      assert.ok(parts, line);
      for (const part of parts.split(", ")) {
        const [code, n] = part.split(" ");
        told.set(code, (told.get(code) ?? 0) + Number(n));
      }
    }
    assert.deepEqual(Object.fromEntries(told), { invalid_parameter: 6, unknown_parameter: 2 });
    await eventually(() => server.runner.active === 0, "no session is left");
  } finally {
    log.close();
    await server.close();
  }
});

Deno.test("SessionHandler: a hostile open's parameters are a typed error; other sessions go on", async () => {
  const server = startServer({ tunable: tunable() });
  try {
    const running = await openRaw(server.url, { gain: 2 });
    assert.equal((await running.until("accept")).type, "accept");
    const depth = WIRE_LIMITS.parametersBytes - '{"gain":'.length;
    const cases: [string, string][] = [
      ["not json", "wire_malformed"],
      ["[1,2]", "wire_malformed"],
      ["null", "wire_malformed"],
      ['"gain"', "wire_malformed"],
      ['{"gain":3', "wire_malformed"],
      // The whole str of nesting, closed or not: refused before it is parsed.
      [`{"gain":${"[".repeat(depth)}`, "wire_malformed"],
      [`{"gain":${"[".repeat(32_000)}${"]".repeat(32_000)}}`, "wire_malformed"],
      // Within the wire's depth, over a manifest's: the runner refuses the value.
      [`{"gain":${"[".repeat(63)}${"]".repeat(63)}}`, "invalid_parameter"],
      ['{"__proto__":{"gain":3}}', "unknown_parameter"],
      [`{"${"g".repeat(60_000)}":1}`, "unknown_parameter"],
    ];
    for (const [text, code] of cases) {
      const client = new RawClient(server.url);
      await client.opened;
      client.send(hostileOpen(text));
      await client.until("close");
      assert.deepEqual(client.types(), [`error:${code}:fatal`, `close:${code}`], text.slice(0, 40));
      await client.closed;
    }
    // The first session was never disturbed.
    assert.equal(await firstSample(running), 0.5);
    const after = await openRaw(server.url, { gain: 4 });
    assert.equal(await firstSample(after), 1);
    await eventually(() => server.runner.active === 0, "no session is left");
  } finally {
    await server.close();
  }
});

Deno.test("SessionClient: open() and execute() send parameters; a refusal carries the code", async () => {
  const server = startServer({ tunable: tunable() });
  try {
    const client = connect(server.url);
    const session = await client.open("tunable", {
      metadata: { who: "test" },
      parameters: { gain: 3 },
    });
    await session.send("audio", block(0.25));
    session.end("audio");
    const outs = [];
    for await (const out of session.outputs()) outs.push(out);
    assert.ok(outs[0].frame.kind === "audio" && outs[0].frame.samples[0] === 0.75);
    assert.equal(outs[0].metadata.who, undefined); // open metadata is not frame metadata
    await session.close();

    const result = await client.execute("tunable", { audio: [block(0.5)] }, {
      parameters: { gain: 0.5 },
    });
    assert.ok(result.audio[0].frame.kind === "audio" && result.audio[0].frame.samples[0] === 0.25);
    const plain = await client.execute("tunable", { audio: [block(0.5)] });
    assert.ok(plain.audio[0].frame.kind === "audio" && plain.audio[0].frame.samples[0] === 0.5);

    await assert.rejects(
      client.open("tunable", { parameters: { volume: 2 } }),
      (error) =>
        error instanceof SessionClientError && error.code === "unknown_parameter" &&
        error.fatal && /Its parameters: gain/.test(error.message),
    );
    await assert.rejects(
      client.execute("tunable", { audio: [block()] }, { parameters: { gain: "loud" } }),
      (error) => error instanceof SessionClientError && error.code === "invalid_parameter",
    );
    // What the wire cannot carry is refused before anything is sent, with the wire's code.
    await assert.rejects(
      client.open("tunable", { parameters: { gain: 10n } as never }),
      (error) => error instanceof SessionClientError && error.code === "wire_malformed",
    );
    await assert.rejects(
      client.open("tunable", { parameters: { big: "x".repeat(70_000) } }),
      (error) => error instanceof SessionClientError && error.code === "wire_too_large",
    );
    // Metadata passed where the options go is a caller's mistake, said as such.
    await assert.rejects(
      client.open("tunable", { lang: "en" } as never),
      (error) =>
        error instanceof TypeError && /valid options: metadata, parameters/.test(error.message),
    );
    assert.deepEqual(server.recorder.events.filter((e) => e.startsWith("refused")), [
      "refused:unknown_parameter",
      "refused:invalid_parameter",
    ]);
    await eventually(() => server.runner.active === 0, "no session is left");
  } finally {
    await server.close();
  }
});
