import assert from "node:assert/strict";
import { sampleMessages } from "../../tests/sessions/wire_samples.ts";
import { decodeWireMessage } from "./decode.ts";
import { encodeWireMessage } from "./encode.ts";
import { WireError, type WireErrorCode } from "./errors.ts";
import { WIRE_LIMITS } from "./format.ts";
import type { FrameMessage, WireMessage } from "./messages.ts";

function refused(code: WireErrorCode, field: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof WireError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.details.field, field, error.message);
    return true;
  };
}

for (const { name, message } of sampleMessages()) {
  Deno.test(`encodeWireMessage() then decodeWireMessage() round-trips: ${name}`, () => {
    const bytes = encodeWireMessage(message);
    assert.deepEqual(decodeWireMessage(bytes), message);
    // The same bytes from an ArrayBuffer, and re-encoded byte for byte.
    assert.deepEqual(decodeWireMessage(bytes.buffer), message);
    assert.deepEqual(encodeWireMessage(decodeWireMessage(bytes)), bytes);
  });
}

Deno.test("encodeWireMessage() writes the header: SL, version 1, type, total length", () => {
  const bytes = encodeWireMessage({ type: "end", port: "a" });
  assert.deepEqual([...bytes], [0x53, 0x4c, 1, 4, 11, 0, 0, 0, 1, 0, 0x61]);
});

Deno.test("encodeWireMessage() writes version 2 or 3 only for what needs it", () => {
  for (const { name, message } of sampleMessages()) {
    const needs3 = name.includes("version 3");
    const needs2 = name.includes("encoded audio") || name.includes("parameters");
    assert.equal(encodeWireMessage(message)[2], needs3 ? 3 : needs2 ? 2 : 1, name);
  }
  const aac = sampleMessages().find((s) => s.name === "encoded audio frame (aac)")!.message;
  const bytes = encodeWireMessage(aac);
  // ... kind 5, timestamp, frame number, codec 0, channels 2, rate, count, extradata, data.
  const kindAt = bytes.length - 7 - 2 - 1 - 4 - 8 - 2 - 1 - 8 - 8 - 1;
  assert.equal(bytes[kindAt], 5);
  assert.deepEqual([...bytes.subarray(bytes.length - 7 - 3, bytes.length - 7)], [2, 0x12, 0x10]);
});

Deno.test("encodeWireMessage() refuses encoded audio it cannot carry", () => {
  const aac = sampleMessages().find((s) => s.name === "encoded audio frame (aac)")!
    .message as FrameMessage;
  const frame = aac.frame as Extract<FrameMessage["frame"], { kind: "encoded-audio" }>;
  const cases: [Record<string, unknown>, string, WireErrorCode][] = [
    [{ codec: "mp3" }, "frame.codec", "wire_malformed"],
    [{ channels: 0 }, "frame.channels", "wire_malformed"],
    [{ frameCount: 0 }, "frame.frameCount", "wire_malformed"],
    [{ sampleRate: 0 }, "frame.sampleRate", "wire_malformed"],
    [{ extradata: new Uint8Array(25) }, "frame.extradata", "wire_too_large"],
  ];
  for (const [change, field, code] of cases) {
    assert.throws(
      () => encodeWireMessage({ ...aac, frame: { ...frame, ...change } as never }),
      refused(code, field),
    );
  }
});

Deno.test("encodeWireMessage() refuses over the size limit with wire_too_large", () => {
  const message: WireMessage = { type: "end", port: "audio" };
  assert.throws(
    () => encodeWireMessage(message, { maxMessageBytes: 10 }),
    refused("wire_too_large", "message"),
  );
  assert.equal(encodeWireMessage(message, { maxMessageBytes: 15 }).length, 15);
});

Deno.test("encodeWireMessage() refuses fields over their bounds with wire_too_large", () => {
  const metadata = Object.fromEntries(
    Array.from({ length: WIRE_LIMITS.metadataEntries + 1 }, (_, i) => [`k${i}`, "v"]),
  );
  assert.throws(
    () => encodeWireMessage({ type: "open", pipeline: "p", token: "", metadata }),
    refused("wire_too_large", "metadata"),
  );
  assert.throws(
    () =>
      encodeWireMessage({
        type: "open",
        pipeline: "p",
        token: "",
        metadata: { k: "é".repeat(WIRE_LIMITS.metadataValueBytes / 2 + 1) },
      }),
    refused("wire_too_large", "metadata value of 'k'"),
  );
  assert.throws(
    () => encodeWireMessage({ type: "end", port: "p".repeat(WIRE_LIMITS.nameBytes + 1) }),
    refused("wire_too_large", "port"),
  );
});

