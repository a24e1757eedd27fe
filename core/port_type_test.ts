import assert from "node:assert/strict";
import { isPortTypeCompatible, parsePortType } from "./port_type.ts";

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
    ["Frame", "VideoFrame", false],
    ["unknown", "Frame", false],
  ];
  for (const [output, input, expected] of cases) {
    assert.equal(isPortTypeCompatible(output, input), expected, `${output} -> ${input}`);
  }
});
