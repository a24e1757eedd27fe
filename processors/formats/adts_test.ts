import assert from "node:assert/strict";
import { adtsFrame } from "./aac_packet.ts";
import { AdtsError, parseAdtsHeader } from "./adts.ts";

/** What `parseAdtsHeader` throws for `frame`, by field. */
function refusedField(frame: Uint8Array): string {
  try {
    parseAdtsHeader(frame);
  } catch (error) {
    assert.ok(error instanceof AdtsError, String(error));
    assert.equal(error.code, "aac_adts_invalid");
    return error.field;
  }
  return "accepted";
}

Deno.test("parseAdtsHeader() reads back what adtsFrame() writes, for every rate and both layouts", () => {
  const rates = [96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000];
  for (const [index, rate] of rates.entries()) {
    for (const channels of [1, 2]) {
      const config = new Uint8Array([
        (2 << 3) | (index >> 1),
        ((index & 1) << 7) | (channels << 3),
      ]);
      const frame = adtsFrame(new Uint8Array(300), config);
      const header = parseAdtsHeader(frame);
      assert.deepEqual([...header.audioSpecificConfig], [...config]);
      assert.deepEqual(
        [header.sampleRate, header.channels, header.headerBytes, header.frameBytes],
        [rate, channels, 7, 307],
      );
    }
  }
});

Deno.test("parseAdtsHeader() refuses malformed and truncated frames with aac_adts_invalid, naming the field", () => {
  const good = adtsFrame(new Uint8Array(20), new Uint8Array([0x11, 0x90]));
  assert.equal(refusedField(good), "accepted");
  assert.equal(refusedField(good.subarray(0, 5)), "frameLength"); // shorter than a header
  assert.equal(refusedField(good.subarray(0, 26)), "frameLength"); // cut short
  assert.equal(refusedField(new Uint8Array([...good, 0])), "frameLength"); // bytes past its end
  const noSync = good.slice();
  noSync[1] = 0xe1;
  assert.equal(refusedField(noSync), "syncWord");
  const reserved = good.slice();
  reserved[2] = (reserved[2] & ~0x3c) | (13 << 2);
  assert.equal(refusedField(reserved), "samplingIndex");
  const surround = good.slice();
  surround[2] |= 1; // channel configuration 6 (5.1)
  surround[3] = (surround[3] & 0x3f) | 0x80;
  assert.equal(refusedField(surround), "channelConfiguration");
  const blocks = good.slice();
  blocks[6] |= 1; // two raw data blocks in one frame
  assert.equal(refusedField(blocks), "rawDataBlocks");
  assert.throws(() => parseAdtsHeader(noSync), {
    name: "AdtsError",
    message: /^Cannot read an ADTS frame: syncWord 4094, expected 0xfff \(layer 0\)$/,
  });
});