Deno.test("encodeWireMessage() refuses values the format cannot carry with wire_malformed", () => {
  const audio = (patch: Record<string, unknown>): FrameMessage => ({
    type: "frame",
    port: "a",
    sequence: 0,
    metadata: {},
    frame: {
      kind: "audio",
      channels: 1,
      sampleRate: 16_000,
      frameCount: 2,
      samples: new Float32Array(2),
      timestampNs: 0,
      frameNumber: 0,
      ...patch,
    } as FrameMessage["frame"],
  });
  assert.throws(
    () => encodeWireMessage(audio({ samples: new Float32Array(3) })),
    refused("wire_malformed", "frame.samples"),
  );
  assert.throws(
    () => encodeWireMessage(audio({ channels: 0 })),
    refused("wire_malformed", "frame.channels"),
  );
  assert.throws(
    () => encodeWireMessage(audio({ sampleRate: NaN })),
    refused("wire_malformed", "frame.sampleRate"),
  );
  assert.throws(
    () => encodeWireMessage(audio({ timestampNs: 2 ** 53 })),
    refused("wire_malformed", "frame.timestampNs"),
  );
  assert.throws(
    () => encodeWireMessage(audio({ timestampNs: -(2 ** 53) })),
    refused("wire_malformed", "frame.timestampNs"),
  );
  assert.throws(
    () => encodeWireMessage(audio({ timestampNs: -0.5 })),
    refused("wire_malformed", "frame.timestampNs"),
  );
  // Negative timestamps (an encoder's delay) round-trip as two's complement; 0 or more are the
  // bytes a u64 would be.
  for (const timestampNs of [-1, -33_333_333, -(2 ** 53 - 1), 2 ** 32, 2 ** 53 - 1]) {
    const bytes = encodeWireMessage(audio({ timestampNs }));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const at = 8 + 2 + 1 + 8 + 2 + 1; // header, port "a", sequence, metadata, kind
    assert.equal(view.getBigInt64(at, true), BigInt(timestampNs));
    const back = decodeWireMessage(bytes);
    assert.ok(back.type === "frame");
    assert.equal(back.frame.timestampNs, timestampNs);
  }
  assert.throws(
    () => encodeWireMessage({ ...audio({}), sequence: 1.5 }),
    refused("wire_malformed", "sequence"),
  );
  const video = (patch: Record<string, unknown>): WireMessage => ({
    type: "frame",
    port: "v",
    sequence: 0,
    metadata: {},
    frame: {
      kind: "video",
      width: 2,
      height: 2,
      format: "RGBA",
      stride: 8,
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array(16),
      ...patch,
    } as FrameMessage["frame"],
  });
  assert.throws(
    () => encodeWireMessage(video({ format: "YUYV" })),
    refused("wire_malformed", "frame.format"),
  );
  assert.throws(
    () => encodeWireMessage(video({ stride: 7 })),
    refused("wire_malformed", "frame.stride"),
  );
  assert.throws(
    () => encodeWireMessage(video({ data: new Uint8Array(15) })),
    refused("wire_malformed", "frame.data"),
  );
  assert.throws(
    () => encodeWireMessage(video({ width: 0 })),
    refused("wire_malformed", "frame.width"),
  );
  const data = (value: unknown): WireMessage => ({
    type: "frame",
    port: "d",
    sequence: 0,
    metadata: {},
    frame: { kind: "data", timestampNs: 0, value },
  });
  assert.throws(() => encodeWireMessage(data(undefined)), refused("wire_malformed", "frame.value"));
  assert.throws(() => encodeWireMessage(data(1n)), refused("wire_malformed", "frame.value"));
  assert.throws(
    () => encodeWireMessage({ type: "nope" } as unknown as WireMessage),
    refused("wire_malformed", "type"),
  );
  // What a caller without types may pass: a typed error, not a TypeError.
  const loose = (message: unknown) => () => encodeWireMessage(message as WireMessage);
  assert.throws(loose(null), refused("wire_malformed", "message"));
  assert.throws(
    loose({ type: "open", pipeline: "p", token: "" }),
    refused("wire_malformed", "metadata"),
  );
  assert.throws(
    loose({ type: "frame", port: "p", sequence: 0, metadata: {} }),
    refused("wire_malformed", "frame"),
  );
  assert.throws(
    loose({ type: "frame", port: "p", sequence: 0, metadata: {}, frame: { kind: "toString" } }),
    refused("wire_malformed", "frame.kind"),
  );
  assert.throws(
    loose({ type: "accept", sessionId: "s", inputs: [null], outputs: [], maxMessageBytes: 1 }),
    refused("wire_malformed", "inputs name"),
  );
  assert.throws(loose({ type: "end", port: 1 }), refused("wire_malformed", "port"));
});

