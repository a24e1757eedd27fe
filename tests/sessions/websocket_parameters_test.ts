/**
 * A pipeline's parameters over WebSocket, end to end: the wire's version 2 `open` carries them to
 * `SessionHandler` on a real port, which passes them to the runner; refusals come back as a failed
 * open with the runner's code, counted by code in `streamlib serve`'s metrics and log; a hostile
 * `open` is a typed error and the server goes on serving. A version 3 `configure` changes a
 * running session's live parameters, answered by `configured` with the session's code; a flood of
 * them is bounded (`configure_overrun`); hostile ones are typed errors and the session goes on.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodeWireMessage, WIRE_LIMITS, type WireMessage } from "../../sessions/wire/mod.ts";
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

/** `tunable` with a ChannelConverter beside the path whose `channels` is set only at start. */
const lockable = () => ({
  ...tunable(),
  nodes: [
    { id: "fx", type: "Gain", config: { gain: 1 } },
    { id: "cc", type: "ChannelConverter", config: { channels: 2 } },
  ],
  parameters: { gain: "fx.gain", channels: "cc.channels" },
});

/** Opens `lockable` raw with `parameters`, and waits for the accept. */
async function openLockable(url: string, parameters: unknown): Promise<RawClient> {
  const client = new RawClient(url);
  await client.opened;
  client.send(encodeWireMessage({
    type: "open",
    pipeline: "lockable",
    token: "",
    metadata: {},
    parameters: parameters as Record<string, number>,
  }));
  assert.equal((await client.until("accept")).type, "accept", client.types().join());
  return client;
}

/** Waits until `client` holds `count` messages of `type`; returns those. */
async function received<T extends WireMessage["type"]>(
  client: RawClient,
  type: T,
  count: number,
): Promise<Extract<WireMessage, { type: T }>[]> {
  const of = () =>
    client.messages.filter((m) => m.type === type) as Extract<WireMessage, { type: T }>[];
  await eventually(
    () => of().length >= count || client.socket.readyState === WebSocket.CLOSED,
    `${count} ${type}`,
  );
  assert.ok(of().length >= count, `${count} ${type} messages: ${client.types().join()}`);
  return of();
}

/** Sends frame `seq` of 0.25 and returns the first sample of its output (the `seq + 1`-th). */
async function roundTrip(client: RawClient, seq: number): Promise<number> {
  client.send(frameBytes(seq, 0.25, 160));
  const frame = (await received(client, "frame", seq + 1))[seq];
  assert.ok(frame.frame.kind === "audio");
  return frame.frame.samples[0];
}

/** A configure (version 3) of request `id` whose parameters field holds `text`, raw. */
function hostileConfigure(id: number, text: string, version = 3): Uint8Array {
  const json = new TextEncoder().encode(text);
  const bytes = new Uint8Array(14 + json.length);
  bytes.set([0x53, 0x4c, version, 9]);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, bytes.length, true);
  view.setUint32(8, id, true);
  view.setUint16(12, json.length, true);
  bytes.set(json, 14);
  return bytes;
}

/** `bytes` with its header's length field set to `length`. */
function withLength(bytes: Uint8Array, length: number): Uint8Array {
  new DataView(bytes.buffer).setUint32(4, length, true);
  return bytes;
}

/** A configure of {@linkcode hostileConfigure} whose parameters' length field says `length`. */
function withTextLength(bytes: Uint8Array, length: number): Uint8Array {
  new DataView(bytes.buffer).setUint16(12, length, true);
  return bytes;
}

const configure = (id: number, parameters: Record<string, unknown>) =>
  encodeWireMessage({ type: "configure", id, parameters: parameters as Record<string, number> });

