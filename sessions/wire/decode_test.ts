import assert from "node:assert/strict";
import { sampleMessages } from "../../tests/sessions/wire_samples.ts";
import { decodeWireMessage, wireMessageLength } from "./decode.ts";
import { encodeWireMessage } from "./encode.ts";
import { WireError, type WireErrorCode } from "./errors.ts";
import { WIRE_LIMITS } from "./format.ts";

function refused(code: WireErrorCode, field?: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof WireError, String(error));
    assert.equal(error.code, code, error.message);
    if (field !== undefined) assert.equal(error.details.field, field, error.message);
    return true;
  };
}

/** A message with its header's length field fixed to its size after an edit. */
function withLength(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(4, out.length, true);
  return out;
}

const end = encodeWireMessage({ type: "end", port: "audio" });

Deno.test("decodeWireMessage() refuses a wrong magic, version and type", () => {
  assert.throws(
    () => decodeWireMessage(new Uint8Array([0x47, 0x45, 0x54])),
    refused("wire_malformed", "header.magic"),
  );
  const version = end.slice();
  version[2] = 4;
  assert.throws(() => decodeWireMessage(version), refused("wire_version", "header.version"));
  for (const later of [2, 3]) {
    version[2] = later; // each version adds to the one before: an end reads the same
    assert.deepEqual(decodeWireMessage(version), { type: "end", port: "audio" });
  }
  for (const [header, type] of [[1, 0], [1, 9], [2, 10], [3, 11], [3, 255]]) {
    const bad = end.slice();
    bad[2] = header;
    bad[3] = type;
    assert.throws(() => decodeWireMessage(bad), refused("wire_malformed", "header.type"));
  }
});

Deno.test("decodeWireMessage() refuses every cut of a message with wire_truncated", () => {
  for (const { message } of sampleMessages()) {
    const bytes = encodeWireMessage(message);
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(() => decodeWireMessage(bytes.subarray(0, n)), refused("wire_truncated"));
    }
  }
});

Deno.test("decodeWireMessage() refuses trailing bytes, whether the length counts them or not", () => {
  assert.throws(
    () => decodeWireMessage(new Uint8Array([...end, 0])),
    refused("wire_malformed", "end"),
  );
  assert.throws(
    () => decodeWireMessage(withLength(new Uint8Array([...end, 0]))),
    refused("wire_malformed", "end"),
  );
});

Deno.test("decodeWireMessage() refuses a length field over the limit before reading on", () => {
  const huge = end.slice();
  new DataView(huge.buffer).setUint32(4, 0xffff_ffff, true);
  assert.throws(() => decodeWireMessage(huge), refused("wire_too_large", "header.length"));
  assert.throws(
    () => decodeWireMessage(end, { maxMessageBytes: end.length - 1 }),
    refused("wire_too_large"),
  );
  const short = end.slice();
  new DataView(short.buffer).setUint32(4, 3, true);
  assert.throws(() => decodeWireMessage(short), refused("wire_malformed", "header.length"));
});