Deno.test("encodeWireMessage() leaves out a frame's slot", () => {
  const message: WireMessage = {
    type: "frame",
    port: "e",
    sequence: 0,
    metadata: {},
    frame: {
      kind: "encoded-video",
      codec: "h264",
      keyframe: true,
      timestampNs: 0,
      frameNumber: 0,
      data: new Uint8Array([1]),
      slot: 12,
    },
  };
  const decoded = decodeWireMessage(encodeWireMessage(message));
  assert.ok(decoded.type === "frame" && !("slot" in decoded.frame));
});

Deno.test("encodeWireMessage() writes the worked example of docs/wire_format.md byte for byte", async () => {
  const bytes = encodeWireMessage({
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
  });
  const doc = await Deno.readTextFile(new URL("../../docs/wire_format.md", import.meta.url));
  const block = doc.match(/<!-- worked example: begin -->\s*```text\n([\s\S]*?)```/);
  assert.ok(block, "docs/wire_format.md has the worked example block");
  // Each line: the bytes in hex, then `#` and what they are.
  const hex = block[1].split("\n").map((line) => line.split("#")[0].trim()).join(" ").trim();
  assert.equal(hex, [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" "));
});

Deno.test("encodeWireMessage() grows its buffer for a string past the first 256 bytes", () => {
  const message = "x".repeat(1_000);
  const bytes = encodeWireMessage({
    type: "error",
    code: "invalid_manifest",
    message,
    fatal: true,
  });
  const decoded = decodeWireMessage(bytes);
  assert.ok(decoded.type === "error" && decoded.message === message);
  const close = encodeWireMessage({ type: "close", code: "x", message: "é".repeat(2_000) });
  assert.equal(close.byteLength, 8 + 3 + 2 + 4_000);
});

Deno.test("encodeWireMessage() writes integers and floats that cross a buffer growth", () => {
  // An accept whose ports fill the first 256 bytes, so the u8 kinds and the u32 land past it.
  const inputs = Array.from(
    { length: 40 },
    (_, i) => ({ name: `in_${i}`, kind: "audio" as const }),
  );
  const bytes = encodeWireMessage({
    type: "accept",
    sessionId: "s1",
    inputs,
    outputs: [],
    maxMessageBytes: 123_456,
  });
  const decoded = decodeWireMessage(bytes);
  assert.ok(decoded.type === "accept");
  assert.deepEqual(decoded.inputs, inputs);
  assert.equal(decoded.maxMessageBytes, 123_456);
});

Deno.test("encodeWireMessage() writes an open's parameters as a str of JSON after its metadata", () => {
  const plain = encodeWireMessage({ type: "open", pipeline: "p", token: "", metadata: {} });
  const bytes = encodeWireMessage({
    type: "open",
    pipeline: "p",
    token: "",
    metadata: {},
    parameters: { gain: 3 },
  });
  assert.equal(plain[2], 1);
  assert.equal(bytes[2], 2);
  const json = new TextEncoder().encode('{"gain":3}');
  // The version 1 body, then u16 length and the JSON.
  assert.deepEqual([...bytes.subarray(8, plain.length)], [...plain.subarray(8)]);
  assert.deepEqual([...bytes.subarray(plain.length)], [json.length, 0, ...json]);
  assert.equal(new DataView(bytes.buffer).getUint32(4, true), bytes.length);
  // Empty parameters are still parameters: version 2, "{}".
  const empty = encodeWireMessage({
    type: "open",
    pipeline: "p",
    token: "",
    metadata: {},
    parameters: {},
  });
  assert.equal(empty[2], 2);
  assert.deepEqual(decodeWireMessage(empty), {
    type: "open",
    pipeline: "p",
    token: "",
    metadata: {},
    parameters: {},
  });
});

