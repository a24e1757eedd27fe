/**
 * End to end: a `Stream`'s `Configure` changes the session's live parameters while it runs
 * (`serveGrpc()`, a `@grpc/grpc-js` client from the repository's `.proto`): frames sent after it
 * see the new values; refusals are answered with their code in a `Configured` and the session
 * goes on; a flood is bounded; a Configure before the open, or nested past the decoder's limit,
 * ends the call with `grpc_invalid_message`.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import {
  audioFrame,
  auth,
  codeOf,
  eventually,
  loadSessionsClient,
  samplesOf,
  serve,
  stream,
  type StreamCall,
  toStruct,
} from "./grpc_harness.ts";

// deno-lint-ignore no-explicit-any
type Response = any;

/** The first sample of each output frame the call received so far. */
function firstSamples(s: StreamCall): number[] {
  return s.responses.filter((r: Response) => r.message === "frame")
    .map((r: Response) => samplesOf(r.frame.frame.audio.samplesF32le)[0]);
}

/** The call's `Configured` answers so far, as `[id, code]`. */
function answers(s: StreamCall): [number, string][] {
  return s.responses.filter((r: Response) => r.message === "configured")
    .map((r: Response) => [r.configured.id, r.configured.code]);
}

/** Waits until the call received `n` frames and `m` Configured answers (or ended). */
async function until(s: StreamCall, frames: number, configured: number): Promise<void> {
  let ended = false;
  s.status.then(() => (ended = true));
  await eventually(() =>
    ended || (firstSamples(s).length >= frames && answers(s).length >= configured)
  );
}

Deno.test("serveGrpc() Stream: a Configure changes live parameters; frames after it see them", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "locked", parameters: toStruct({ gain: 2, channels: 1 }) } });
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.25, 0.25]) } });
    // Not waiting for its answer: the frame after it is held until the change is made.
    s.call.write({ configure: { id: 7, parameters: toStruct({ gain: 3 }) } });
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.25, 0.25]) } });
    await until(s, 2, 1);
    assert.deepEqual(firstSamples(s), [0.5, 0.75]);
    assert.deepEqual(answers(s), [[7, ""]]);
    const ok = s.responses.find((r: Response) => r.message === "configured").configured;
    assert.equal(ok.message, "");

    // Refusals are answered with their code, and the session goes on unchanged.
    const refused: [number, unknown, string, RegExp][] = [
      [1, toStruct({ gian: 1 }), "unknown_parameter", /no parameter gian\. Did you mean gain\?/],
      [2, toStruct({ gain: -5 }), "invalid_parameter", /gain \(fx\.gain\) must be a number/],
      [3, toStruct({ gain: NaN }), "invalid_parameter", /Parameter gain holds NaN/],
      [4, { fields: { gain: {} } }, "invalid_parameter", /Value with no kind set at gain/],
      [
        5,
        toStruct({ gain: 1, channels: 2 }),
        "config_locked",
        /is set when the pipeline starts, not while it runs; parameters that change while it runs: gain$/,
      ],
      [
        6,
        toStruct({ gain: "x".repeat(70_000) }),
        "invalid_parameter",
        /bytes as JSON, at most 65535 are taken/,
      ],
    ];
    for (const [id, parameters] of refused) s.call.write({ configure: { id, parameters } });
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.25, 0.25]) } });
    await until(s, 3, 1 + refused.length);
    assert.deepEqual(answers(s).slice(1), refused.map(([id, , code]) => [id, code]));
    const messages = s.responses.filter((r: Response) => r.message === "configured").slice(1)
      .map((r: Response) => r.configured.message);
    refused.forEach(([id, , , message], i) => assert.match(messages[i], message, `id ${id}`));
    assert.deepEqual(firstSamples(s), [0.5, 0.75, 0.75], "nothing changed");

    // An empty Configure changes nothing and is answered.
    s.call.write({ configure: { id: 8 } });
    s.call.end();
    const status = await s.status;
    assert.equal(status.code, grpc.status.OK, status.details);
    assert.deepEqual(answers(s).at(-1), [8, ""]);
    assert.equal(s.responses.at(-1).message, "end", "answers come before the outputs' ends");
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() Stream bounds a flood of Configures with configure_overrun and goes on", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ open: { pipeline: "tunable" } });
    await s.received(1);
    const sent = 300;
    for (let id = 1; id <= sent; id++) {
      s.call.write({ configure: { id, parameters: toStruct({ gain: 4 }) } });
    }
    s.call.write({ frame: { port: "audio", frame: audioFrame([0.25, 0.25]) } });
    await until(s, 1, sent);
    const got = answers(s);
    assert.equal(got.length, sent, "every Configure is answered");
    assert.deepEqual(new Set(got.map(([, code]) => code)), new Set(["", "configure_overrun"]));
    assert.ok(got.filter(([, code]) => code === "").length >= 16, "16 at a time are taken");
    const overrun = s.responses.find((r: Response) => r.configured?.code === "configure_overrun");
    assert.match(
      overrun.configured.message,
      /^Cannot take configure \d+: 16 configures wait for their answer, the most is 16; wait for an answer before sending more$/,
    );
    assert.deepEqual(firstSamples(s), [1]);
    s.call.end();
    assert.equal((await s.status).code, grpc.status.OK);
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("serveGrpc() ends a Stream whose first message is a Configure with grpc_invalid_message", async () => {
  const served = await serve();
  try {
    const s = stream(served);
    s.call.write({ configure: { id: 1, parameters: toStruct({ gain: 3 }) } });
    const status = await s.status;
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(status.streamlibCode, "grpc_invalid_message");
    assert.match(status.details, /The first StreamRequest must be an open .*, got configure$/);
    assert.deepEqual(s.responses, []);
    assert.equal(served.runner.active, 0);
  } finally {
    await served.close();
  }
});

