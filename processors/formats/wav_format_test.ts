import assert from "node:assert/strict";
import { buildWavHeader, parseWavFmt, WAVE_FORMAT_EXTENSIBLE } from "./wav_format.ts";
import { UnsupportedWavFormatError, WavReadError } from "./wav_errors.ts";

function fmt(
  tag: number,
  channels: number,
  rate: number,
  bits: number,
  extra?: number,
): Uint8Array {
  const view = new DataView(new ArrayBuffer(extra === undefined ? 16 : 40));
  view.setUint16(0, tag, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, rate, true);
  view.setUint32(8, (rate * channels * bits) / 8, true);
  view.setUint16(12, (channels * bits) / 8, true);
  view.setUint16(14, bits, true);
  if (extra !== undefined) {
    view.setUint16(16, 22, true);
    view.setUint16(18, bits, true);
    view.setUint16(24, extra, true);
    new Uint8Array(view.buffer).set(
      [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71],
      26,
    );
  }
  return new Uint8Array(view.buffer);
}

Deno.test("parseWavFmt() reads plain and WAVE_FORMAT_EXTENSIBLE chunks", () => {
  assert.deepEqual(parseWavFmt(fmt(3, 1, 44_100, 64), "a.wav"), {
    encoding: "float",
    bitsPerSample: 64,
    channels: 1,
    sampleRate: 44_100,
    formatTag: 3,
  });
  assert.deepEqual(parseWavFmt(fmt(WAVE_FORMAT_EXTENSIBLE, 6, 48_000, 24, 1), "b.wav"), {
    encoding: "pcm",
    bitsPerSample: 24,
    channels: 6,
    sampleRate: 48_000,
    formatTag: WAVE_FORMAT_EXTENSIBLE,
  });
});

Deno.test("parseWavFmt() names what it found and what is supported", () => {
  assert.throws(() => parseWavFmt(fmt(0x55, 2, 44_100, 0), "song.wav"), (e) => {
    assert.ok(e instanceof UnsupportedWavFormatError && e instanceof WavReadError);
    assert.equal(e.formatTag, 0x55);
    assert.equal(
      e.message,
      "Cannot read WAV 'song.wav': unsupported format tag 85 (0x0055), expected one of PCM 8-bit, PCM 16-bit, PCM 24-bit, PCM 32-bit, float 32-bit, float 64-bit, A-law 8-bit, mu-law 8-bit",
    );
    return true;
  });
  assert.throws(() => parseWavFmt(fmt(1, 1, 8_000, 12), "x.wav"), {
    name: "UnsupportedWavFormatError",
    message: /unsupported PCM bit depth 12, expected one of PCM 8-bit/,
  });
  assert.throws(() => parseWavFmt(fmt(WAVE_FORMAT_EXTENSIBLE, 2, 8_000, 16, 2), "x.wav"), {
    name: "UnsupportedWavFormatError",
    message: /unsupported format tag 2 \(0x0002\)/,
  });
  const badAlign = fmt(1, 2, 8_000, 16);
  badAlign[12] = 3;
  assert.throws(() => parseWavFmt(badAlign, "x.wav"), {
    name: "WavReadError",
    message:
      "Cannot read WAV 'x.wav': fmt chunk block align is 3, expected 2 channels x 2 bytes = 4",
  });
  assert.throws(
    () => parseWavFmt(new Uint8Array(10), "x.wav"),
    /fmt chunk is 10 bytes, expected at least 16/,
  );
});

Deno.test("buildWavHeader() writes parseable headers for every layout", () => {
  for (
    const [encoding, channels, length, fact] of [
      ["pcm16", 1, 44, -1],
      ["float32", 2, 58, 46],
      ["pcm16", 6, 68, -1],
      ["float32", 8, 80, 68],
    ] as const
  ) {
    const header = buildWavHeader(encoding, channels, 96_000);
    assert.equal(header.bytes.length, length);
    assert.equal(header.factOffset, fact);
    assert.equal(header.dataSizeOffset, length - 4);
    const view = new DataView(header.bytes.buffer);
    const fmtSize = view.getUint32(16, true);
    const parsed = parseWavFmt(header.bytes.subarray(20, 20 + fmtSize), "h.wav");
    assert.equal(parsed.channels, channels);
    assert.equal(parsed.encoding, encoding === "pcm16" ? "pcm" : "float");
    assert.equal(
      parsed.formatTag,
      channels > 2 ? WAVE_FORMAT_EXTENSIBLE : encoding === "pcm16" ? 1 : 3,
    );
    assert.equal(view.getUint32(4, true), length - 8);
  }
});