Deno.test("decodeWireMessage() refuses string, metadata and port counts over their bounds", () => {
  // end: a port name length of 65535 in a 11-byte message.
  const name = withLength(new Uint8Array([0x53, 0x4c, 1, 4, 0, 0, 0, 0, 0xff, 0xff]));
  assert.throws(() => decodeWireMessage(name), refused("wire_too_large", "port"));
  // open: pipeline "", token "", 65535 metadata entries.
  const open = withLength(new Uint8Array([0x53, 0x4c, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  assert.throws(() => decodeWireMessage(open), refused("wire_too_large", "metadata count"));
  // accept: session "", 65535 inputs.
  const accept = withLength(new Uint8Array([0x53, 0x4c, 1, 2, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  assert.throws(() => decodeWireMessage(accept), refused("wire_too_large", "inputs count"));
});

Deno.test("decodeWireMessage() refuses a u64 over 2^53 - 1, bad UTF-8 and duplicate keys", () => {
  const ping = encodeWireMessage({ type: "ping", id: 0 });
  ping[15] = 0x00;
  ping[14] = 0x20; // 2^53
  assert.throws(() => decodeWireMessage(ping), refused("wire_malformed", "id"));
  const utf8 = withLength(new Uint8Array([0x53, 0x4c, 1, 4, 0, 0, 0, 0, 1, 0, 0xff]));
  assert.throws(() => decodeWireMessage(utf8), refused("wire_malformed", "port"));
  const open = encodeWireMessage({
    type: "open",
    pipeline: "p",
    token: "",
    metadata: { a: "1", b: "2" },
  });
  const index = open.lastIndexOf(0x62); // the key "b"
  open[index] = 0x61;
  assert.throws(() => decodeWireMessage(open), refused("wire_malformed", "metadata key"));
});

Deno.test("decodeWireMessage() keeps a '__proto__' metadata key as data", () => {
  const metadata = Object.fromEntries([["__proto__", "x"]]);
  const decoded = decodeWireMessage(
    encodeWireMessage({ type: "open", pipeline: "p", token: "", metadata }),
  );
  assert.ok(decoded.type === "open");
  assert.deepEqual(Object.entries(decoded.metadata), [["__proto__", "x"]]);
  assert.equal(Object.getPrototypeOf(decoded.metadata), Object.prototype);
});

Deno.test("decodeWireMessage() refuses frame fields the format does not allow", () => {
  const sample = (name: string) => sampleMessages().find((s) => s.name === name)!.message;
  const audio = encodeWireMessage(sample("audio frame (stereo)"));
  // One sample more than channels x frameCount says: bytes after the last sample.
  assert.throws(
    () => decodeWireMessage(withLength(new Uint8Array([...audio, 0, 0, 0, 0]))),
    refused("wire_malformed", "frame.samples"),
  );
  const encoded = encodeWireMessage(sample("encoded frame (h264)"));
  const flagsAt = encoded.length - 5 - 1;
  encoded[flagsAt] = 2;
  assert.throws(() => decodeWireMessage(encoded), refused("wire_malformed", "frame.flags"));
  encoded[flagsAt] = 1;
  encoded[flagsAt - 1] = 5; // codec 5
  assert.throws(() => decodeWireMessage(encoded), refused("wire_malformed", "frame.codec"));
  const data = encodeWireMessage(sample("data frame"));
  assert.throws(
    () => decodeWireMessage(withLength(data.subarray(0, data.length - 1))),
    refused("wire_malformed", "frame.value"),
  );
  const video = encodeWireMessage(sample("video frame (RGBA)"));
  assert.ok(decodeWireMessage(withLength(video.subarray(0, video.length - 4))).type === "frame");
  assert.throws(
    // 3x2 at stride 16: the last row's padding (4 bytes) may be left out, not a pixel more.
    () => decodeWireMessage(withLength(video.subarray(0, video.length - 5))),
    refused("wire_truncated", "frame.data"),
  );
});

Deno.test("decodeWireMessage() refuses encoded audio in version 1 and bad encoded audio fields", () => {
  const sample = (name: string) => sampleMessages().find((s) => s.name === name)!.message;
  const aac = encodeWireMessage(sample("encoded audio frame (aac)"));
  assert.equal(aac[2], 2);
  const v1 = aac.slice();
  v1[2] = 1;
  assert.throws(() => decodeWireMessage(v1), refused("wire_malformed", "frame.kind"));
  const accept = encodeWireMessage(sample("accept (encoded audio, version 2)"));
  accept[2] = 1;
  assert.throws(() => decodeWireMessage(accept), refused("wire_malformed", "outputs kind"));
  // From the end: data (7), extradata (2), its length, frame count, rate, channels, codec.
  const extraLengthAt = aac.length - 7 - 2 - 1;
  const bad = aac.slice();
  bad[extraLengthAt] = 25;
  assert.throws(() => decodeWireMessage(bad), refused("wire_too_large", "frame.extradata"));
  const codec = aac.slice();
  codec[extraLengthAt - 4 - 8 - 2 - 1] = 2;
  assert.throws(() => decodeWireMessage(codec), refused("wire_malformed", "frame.codec"));
  const channels = aac.slice();
  channels.fill(0, extraLengthAt - 4 - 8 - 2, extraLengthAt - 4 - 8);
  assert.throws(() => decodeWireMessage(channels), refused("wire_malformed", "frame.channels"));
  // Cut inside the extradata: truncated.
  const cut = withLength(aac.subarray(0, extraLengthAt + 2));
  assert.throws(() => decodeWireMessage(cut), refused("wire_truncated", "frame.extradata"));
});

/** A data frame message on port `d` whose value is `text` as written (any bytes). */
function dataFrameOf(text: string): Uint8Array {
  const header = encodeWireMessage({
    type: "frame",
    port: "d",
    sequence: 0,
    metadata: {},
    frame: { kind: "data", timestampNs: 0, value: 0 },
  });
  const value = new TextEncoder().encode(text);
  return withLength(new Uint8Array([...header.subarray(0, header.length - 1), ...value]));
}

Deno.test("decodeWireMessage() refuses deeply nested JSON with a typed error, not a crash", () => {
  const bytes = dataFrameOf("[".repeat(1_000_000));
  assert.throws(() => decodeWireMessage(bytes), refused("wire_malformed", "frame.value"));
});

Deno.test("decodeWireMessage() refuses a data frame number past a 64-bit float, not null", () => {
  // JSON.parse reads these as Infinity, which JSON.stringify writes back as null.
  for (const text of ['{"big":1e400}', "[-2e+308]", "9".repeat(400)]) {
    assert.throws(
      () => decodeWireMessage(dataFrameOf(text)),
      refused("wire_malformed", "frame.value"),
    );
  }
  const fine = decodeWireMessage(dataFrameOf('{"small":1e-400,"edge":1.7e308}'));
  assert.ok(fine.type === "frame" && fine.frame.kind === "data");
  assert.deepEqual(fine.frame.value, { small: 0, edge: 1.7e308 });
});

Deno.test("wireMessageLength() reads the length from the first 8 bytes only", () => {
  assert.equal(wireMessageLength(end.subarray(0, 8)), end.length);
  assert.throws(() => wireMessageLength(end.subarray(0, 7)), refused("wire_truncated", "header"));
  assert.throws(
    () => wireMessageLength(new Uint8Array([0x53, 0x00])),
    refused("wire_malformed", "header.magic"),
  );
});

/** A version 2 open of pipeline `p` whose parameters field holds `text` (any bytes). */
function openWith(text: string | Uint8Array): Uint8Array {
  const head = encodeWireMessage({ type: "open", pipeline: "p", token: "", metadata: {} });
  const json = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const bytes = withLength(
    new Uint8Array([...head, json.length & 0xff, json.length >> 8, ...json]),
  );
  bytes[2] = 2;
  return bytes;
}

Deno.test("decodeWireMessage() reads an open's parameters in version 2 only", () => {
  assert.deepEqual(decodeWireMessage(openWith('{"gain":3,"voice":"ünï"}')), {
    type: "open",
    pipeline: "p",
    token: "",
    metadata: {},
    parameters: { gain: 3, voice: "ünï" },
  });
  // The same bytes as version 1: the field is not part of it, so it is bytes after the last.
  const v1 = openWith('{"gain":3}');
  v1[2] = 1;
  assert.throws(() => decodeWireMessage(v1), refused("wire_malformed", "end"));
  // A version 2 open without the field is cut short.
  const bare = encodeWireMessage({ type: "open", pipeline: "p", token: "", metadata: {} });
  bare[2] = 2;
  assert.throws(() => decodeWireMessage(bare), refused("wire_truncated", "parameters length"));
  // Nothing may follow the field.
  const after = withLength(new Uint8Array([...openWith("{}"), 0]));
  assert.throws(() => decodeWireMessage(after), refused("wire_malformed", "end"));
});

Deno.test("decodeWireMessage() refuses parameters that are not a JSON object, naming the field", () => {
  const cases: (string | Uint8Array)[] = [
    "",
    "{",
    "gain=3",
    "[1,2]",
    "null",
    "3",
    '"gain"',
    '{"gain":NaN}',
    '{"a":1} {"b":2}',
    new Uint8Array([0x7b, 0xff, 0x7d]), // not UTF-8
    `{"a":${"[".repeat(WIRE_LIMITS.parametersDepth)}${"]".repeat(WIRE_LIMITS.parametersDepth)}}`,
    // The whole str of nesting: counted on the text, never parsed.
    `{"a":${"[".repeat(WIRE_LIMITS.parametersBytes - 5)}`,
  ];
  for (const text of cases) {
    const bytes = openWith(text);
    assert.throws(() => decodeWireMessage(bytes), refused("wire_malformed", "parameters"));
  }
  // 64 levels, the object's included: the bound, taken.
  const depth = WIRE_LIMITS.parametersDepth - 1;
  const deepest = openWith(`{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`);
  assert.equal(decodeWireMessage(deepest).type, "open");
});

/** A configure (version 3) of request 1 whose parameters field holds `text`. */
function configureWith(text: string): Uint8Array {
  const json = new TextEncoder().encode(text);
  const bytes = new Uint8Array(14 + json.length);
  bytes.set([0x53, 0x4c, 3, 9]);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, bytes.length, true);
  view.setUint32(8, 1, true);
  view.setUint16(12, json.length, true);
  bytes.set(json, 14);
  return bytes;
}

Deno.test("decodeWireMessage() reads configure and configured in version 3 only", () => {
  assert.deepEqual(decodeWireMessage(configureWith('{"gain":3}')), {
    type: "configure",
    id: 1,
    parameters: { gain: 3 },
  });
  const answer = encodeWireMessage({ type: "configured", id: 1, code: "", message: "" });
  assert.deepEqual(decodeWireMessage(answer), { type: "configured", id: 1, code: "", message: "" });
  for (const bytes of [configureWith("{}"), answer]) {
    for (const old of [1, 2]) {
      const older = bytes.slice();
      older[2] = old;
      assert.throws(() => decodeWireMessage(older), refused("wire_malformed", "header.type"));
    }
  }
  assert.throws(
    () => decodeWireMessage(answer.subarray(0, answer.length - 1)),
    refused("wire_truncated", "header.length"),
  );
});

Deno.test("decodeWireMessage() refuses configure parameters that are not a JSON object", () => {
  const depth = WIRE_LIMITS.parametersDepth;
  const deep = `{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`;
  for (const text of ["", "gain=3", "[1]", "null", "3", '{"gain":NaN}', deep]) {
    assert.throws(
      () => decodeWireMessage(configureWith(text)),
      refused("wire_malformed", "parameters"),
      text.slice(0, 20),
    );
  }
  const code = new Uint8Array([...encodeWireMessage({
    type: "configured",
    id: 1,
    code: "",
    message: "",
  })]);
  new DataView(code.buffer).setUint16(12, 65, true); // a code of 65 bytes: over its bound
  assert.throws(() => decodeWireMessage(code), refused("wire_too_large", "code"));
});

Deno.test("decodeWireMessage() names the pixel format or codec byte it refuses", () => {
  const sample = (name: string) => sampleMessages().find((s) => s.name === name)!.message;
  const check = (bytes: Uint8Array, field: string, found: number) =>
    assert.throws(() => decodeWireMessage(bytes), (error) => {
      refused("wire_malformed", field)(error);
      const { message, details } = error as WireError;
      assert.equal(details.found, found, message);
      assert.match(message, new RegExp(`: ${found} is not valid, expected 0 to \\d$`));
      return true;
    });
  const encoded = encodeWireMessage(sample("encoded frame (h264)"));
  encoded[encoded.length - 5 - 2] = 7; // codec, before the flags and the 5 bytes of data
  check(encoded, "frame.codec", 7);
  const aac = encodeWireMessage(sample("encoded audio frame (aac)"));
  aac[aac.length - 7 - 2 - 1 - 4 - 8 - 2 - 1] = 9;
  check(aac, "frame.codec", 9);
  const video = encodeWireMessage(sample("video frame (RGBA)"));
  const pixels = video.length - (sample("video frame (RGBA)") as { frame: { data: Uint8Array } })
    .frame.data.length;
  video[pixels - 4 - 1] = 4; // format, before the u32 stride
  check(video, "frame.format", 4);
});

Deno.test("decodeWireMessage() says why a data frame's value is not JSON", () => {
  const sample = (name: string) => sampleMessages().find((s) => s.name === name)!.message;
  const data = encodeWireMessage(sample("data frame"));
  const bad = withLength(new Uint8Array([...data.subarray(0, data.length - 1), 0x7b])); // ... "{"
  assert.throws(() => decodeWireMessage(bad), (error) => {
    refused("wire_malformed", "frame.value")(error);
    const { message } = error as WireError;
    assert.match(message, /^Cannot decode frame\.value: not JSON \(.+\), expected one JSON value/);
    assert.doesNotMatch(message, /not JSON is not valid/);
    return true;
  });
});
