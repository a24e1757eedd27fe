/**
 * docs/wire_format.md against a real `streamlib serve`, through a client written from the page
 * alone (`fixtures/wire_raw_client.py`: Python's `struct` and a stock `websockets` client, not the
 * package's codecs): every frame kind in and out byte for byte, sequence numbers, metadata and
 * timestamps end to end, a padded video stride, the versions of what the server writes, refusals
 * with their codes in the order of the messages, and the close. So the page and the server cannot
 * drift apart. Needs `python3` with `websockets`: without them the test fails, it does not skip.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveCommand } from "./serve_command.ts";

const CLIENT = new URL("./fixtures/wire_raw_client.py", import.meta.url).pathname;
const BUILTIN = new URL("../../processors/registry.gen.ts", import.meta.url).pathname;
const RELAY = new URL("./fixtures/relay_registry.ts", import.meta.url).pathname;

type Got = Record<string, unknown> & { type: string; version: number };

const manifests: Record<string, unknown> = {
  gain: {
    version: 1,
    nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
    inputs: { voice: "fx.in" },
    outputs: { voice: "fx.out" },
    parameters: { gain: "fx.gain" },
  },
  sink: {
    version: 1,
    nodes: [{ id: "n", type: "NullSink" }],
    inputs: { any: "n.in" },
    outputs: {},
  },
  relay: {
    version: 1,
    nodes: [{ id: "r", type: "Relay" }],
    inputs: { x: "r.in" },
    outputs: { y: "r.out" },
  },
};

/** `[[...[1]...]]`, `depth` arrays deep. */
const nested = (depth: number): unknown => depth === 0 ? 1 : [nested(depth - 1)];

/** The messages of one session without their raw bytes, frames' own fields picked by `keys`. */
const pick = (got: Got[], ...keys: string[]) =>
  got.map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => keys.includes(k))));

