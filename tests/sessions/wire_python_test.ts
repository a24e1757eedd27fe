/**
 * The TypeScript codec (`sessions/wire/`) and the Python one (`clients/python`) agree byte for
 * byte: Deno-made messages decode in Python and re-encode to the same bytes, and Python-made
 * messages decode in TypeScript to the expected values. Needs `python3` (3.9+) on PATH: without it
 * the test fails, it does not skip.
 */

import assert from "node:assert/strict";
import {
  decodeWireMessage,
  encodeWireMessage,
  wireMessageLength,
} from "../../sessions/wire/mod.ts";
import type { WireMessage } from "../../sessions/wire/mod.ts";
import { ramp, sampleMessages } from "./wire_samples.ts";

const PACKAGE = new URL("../../clients/python/src", import.meta.url).pathname;

async function python(script: string, stdin: Uint8Array): Promise<Uint8Array> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("python3", {
      args: ["-c", script],
      env: { PYTHONPATH: PACKAGE, PYTHONDONTWRITEBYTECODE: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new Error(
      `Cannot run python3 (needed to cross-check the Python wire codec): ${error}. Install Python 3.9+`,
    );
  }
  const writer = child.stdin.getWriter();
  await writer.write(stdin);
  await writer.close();
  const output = await child.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return output.stdout;
}

/** Cuts a byte stream of whole messages into messages, by their header's length. */
function split(stream: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  for (let at = 0; at < stream.length;) {
    const length = wireMessageLength(stream.subarray(at));
    messages.push(stream.subarray(at, at + length));
    at += length;
  }
  return messages;
}

const REENCODE = `
import sys
from streamlib_client.wire import decode, encode, message_length
data = sys.stdin.buffer.read()
out = []
at = 0
while at < len(data):
    n = message_length(data[at:at + 8])
    out.append(encode(decode(data[at:at + n])))
    at += n
sys.stdout.buffer.write(b"".join(out))
`;

Deno.test("wire codec: Deno-made messages decode in Python and re-encode to the same bytes", async () => {
  const messages = sampleMessages().map(({ message }) => encodeWireMessage(message));
  const stream = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
  let at = 0;
  for (const message of messages) {
    stream.set(message, at);
    at += message.length;
  }
  const back = split(await python(REENCODE, stream));
  assert.equal(back.length, messages.length);
  for (const [i, { name }] of sampleMessages().entries()) {
    assert.deepEqual(back[i], messages[i], `${name}: Python re-encoded other bytes`);
  }
});

const MAKE = `
import sys
from array import array
from streamlib_client.wire import *
messages = [
    Open(pipeline="voice-fx", token="t", metadata={"client": "python", "ключ": "✓"}),
    Open(pipeline="fx", parameters={"gain": 3, "voice": "ключ ✓", "bands": [0.5, -1, None], "eq": {"on": True}}),
    Accept(session_id="s-1", inputs=[Port("mic", "audio")], outputs=[Port("out", "any"), Port("ev", "data")], max_message_bytes=1 << 20),
    FrameMessage(port="mic", sequence=5, metadata={"lang": "en"},
        frame=AudioFrame(channels=1, sample_rate=16000, frame_count=2, samples=array("f", [0.5, -0.5]), timestamp_ns=20_000_000, frame_number=1)),
    FrameMessage(port="cam", sequence=2**53 - 1, frame=VideoFrame(width=3, height=2, format="NV12", stride=3, data=bytes(i % 256 for i in range(10)), timestamp_ns=7, frame_number=8)),
    FrameMessage(port="enc", sequence=1, frame=EncodedVideoFrame(codec="vp8", keyframe=True, data=bytes(i % 256 for i in range(5)), timestamp_ns=3, frame_number=2)),
    FrameMessage(port="ev", sequence=0, frame=DataFrame(value={"words": ["hé", "llo"], "n": None, "ok": True}, timestamp_ns=1)),
    FrameMessage(port="aac", sequence=3, frame=EncodedAudioFrame(codec="aac", channels=2, sample_rate=48000, frame_count=1024, extradata=bytes([0x11, 0x90]), data=bytes(range(4)), timestamp_ns=9, frame_number=3)),
    End(port="mic"),
    Close(code="session_idle", message="bye"),
    ErrorMessage(code="wire_truncated", message="short", fatal=False),
    Ping(id=42),
    Pong(id=42),
    Configure(id=9, parameters={"gain": 2.5, "name": "ключ", "on": [True, None]}),
    Configured(id=9),
    Configured(id=10, code="unknown_parameter", message="Parameter gian ✓"),
]
sys.stdout.buffer.write(b"".join(encode(m) for m in messages))
`;

const PYTHON_MADE: WireMessage[] = [
  { type: "open", pipeline: "voice-fx", token: "t", metadata: { client: "python", "ключ": "✓" } },
  {
    type: "open",
    pipeline: "fx",
    token: "",
    metadata: {},
    parameters: { gain: 3, voice: "ключ ✓", bands: [0.5, -1, null], eq: { on: true } },
  },
  {
    type: "accept",
    sessionId: "s-1",
    inputs: [{ name: "mic", kind: "audio" }],
    outputs: [{ name: "out", kind: "any" }, { name: "ev", kind: "data" }],
    maxMessageBytes: 1 << 20,
  },
  {
    type: "frame",
    port: "mic",
    sequence: 5,
    metadata: { lang: "en" },
    frame: {
      kind: "audio",
      channels: 1,
      sampleRate: 16_000,
      frameCount: 2,
      samples: new Float32Array([0.5, -0.5]),
      timestampNs: 20_000_000,
      frameNumber: 1,
    },
  },
  {
    type: "frame",
    port: "cam",
    sequence: Number.MAX_SAFE_INTEGER,
    metadata: {},
    frame: {
      kind: "video",
      width: 3,
      height: 2,
      format: "NV12",
      stride: 3,
      timestampNs: 7,
      frameNumber: 8,
      data: ramp(10),
    },
  },
  {
    type: "frame",
    port: "enc",
    sequence: 1,
    metadata: {},
    frame: {
      kind: "encoded-video",
      codec: "vp8",
      keyframe: true,
      timestampNs: 3,
      frameNumber: 2,
      data: ramp(5),
    },
  },
  {
    type: "frame",
    port: "ev",
    sequence: 0,
    metadata: {},
    frame: { kind: "data", timestampNs: 1, value: { words: ["hé", "llo"], n: null, ok: true } },
  },
  {
    type: "frame",
    port: "aac",
    sequence: 3,
    metadata: {},
    frame: {
      kind: "encoded-audio",
      codec: "aac",
      channels: 2,
      sampleRate: 48_000,
      frameCount: 1024,
      extradata: new Uint8Array([0x11, 0x90]),
      timestampNs: 9,
      frameNumber: 3,
      data: ramp(4),
    },
  },
  { type: "end", port: "mic" },
  { type: "close", code: "session_idle", message: "bye" },
  { type: "error", code: "wire_truncated", message: "short", fatal: false },
  { type: "ping", id: 42 },
  { type: "pong", id: 42 },
  { type: "configure", id: 9, parameters: { gain: 2.5, name: "ключ", on: [true, null] } },
  { type: "configured", id: 9, code: "", message: "" },
  { type: "configured", id: 10, code: "unknown_parameter", message: "Parameter gian ✓" },
];

Deno.test("wire codec: Python-made messages decode in TypeScript to the same values and bytes", async () => {
  const made = split(await python(MAKE, new Uint8Array()));
  assert.equal(made.length, PYTHON_MADE.length);
  for (const [i, expected] of PYTHON_MADE.entries()) {
    // Views of the stream compare equal to plain arrays by value; normalise to copies.
    const decoded = decodeWireMessage(made[i].slice());
    assert.deepEqual(decoded, expected, `message ${i} (${expected.type})`);
    assert.deepEqual(encodeWireMessage(decoded), made[i].slice(), `message ${i} re-encoded`);
  }
});

Deno.test("wire codec: Python refuses what TypeScript refuses, with the same code", async () => {
  const end = encodeWireMessage({ type: "end", port: "audio" });
  /** A version 2 open of `p` whose parameters field holds `text`. */
  const openWith = (text: string) => {
    const head = encodeWireMessage({ type: "open", pipeline: "p", token: "", metadata: {} });
    const json = new TextEncoder().encode(text);
    const bytes = new Uint8Array([...head, json.length & 0xff, json.length >> 8, ...json]);
    bytes[2] = 2;
    new DataView(bytes.buffer).setUint32(4, bytes.length, true);
    return bytes;
  };
  const bare = encodeWireMessage({ type: "open", pipeline: "p", token: "", metadata: {} });
  bare[2] = 2;
  /** A configure (version 3) of request 1 whose parameters field holds `text`. */
  const configureWith = (text: string) => {
    const json = new TextEncoder().encode(text);
    const bytes = new Uint8Array([0x53, 0x4c, 3, 9, 0, 0, 0, 0, 1, 0, 0, 0, ...[0, 0], ...json]);
    new DataView(bytes.buffer).setUint16(12, json.length, true);
    new DataView(bytes.buffer).setUint32(4, bytes.length, true);
    return bytes;
  };
  const configured = encodeWireMessage({ type: "configured", id: 1, code: "", message: "" });
  /** `bytes` with its version byte set to `version`. */
  const atVersion = (bytes: Uint8Array, version: number) => {
    const copy = bytes.slice();
    copy[2] = version;
    return copy;
  };
  const cases: [string, Uint8Array][] = [
    ["ok", openWith('{"gain":3}')],
    ["wire_malformed", openWith("[3]")],
    ["wire_malformed", openWith("not json")],
    ["wire_malformed", openWith('{"gain":NaN}')],
    ["wire_malformed", openWith(`{"a":${"[".repeat(64)}${"]".repeat(64)}}`)],
    ["wire_malformed", openWith(`{"a":${"[".repeat(60_000)}`)],
    ["wire_truncated", bare],
    ["ok", configureWith('{"gain":3}')],
    ["wire_malformed", configureWith("[3]")],
    ["wire_malformed", configureWith("null")],
    ["wire_malformed", configureWith("not json")],
    ["wire_malformed", configureWith(`{"a":${"[".repeat(64)}${"]".repeat(64)}}`)],
    ["wire_malformed", atVersion(configureWith('{"gain":3}'), 2)],
    ["wire_malformed", atVersion(configured, 1)],
    ["wire_truncated", configured.subarray(0, configured.length - 1)],
    ["wire_version", atVersion(configured, 4)],
    ["wire_truncated", end.subarray(0, end.length - 1)],
    ["wire_malformed", new Uint8Array([...end, 0])],
    ["wire_version", new Uint8Array([0x53, 0x4c, 9, ...end.subarray(3)])],
    ["wire_malformed", new Uint8Array([0x47, 0x45, 0x54, 0x20])],
  ];
  const script = `
import sys, json
from streamlib_client.wire import WireError, decode
out = []
for hex in json.loads(sys.stdin.read()):
    try:
        decode(bytes.fromhex(hex))
        out.append("ok")
    except WireError as error:
        out.append(error.code)
print(json.dumps(out))
`;
  const hex = cases.map(([, bytes]) =>
    [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")
  );
  const answer = await python(script, new TextEncoder().encode(JSON.stringify(hex)));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(answer)), cases.map(([code]) => code));
  for (const [code, bytes] of cases) {
    if (code === "ok") decodeWireMessage(bytes);
    else {
      assert.throws(() => decodeWireMessage(bytes), (e) => (e as { code?: string }).code === code);
    }
  }
});
