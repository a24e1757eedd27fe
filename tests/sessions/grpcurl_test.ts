/**
 * End to end: `grpcurl`, a reflection-free command-line gRPC client, calls the gRPC sessions
 * server with nothing but the repository's `.proto` (`-proto`, no server reflection): unary
 * Execute through a Gain, a bidirectional Stream with seq and metadata, refusals with their
 * status and `streamlib-code` trailer, and a pipeline's parameters as proto3 JSON
 * (`"parameters": {"gain": 3}`, a `google.protobuf.Struct`), on the open and in a Stream's
 * Configure. `scripts/install_test_deps.sh` builds grpcurl into
 * `.cache/bin` with `go install` (Go from Debian's `golang-go` when the machine has none): without
 * it the test fails, it does not skip.
 *
 * @module
 */

import assert from "node:assert/strict";
import { eventually, serve, TOKEN } from "./grpc_harness.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PROTO_ROOT = `${ROOT}proto`;
const PROTO = "streamlib/sessions/v1/sessions.proto";
const METHOD = "streamlib.sessions.v1.Sessions";

/** grpcurl from `.cache/bin` (where the installer puts it), else from PATH. */
function grpcurl(): string {
  const local = `${ROOT}.cache/bin/grpcurl`;
  try {
    Deno.statSync(local);
    return local;
  } catch {
    return "grpcurl";
  }
}