Deno.test("SessionHandler: configure changes live parameters; refusals answer with a code and the session goes on", async () => {
  const server = startServer({ lockable: lockable() });
  try {
    const client = await openLockable(server.url, { gain: 2, channels: 1 });
    assert.equal(await roundTrip(client, 0), 0.5);
    client.send(configure(1, { gain: 3 }));
    assert.deepEqual((await received(client, "configured", 1))[0], {
      type: "configured",
      id: 1,
      code: "",
      message: "",
    });
    assert.equal(await roundTrip(client, 1), 0.75);
    const refusals: [Record<string, unknown>, string, RegExp][] = [
      [{ gain: 3, gian: 1 }, "unknown_parameter", /no parameter gian\. Did you mean gain\?/],
      [{ gain: -5 }, "invalid_parameter", /Parameter gain \(fx\.gain\) must be a number/],
      [
        { gain: 1, channels: 2 },
        "config_locked",
        /Parameter channels \(cc\.channels\) is set when the pipeline starts, not while it runs; parameters that change while it runs: gain/,
      ],
    ];
    for (const [i, [values, code, text]] of refusals.entries()) {
      client.send(configure(10 + i, values));
      const answer = (await received(client, "configured", 2 + i))[1 + i];
      assert.equal(answer.id, 10 + i);
      assert.equal(answer.code, code);
      assert.match(answer.message, text);
    }
    assert.equal(await roundTrip(client, 2), 0.75, "a refused configure changes nothing");
    // Taken in order: a frame sent right after a configure, before its answer, sees its values.
    client.send(configure(20, { gain: 4 }));
    assert.equal(await roundTrip(client, 3), 1);
    assert.equal((await received(client, "configured", 5))[4].code, "");
    assert.ok(!client.types().some((t) => t.startsWith("error") || t.startsWith("close")));
    client.send(encodeWireMessage({ type: "end", port: "audio" }));
    await client.until("close");
    assert.equal(client.types().at(-1), "close:");
    await eventually(() => server.runner.active === 0, "no session is left");
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: a flood of configures is bounded: past 16 held, configure_overrun at once", async () => {
  const server = startServer({ lockable: lockable() });
  try {
    const client = await openLockable(server.url, { gain: 2 });
    const flood = 300;
    for (let id = 0; id < flood; id++) client.send(configure(id, { gain: 2 }));
    const answers = await received(client, "configured", flood);
    assert.deepEqual(answers.map((a) => a.id).sort((a, b) => a - b), [...Array(flood).keys()]);
    const codes = new Map<string, number>();
    for (const { code } of answers) codes.set(code, (codes.get(code) ?? 0) + 1);
    assert.deepEqual([...codes.keys()].sort(), ["", "configure_overrun"]);
    assert.ok(codes.get("")! >= 16, `at least the first 16 are taken: ${[...codes]}`);
    const overrun = answers.find((a) => a.code === "configure_overrun")!;
    assert.match(overrun.message, /the most is 16; wait for an answer before sending more/);
    // The session goes on, with the values.
    assert.equal(await roundTrip(client, 0), 0.5);
    client.send(configure(flood, { gain: 3 }));
    assert.equal((await received(client, "configured", flood + 1))[flood].code, "");
    assert.equal(await roundTrip(client, 1), 0.75);
    assert.ok(!client.types().some((t) => t.startsWith("error") || t.startsWith("close")));
    client.socket.close();
    await eventually(() => server.runner.active === 0, "no session is left");
  } finally {
    await server.close();
  }
});

Deno.test("SessionHandler: hostile or misplaced configures are typed errors; other sessions go on", async () => {
  const server = startServer({ lockable: lockable() });
  try {
    const other = await openLockable(server.url, { gain: 2 });
    const client = await openLockable(server.url, { gain: 2 });
    const depth = WIRE_LIMITS.parametersDepth;
    const cases: [Uint8Array, string][] = [
      [hostileConfigure(1, "not json"), "error:wire_malformed:ok"],
      [hostileConfigure(2, "[1,2]"), "error:wire_malformed:ok"],
      [hostileConfigure(3, "null"), "error:wire_malformed:ok"],
      [
        hostileConfigure(4, `{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`),
        "error:wire_malformed:ok",
      ],
      [hostileConfigure(5, `{"a":${"[".repeat(60_000)}`), "error:wire_malformed:ok"],
      // Types 9 and 10 are version 3's: in a version 2 header they are no message.
      [hostileConfigure(6, '{"gain":3}', 2), "error:wire_malformed:ok"],
      // A header that says more than the server's message limit: refused before it is read.
      [withLength(hostileConfigure(7, "{}"), 0xffff_fff0), "error:wire_too_large:ok"],
      // A parameters str that says more bytes than follow.
      [withTextLength(hostileConfigure(7, '{"gain":3}'), 65_535), "error:wire_truncated:ok"],
      // Only a server answers.
      [
        encodeWireMessage({ type: "configured", id: 8, code: "", message: "" }),
        "error:wire_unexpected:ok",
      ],
      // Within the wire's bounds, not the pipeline's: the session's answer.
      [hostileConfigure(9, `{"${"g".repeat(60_000)}":1}`), "configured"],
      [hostileConfigure(10, '{"__proto__":{"gain":3}}'), "configured"],
      [hostileConfigure(11, `{"gain":${"[".repeat(63)}${"]".repeat(63)}}`), "configured"],
    ];
    for (const [i, [bytes, expected]] of cases.entries()) {
      client.send(bytes);
      await eventually(() => client.messages.length > 1 + i, `an answer to case ${i}`);
      assert.equal(client.types()[1 + i], expected, `case ${i}`);
    }
    const answered = client.messages.filter((m) => m.type === "configured");
    assert.deepEqual(
      answered.map((m) => m.type === "configured" && [m.id, m.code]),
      [[9, "unknown_parameter"], [10, "unknown_parameter"], [11, "invalid_parameter"]],
    );
    assert.equal(await roundTrip(client, 0), 0.5, "the session goes on unchanged");
    assert.equal(await roundTrip(other, 0), 0.5, "and so does the other");

    // Before the open: refused like a frame would be, and the connection ends.
    const early = new RawClient(server.url);
    await early.opened;
    early.send(configure(1, { gain: 3 }));
    await early.until("close");
    assert.deepEqual(early.types(), ["error:wire_unexpected:fatal", "close:wire_unexpected"]);
    // Right after the open, before its accept: held, and applied once the session runs.
    const eager = new RawClient(server.url);
    await eager.opened;
    eager.send(encodeWireMessage({
      type: "open",
      pipeline: "lockable",
      token: "",
      metadata: {},
      parameters: { gain: 2 },
    }));
    eager.send(configure(1, { gain: 4 }));
    assert.deepEqual((await received(eager, "configured", 1))[0].code, "");
    assert.equal(await roundTrip(eager, 0), 1);
    assert.deepEqual(eager.types().slice(0, 2), ["accept", "configured"]);
    for (const c of [client, other, eager]) c.socket.close();
    await eventually(() => server.runner.active === 0, "no session is left");
  } finally {
    await server.close();
  }
});

Deno.test("ClientSession.configure() changes the gain; a refusal carries the server's code", async () => {
  const server = startServer({ lockable: lockable() });
  try {
    const client = connect(server.url);
    const session = await client.open("lockable", { parameters: { gain: 2 } });
    const outputs = session.outputs()[Symbol.asyncIterator]();
    const trip = async () => {
      await session.send("audio", block(0.25));
      const { value } = await outputs.next();
      assert.ok(value?.frame.kind === "audio");
      return value.frame.samples[0];
    };
    assert.equal(await trip(), 0.5);
    await session.configure({ gain: 3 });
    assert.equal(await trip(), 0.75);
    for (
      const [values, code] of [
        [{ gian: 1 }, "unknown_parameter"],
        [{ gain: "loud" }, "invalid_parameter"],
        [{ channels: 1 }, "config_locked"],
      ] as const
    ) {
      await assert.rejects(
        session.configure(values),
        (error) => error instanceof SessionClientError && error.code === code && !error.fatal,
      );
    }
    // Several at once: each answer settles its own call.
    const [a, b, c] = await Promise.allSettled([
      session.configure({ gain: 1 }),
      session.configure({ nope: 1 }),
      session.configure({ gain: 4 }),
    ]);
    assert.equal(a.status, "fulfilled");
    assert.ok(b.status === "rejected" && b.reason.code === "unknown_parameter");
    assert.equal(c.status, "fulfilled");
    assert.equal(await trip(), 1);
    // What the wire cannot carry is refused before anything is sent, with the wire's code.
    await assert.rejects(
      session.configure({ gain: 10n } as never),
      (error) => error instanceof SessionClientError && error.code === "wire_malformed",
    );
    await assert.rejects(
      session.configure({ big: "x".repeat(70_000) }),
      (error) => error instanceof SessionClientError && error.code === "wire_too_large",
    );
    assert.deepEqual(session.errors, []);
    // A configure waiting when the session closes, and one after: session_closed, no hang.
    const closed = (error: unknown) =>
      error instanceof SessionClientError && error.code === "session_closed";
    const waiting = assert.rejects(session.configure({ gain: 2 }), closed);
    await session.close();
    await waiting;
    await assert.rejects(session.configure({ gain: 2 }), closed);
    await eventually(() => server.runner.active === 0, "no session is left");
  } finally {
    await server.close();
  }
});