Deno.test("encodeWireMessage() refuses parameters that are not a JSON object within the bounds", () => {
  const open = (parameters: unknown): WireMessage =>
    ({ type: "open", pipeline: "p", token: "", metadata: {}, parameters }) as WireMessage;
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  let deep: unknown = 1;
  for (let i = 0; i < WIRE_LIMITS.parametersDepth; i++) deep = [deep];
  for (const bad of [null, [1], "gain", 3, { n: 1n }, cyclic, { deep }]) {
    assert.throws(() => encodeWireMessage(open(bad)), refused("wire_malformed", "parameters"));
  }
  // 63 levels inside the object: the bound, taken.
  let fits: unknown = 1;
  for (let i = 0; i < WIRE_LIMITS.parametersDepth - 1; i++) fits = [fits];
  assert.equal(encodeWireMessage(open({ fits }))[2], 2);
  // The str's bound: 65,535 bytes of JSON text.
  const room = WIRE_LIMITS.parametersBytes - '{"t":""}'.length;
  assert.equal(encodeWireMessage(open({ t: "x".repeat(room) })).length > 65_535, true);
  assert.throws(
    () => encodeWireMessage(open({ t: "x".repeat(room + 1) })),
    refused("wire_too_large", "parameters"),
  );
});

Deno.test("encodeWireMessage() writes the open of docs/wire_format.md byte for byte", async () => {
  const bytes = encodeWireMessage({
    type: "open",
    pipeline: "fx",
    token: "",
    metadata: {},
    parameters: { gain: 3 },
  });
  const doc = await Deno.readTextFile(new URL("../../docs/wire_format.md", import.meta.url));
  const block = doc.match(/<!-- worked example \(parameters\): begin -->\s*```text\n([\s\S]*?)```/);
  assert.ok(block, "docs/wire_format.md has the worked example of an open with parameters");
  const hex = block[1].split("\n").map((line) => line.split("#")[0].trim()).join(" ").trim();
  assert.equal(hex, [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" "));
});

Deno.test("encodeWireMessage() writes the configure and configured of docs/wire_format.md byte for byte", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/wire_format.md", import.meta.url));
  const documented = (name: string) => {
    const block = doc.match(
      new RegExp(`<!-- worked example \\(${name}\\): begin -->\\s*\`\`\`text\\n([\\s\\S]*?)\`\`\``),
    );
    assert.ok(block, `docs/wire_format.md has the worked example of ${name}`);
    return block[1].split("\n").map((line) => line.split("#")[0].trim()).join(" ").trim();
  };
  const hex = (bytes: Uint8Array) =>
    [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  assert.equal(
    documented("configure"),
    hex(encodeWireMessage({ type: "configure", id: 1, parameters: { gain: 3 } })),
  );
  assert.equal(
    documented("configured"),
    hex(encodeWireMessage({ type: "configured", id: 1, code: "", message: "" })),
  );
});

Deno.test("encodeWireMessage() refuses a configure it cannot carry", () => {
  for (const id of [-1, 1.5, 2 ** 32]) {
    assert.throws(
      () => encodeWireMessage({ type: "configure", id, parameters: {} }),
      refused("wire_malformed", "id"),
    );
  }
  for (const parameters of [[1], null, { n: 1n }]) {
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => encodeWireMessage({ type: "configure", id: 1, parameters: parameters as any }),
      refused("wire_malformed", "parameters"),
    );
  }
  const room = WIRE_LIMITS.parametersBytes - '{"t":""}'.length;
  assert.throws(
    () => encodeWireMessage({ type: "configure", id: 1, parameters: { t: "x".repeat(room + 1) } }),
    refused("wire_too_large", "parameters"),
  );
  assert.throws(
    () => encodeWireMessage({ type: "configured", id: 1, code: "x".repeat(65), message: "" }),
    refused("wire_too_large", "code"),
  );
});