interface Called {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs grpcurl with the `.proto` on `address`, `input` as its `-d @` stdin. */
async function call(
  address: string,
  method: string,
  input: string,
  headers: string[] = [`authorization: Bearer ${TOKEN}`],
): Promise<Called> {
  const args = [
    "-plaintext",
    "-import-path",
    PROTO_ROOT,
    "-proto",
    PROTO,
    "-format-error",
    "-v",
    ...headers.flatMap((h) => ["-H", h]),
    "-d",
    "@",
    address,
    `${METHOD}/${method}`,
  ];
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(grpcurl(), {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new Error(
      `Cannot run grpcurl (scripts/install_test_deps.sh builds it into .cache/bin): ${error}`,
    );
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const output = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** The JSON messages grpcurl printed in `-v` output, in order. */
function messages(stdout: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "{") continue;
    let j = i;
    while (lines[j] !== "}") j++;
    found.push(JSON.parse(lines.slice(i, j + 1).join("\n")));
    i = j;
  }
  return found;
}

/** Little-endian f32 samples as base64, as proto3 JSON carries `bytes`. */
function samples(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  return btoa(String.fromCharCode(...bytes));
}

function decodeSamples(base64: string): number[] {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return [...new Float32Array(bytes.buffer)];
}

const audio = (values: number[]) => ({
  channels: 2,
  sampleRate: 16000,
  samplesF32le: samples(values),
});

Deno.test("grpcurl, with the .proto and no reflection, runs Execute and Stream", async () => {
  const served = await serve();
  try {
    const execute = await call(
      served.address,
      "Execute",
      JSON.stringify({
        pipeline: "gain",
        inputs: [{
          port: "audio",
          frames: [0, 1, 2].map((n) => ({
            seq: String(10 + n),
            metadata: { n: String(n) },
            audio: audio([0.25, -0.25]),
          })),
        }],
      }),
    );
    assert.equal(execute.code, 0, execute.stderr + execute.stdout);
    const [response] = messages(execute.stdout) as {
      outputs: {
        port: string;
        frames: {
          seq: string;
          metadata: Record<string, string>;
          audio: { samplesF32le: string };
        }[];
      }[];
    }[];
    assert.equal(response.outputs[0].port, "audio");
    assert.deepEqual(response.outputs[0].frames.map((f) => f.seq), ["10", "11", "12"]);
    assert.deepEqual(response.outputs[0].frames.map((f) => f.metadata), [
      { n: "0" },
      { n: "1" },
      { n: "2" },
    ]);
    for (const frame of response.outputs[0].frames) {
      assert.deepEqual(decodeSamples(frame.audio.samplesF32le), [0.5, -0.5]);
    }

    // A stream: Open, two frames, the half-close (stdin's end); frames, then End, status OK.
    const stream = await call(
      served.address,
      "Stream",
      [
        { open: { pipeline: "gain" } },
        { frame: { port: "audio", frame: { metadata: { chunk: "a" }, audio: audio([0.1, 0.2]) } } },
        { frame: { port: "audio", frame: { metadata: { chunk: "b" }, audio: audio([0.3, 0.4]) } } },
      ].map((m) => JSON.stringify(m)).join("\n"),
    );
    assert.equal(stream.code, 0, stream.stderr + stream.stdout);
    const replies = messages(stream.stdout) as Record<string, Record<string, unknown>>[];
    assert.deepEqual(Object.keys(replies[0]), ["accepted"]);
    const frames = replies.filter((r) => r.frame).map((r) =>
      r.frame as { port: string; frame: { seq: string; metadata: Record<string, string> } }
    );
    assert.deepEqual(frames.map((f) => [f.port, f.frame.seq, f.frame.metadata.chunk]), [
      ["audio", "0", "a"],
      ["audio", "1", "b"],
    ]);
    assert.deepEqual(replies.at(-1), { end: { port: "audio" } });
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("grpcurl sees refusals as gRPC statuses with the streamlib-code trailer", async () => {
  const served = await serve();
  try {
    const unknown = await call(served.address, "Execute", JSON.stringify({ pipeline: "nope" }));
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stdout, /streamlib-code: pipeline_not_found/);
    assert.match(unknown.stderr, /"code": 5,|Code: NotFound/);

    const badToken = await call(
      served.address,
      "Execute",
      JSON.stringify({ pipeline: "gain" }),
      ["authorization: Bearer wrong"],
    );
    assert.notEqual(badToken.code, 0);
    assert.match(badToken.stdout, /streamlib-code: invalid_token/);
    assert.match(badToken.stderr, /"code": 16,|Code: Unauthenticated/);

    // A frame of the wrong shape is refused in the stream, which goes on to its end.
    const wrong = await call(
      served.address,
      "Stream",
      [
        { open: { pipeline: "gain" } },
        {
          frame: {
            port: "audio",
            frame: { audio: { channels: 1, sampleRate: 16000, samplesF32le: samples([1]) } },
          },
        },
        { frame: { port: "audio", frame: { audio: audio([0.5, 0.5]) } } },
      ].map((m) => JSON.stringify(m)).join("\n"),
    );
    assert.equal(wrong.code, 0, wrong.stderr + wrong.stdout);
    const replies = messages(wrong.stdout) as Record<string, { code?: string }>[];
    assert.equal(replies.find((r) => r.error)?.error.code, "app_frame_mismatch");
    assert.equal(replies.filter((r) => r.frame).length, 1);
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("grpcurl sets a pipeline's parameters as proto3 JSON, and sees their refusals", async () => {
  const served = await serve();
  try {
    const run = async (parameters?: unknown) => {
      const got = await call(
        served.address,
        "Execute",
        JSON.stringify({
          pipeline: "tunable",
          inputs: [{ port: "audio", frames: [{ audio: audio([0.25, -0.25]) }] }],
          ...(parameters === undefined ? {} : { parameters }),
        }),
      );
      assert.equal(got.code, 0, got.stderr + got.stdout);
      const [response] = messages(got.stdout) as {
        outputs: { frames: { audio: { samplesF32le: string } }[] }[];
      }[];
      return decodeSamples(response.outputs[0].frames[0].audio.samplesF32le);
    };
    assert.deepEqual(await run({ gain: 3 }), [0.75, -0.75]);
    assert.deepEqual(await run(), [0.25, -0.25]);

    const stream = await call(
      served.address,
      "Stream",
      [
        { open: { pipeline: "tunable", parameters: { gain: 3 } } },
        { frame: { port: "audio", frame: { audio: audio([0.5, 0.125]) } } },
      ].map((m) => JSON.stringify(m)).join("\n"),
    );
    assert.equal(stream.code, 0, stream.stderr + stream.stdout);
    const frames = (messages(stream.stdout) as { frame?: { frame: Record<string, never> } }[])
      .filter((r) => r.frame).map((r) =>
        decodeSamples((r.frame!.frame.audio as { samplesF32le: string }).samplesF32le)
      );
    assert.deepEqual(frames, [[1.5, 0.375]]);

    const unknown = await call(
      served.address,
      "Execute",
      JSON.stringify({ pipeline: "tunable", parameters: { gian: 3 } }),
    );
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stdout, /streamlib-code: unknown_parameter/);
    assert.match(unknown.stderr, /"code": 3,|Code: InvalidArgument/);
    assert.match(unknown.stderr, /Did you mean gain\? Its parameters: gain/);

    const bad = await call(
      served.address,
      "Stream",
      JSON.stringify({
        open: { pipeline: "tunable", parameters: { gain: [1, null, { a: true }] } },
      }),
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout, /streamlib-code: invalid_parameter/);
    assert.match(bad.stderr, /"code": 3,|Code: InvalidArgument/);
    assert.match(bad.stderr, /Parameter gain \(fx\.gain\) must be a number/);
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});

Deno.test("grpcurl changes a Stream's parameters with a Configure and sees its refusals", async () => {
  const served = await serve();
  try {
    const got = await call(
      served.address,
      "Stream",
      [
        { open: { pipeline: "locked", parameters: { gain: 2, channels: 1 } } },
        { frame: { port: "audio", frame: { audio: audio([0.25, 0.25]) } } },
        { configure: { id: 1, parameters: { gain: 3 } } },
        { frame: { port: "audio", frame: { audio: audio([0.25, 0.25]) } } },
        { configure: { id: 2, parameters: { channels: 2 } } },
        { configure: { id: 3, parameters: { gian: 1 } } },
        { frame: { port: "audio", frame: { audio: audio([0.25, 0.25]) } } },
      ].map((m) => JSON.stringify(m)).join("\n"),
    );
    assert.equal(got.code, 0, got.stderr + got.stdout);
    const responses = messages(got.stdout) as {
      frame?: { frame: { audio: { samplesF32le: string } } };
      configured?: { id: number; code?: string; message?: string };
    }[];
    const frames = responses.filter((r) => r.frame)
      .map((r) => decodeSamples(r.frame!.frame.audio.samplesF32le)[0]);
    assert.deepEqual(frames, [0.5, 0.75, 0.75]);
    // proto3 JSON leaves out empty strings: a taken Configure is `{"id": 1}`.
    const answers = responses.filter((r) => r.configured).map((r) => r.configured!);
    assert.deepEqual(answers.map(({ id, code }) => [id, code ?? ""]), [
      [1, ""],
      [2, "config_locked"],
      [3, "unknown_parameter"],
    ]);
    assert.match(answers[1].message!, /parameters that change while it runs: gain$/);
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
});
