import assert from "node:assert/strict";
import { canonicalPortType, isPortTypeCompatible, parsePortType } from "./port_type.ts";

Deno.test("parsePortType() splits name and argument and rejects non-frame names", () => {
  assert.deepEqual(parsePortType("AudioFrame<2>"), { name: "AudioFrame", argument: "2" });
  assert.deepEqual(parsePortType("VideoFrame"), { name: "VideoFrame", argument: undefined });
  assert.deepEqual(parsePortType("DataFrame<{ a: number }>"), {
    name: "DataFrame",
    argument: "{ a: number }",
  });
  assert.equal(parsePortType("Packet"), undefined);
  assert.equal(parsePortType("unknown"), undefined);
});

Deno.test("isPortTypeCompatible() follows frame type assignability", () => {
  const cases: [string, string, boolean][] = [
    ["AudioFrame<2>", "AudioFrame<2>", true],
    ["AudioFrame<2>", "AudioFrame<1>", false],
    ["AudioFrame<2>", "AudioFrame", true],
    ["AudioFrame", "AudioFrame<2>", false],
    ["VideoFrame", "AudioFrame<2>", false],
    ["VideoFrame", "EncodedVideoFrame", false],
    ["EncodedVideoFrame", "Frame", true],
    ["DataFrame<Stats>", "DataFrame", true],
    ["DataFrame<Stats>", "DataFrame<Other>", false],
    ["DataFrame<{ rms: number, peak: number }>", "DataFrame<{ peak: number; rms: number }>", true],
    ["DataFrame<{ rms: number }>", "DataFrame<{ rms: number; peak: number }>", false],
    ["DataFrame<{ rms: number; peak: number }>", "DataFrame<{ rms: number }>", false],
    ["DataFrame<'a' | 'b'>", 'DataFrame<"b" | "a">', true],
    ["DataFrame<{ a: number }>", "DataFrame<unknown>", true],
    [" AudioFrame< 2 > ", "AudioFrame<2>", true],
    ["Frame", "VideoFrame", false],
    ["unknown", "Frame", false],
  ];
  for (const [output, input, expected] of cases) {
    assert.equal(isPortTypeCompatible(output, input), expected, `${output} -> ${input}`);
  }
});

Deno.test("canonicalPortType() spells codegen's form and leaves named payloads as written", () => {
  assert.equal(canonicalPortType("AudioFrame< 2 >"), "AudioFrame<2>");
  assert.equal(canonicalPortType(" VideoFrame "), "VideoFrame");
  assert.equal(
    canonicalPortType("DataFrame<{ rms: number,\n peak: number }>"),
    "DataFrame<{ peak: number; rms: number }>",
  );
  assert.equal(canonicalPortType("DataFrame<unknown>"), "DataFrame");
  assert.equal(canonicalPortType("DataFrame<Level  >"), "DataFrame<Level>");
  assert.equal(canonicalPortType("Packet"), "Packet");
});