/** A varint's bytes. */
function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n & 127) | 128);
  out.push(n);
  return out;
}

/** A length-delimited field: its tag byte, its length, its bytes. */
function field(tag: number, bytes: number[]): number[] {
  return [tag, ...varint(bytes.length), ...bytes];
}

/**
 * The bytes of a `StreamRequest` whose `configure` has `id` and parameters nesting `levels`
 * Structs deep (`{"k": {"k": ... true}}`).
 */
function deepConfigure(id: number, levels: number): Uint8Array {
  let value = [0x20, 0x01]; // Value.bool_value true
  let struct: number[] = [];
  for (let i = 0; i < levels; i++) {
    // Struct.fields (1): an entry of key "k" (1) and value (2).
    struct = field(0x0a, [...field(0x0a, [0x6b]), ...field(0x12, value)]);
    value = field(0x2a, struct); // Value.struct_value (5)
  }
  const configure = [0x08, ...varint(id), ...field(0x12, struct)]; // id (1), parameters (2)
  return new Uint8Array(field(0x22, configure)); // StreamRequest.configure (4)
}

Deno.test("serveGrpc() answers a nested Configure; one past the decoder's limit ends the call", async () => {
  const served = await serve();
  const raw = new grpc.Client(served.address, grpc.credentials.createInsecure());
  const { requestSerialize: serialize, responseDeserialize: deserialize } =
    loadSessionsClient().service.Stream;
  try {
    const open = (serialize as (m: unknown) => Buffer)({ open: { pipeline: "tunable" } });
    const call = raw.makeBidiStreamRequest(
      "/streamlib.sessions.v1.Sessions/Stream",
      (b: Uint8Array) => Buffer.from(b),
      deserialize as (b: Buffer) => Response,
      auth(),
    );
    const responses: Response[] = [];
    call.on("data", (r: Response) => responses.push(r));
    call.on("error", () => {});
    const status = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
    call.write(open);
    // Three levels decode: the name "k" is not a parameter, and the session goes on.
    call.write(deepConfigure(1, 3));
    await eventually(() => responses.some((r) => r.message === "configured"));
    const answer = responses.find((r) => r.message === "configured").configured;
    assert.equal(answer.id, 1);
    assert.equal(answer.code, "unknown_parameter");
    assert.match(answer.message, /no parameter k\. Its parameters: gain$/);
    call.write(deepConfigure(2, 200));
    const ended = await status;
    assert.equal(ended.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(codeOf(ended.metadata), "grpc_invalid_message");
    assert.match(ended.details, /does not decode: maximum nesting depth exceeded/);
    await eventually(() => served.runner.active === 0);
  } finally {
    raw.close();
    await served.close();
  }
});