Deno.test("a client written from docs/wire_format.md alone runs every frame kind on streamlib serve", async () => {
  const folder = await Deno.makeTempDir();
  const many = Array.from({ length: 257 }, (_, i) => i);
  manifests.many = {
    version: 1,
    nodes: many.map((i) => ({ id: `n${i}`, type: "NullSink" })),
    inputs: Object.fromEntries(many.map((i) => [`i${i}`, `n${i}.in`])),
    outputs: {},
  };
  for (const [name, manifest] of Object.entries(manifests)) {
    await Deno.writeTextFile(`${folder}/${name}.json`, JSON.stringify(manifest));
  }
  const server = await serveCommand(folder, ["--registry", BUILTIN, "--registry", RELAY]);
  try {
    const run = await new Deno.Command("python3", {
      args: [CLIENT, server.sessionsUrl],
      env: { PYTHONDONTWRITEBYTECODE: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    const results = JSON.parse(new TextDecoder().decode(run.stdout)) as Record<string, Got[]>;

    // Gain: a version 2 open with parameters; outputs carry the input's seq, metadata, timestamp.
    const gain = results.gain;
    assert.deepEqual(pick(gain, "type", "version", "inputs", "outputs", "maxMessageBytes")[0], {
      type: "accept",
      version: 1,
      inputs: [["voice", 1]],
      outputs: [["voice", 1]],
      maxMessageBytes: 16 * 1024 * 1024 + 512 * 1024,
    });
    const frames = gain.filter((m) => m.type === "frame");
    assert.deepEqual(pick(frames, "version", "sequence", "metadata", "timestamp", "samples"), [
      {
        version: 1,
        sequence: 100,
        metadata: { lang: "en", "ü": "ñ" },
        timestamp: 20_000_000,
        samples: [0.75, -1.5, 0.375, 3],
      },
      // After the configure of gain 1, in its turn: frames sent after it see the new value.
      {
        version: 1,
        sequence: 101,
        metadata: {},
        timestamp: 40_000_000,
        samples: [0.25, -0.5, 0.125, 1],
      },
    ]);
    // The frame after the input's end is answered, in its order, before the close.
    assert.deepEqual(
      pick(
        gain.filter((m) => m.type !== "frame" && m.type !== "accept"),
        "type",
        "version",
        "id",
        "code",
        "fatal",
        "port",
      ),
      [
        { type: "pong", version: 1, id: 9 },
        { type: "configured", version: 3, id: 1, code: "" },
        { type: "error", version: 1, code: "app_port_ended", fatal: 0 },
        { type: "end", version: 1, port: "voice" },
        { type: "close", version: 1, code: "" },
        { type: "socket", code: 1000 },
      ],
    );
    // An end and a normal close, byte for byte as the page's tables give them.
    assert.equal(gain.find((m) => m.type === "end")!.hex, "534c01040f0000000500766f696365");
    assert.equal(gain.find((m) => m.type === "close")!.hex, "534c01050c00000000000000");

    // Relay (a Frame port: kind 0): each kind comes back as it went, padded rows packed.
    const relay = results.relay;
    assert.deepEqual(pick(relay, "inputs", "outputs")[0], {
      inputs: [["x", 0]],
      outputs: [["y", 0]],
    });
    const out = relay.filter((m) => m.type === "frame");
    const fields = (m: Got) => {
      const { hex: _h, type: _t, port: _p, number: _n, ...rest } = m;
      return rest;
    };
    assert.deepEqual(out.map(fields), [
      {
        version: 1,
        sequence: 0,
        metadata: { k: "v" },
        kind: 1,
        timestamp: 0,
        channels: 1,
        rate: 48000,
        count: 2,
        samples: [0.5, -0.5],
      },
      {
        version: 1,
        sequence: 1,
        metadata: {},
        kind: 2,
        timestamp: 1_000,
        width: 2,
        height: 2,
        format: 0,
        stride: 8,
        pixels: "0001020304050607646566676869" + "6a6b",
      },
      {
        version: 1,
        sequence: 2,
        metadata: {},
        kind: 2,
        timestamp: 2_000,
        width: 3,
        height: 2,
        format: 2,
        stride: 3,
        pixels: "00010203040506070809",
      },
      {
        version: 1,
        sequence: 3,
        metadata: {},
        kind: 3,
        timestamp: 3_000,
        codec: 0,
        flags: 1,
        unit: "000000016588",
      },
      {
        version: 1,
        sequence: 4,
        metadata: { k: "w" },
        kind: 4,
        timestamp: 4_000,
        value: { a: [1, 2.5, "é"], b: null },
      },
      {
        version: 2,
        sequence: 5,
        metadata: {},
        kind: 5,
        timestamp: 5_000,
        codec: 0,
        channels: 2,
        rate: 48000,
        count: 1024,
        extradata: "1190",
        payload: "deadbe",
      },
      { version: 1, sequence: 7, metadata: {}, kind: 4, timestamp: 7_000, value: "last" },
      { version: 1, sequence: 8, metadata: {}, kind: 4, timestamp: 8_000, value: nested(256) },
    ]);
    // Frame numbers are the input's count of the frames it took (data frames too, which carry
    // none), not the client's (it sent 100 to 104).
    assert.deepEqual(out.map((m) => m.number), [0, 1, 2, 3, undefined, 5, undefined, undefined]);
    const refusals = relay.filter((m) => m.type === "error");
    assert.deepEqual(pick(refusals, "code", "fatal"), [
      { code: "wire_malformed", fatal: 0 },
      { code: "wire_version", fatal: 0 },
      { code: "wire_malformed", fatal: 0 },
      { code: "app_frame_mismatch", fatal: 0 },
    ]);
    assert.match(refusals[0].message as string, /frame\.codec: 7 is not valid, expected 0 to 4/);
    assert.match(refusals[2].message as string, /binary/);
    // Deeper than a session takes: a typed refusal naming the bound (it was the isolate copy's
    // RangeError near 2,000 levels, or nothing below it).
    assert.match(refusals[3].message as string, /nests deeper than 256 levels.*\(frame 9 on 'x'\)/);
    assert.deepEqual(pick(relay.slice(-3), "type", "port", "code"), [
      { type: "end", port: "y" },
      { type: "close", code: "" },
      { type: "socket", code: 1000 },
    ]);

    // The server is healthy after all that: a session after them runs, and a frame sent right
    // after its input's end is refused before the close (it was dropped without a word).
    assert.deepEqual(
      results.healthy.map((m) => m.code === undefined ? m.type : `${m.type} ${m.code}`),
      ["accept", "frame", "error app_port_ended", "end", "close ", "socket 1000"],
    );

    // A leading U+FEFF is part of a port's name (it was dropped on the way to the isolate).
    assert.deepEqual(
      results.bom.map((m) => m.code === undefined ? m.type : `${m.type} ${m.code}`),
      ["accept", "error app_port_not_found", "pong", "end", "close ", "socket 1000"],
    );

    // Answers to configures sent before the accept come after it, never before.
    const early = results.early.map((m) => m.code === undefined ? m.type : `${m.type} ${m.code}`);
    assert.equal(early[0], "accept", early.join(", "));
    assert.equal(early.filter((m) => m === "configured ").length, 16);
    assert.equal(early.filter((m) => m === "configured configure_overrun").length, 4);

    // A pipeline with no outputs closes once its graph ended (it waited for the idle timeout).
    assert.deepEqual(
      results.sink.map((m) => m.code === undefined ? m.type : `${m.type} ${m.code}`),
      ["accept", "pong", "close ", "socket 1000"],
    );
    assert.deepEqual(results.sink[0].outputs, []);

    // More inputs than an accept carries: a refused open with the format's code.
    assert.deepEqual(
      results.many.map((m) => m.code === undefined ? m.type : `${m.type} ${m.code}`),
      ["error wire_too_large", "close wire_too_large", "socket 1000"],
    );
    assert.match(results.many[0].message as string, /257 inputs, .* at most 256/);
  } finally {
    await server.stop();
    await Deno.remove(folder, { recursive: true });
  }
});
