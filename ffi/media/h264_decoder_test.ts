import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import { BufferTooSmallError, CodecError } from "../native/errors.ts";
import { H264Decoder } from "./h264_decoder.ts";
import { H264Encoder } from "./h264_encoder.ts";

/** Splits an Annex B stream with access unit delimiters (NAL type 9) into access units. */
function splitOnDelimiters(stream: Uint8Array): Uint8Array[] {
  const starts: number[] = [];
  for (let i = 0; i + 4 < stream.length; i++) {
    if (
      stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1 && (stream[i + 3] & 0x1f) === 9
    ) {
      starts.push(i > 0 && stream[i - 1] === 0 ? i - 1 : i);
    }
  }
  return starts.map((s, k) => stream.subarray(s, starts[k + 1] ?? stream.length));
}

Deno.test("H264Decoder decodes an x264 High-profile stream with B-frames bit-exactly like ffmpeg", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/x264.h264`;
    await run("ffmpeg", [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=160x120:rate=25",
      "-frames:v",
      "20",
      "-c:v",
      "libx264",
      "-profile:v",
      "high",
      "-bf",
      "2",
      "-g",
      "10",
      "-pix_fmt",
      "yuv420p",
      "-bsf:v",
      "h264_metadata=aud=insert",
      "-f",
      "h264",
      path,
    ]);
    const expected = (await run("ffmpeg", [
      "-v",
      "error",
      "-i",
      path,
      "-f",
      "rawvideo",
      "-pix_fmt",
      "yuv420p",
      "-",
    ])).stdout;
    const units = splitOnDelimiters(await Deno.readFile(path));
    assert.equal(units.length, 20);
    using decoder = H264Decoder.create();
    const frameBytes = 160 * 120 * 3 / 2;
    const picture = new Uint8Array(frameBytes);
    const decoded: Uint8Array[] = [];
    const times: number[] = [];
    const take = () => {
      assert.deepEqual([decoder.width, decoder.height, decoder.byteLength], [160, 120, frameBytes]);
      assert.equal(decoder.read(picture), frameBytes);
      decoded.push(picture.slice());
      times.push(decoder.timestampNs);
    };
    // Decode order; the stamps are the decode index, handed back in display order.
    units.forEach((unit, i) => decoder.decode(unit, i * 1000) && take());
    while (decoder.flush()) take();
    assert.equal(decoded.length, 20);
    for (let n = 0; n < 20; n++) {
      assert.deepEqual(
        decoded[n],
        expected.subarray(n * frameBytes, (n + 1) * frameBytes),
        `frame ${n}`,
      );
    }
    assert.notDeepEqual(times, [...times].sort((a, b) => a - b), "B-frames come out reordered");
  });
});

Deno.test("H264Decoder reports corrupt input as CodecError and a small buffer as BufferTooSmallError", () => {
  using decoder = H264Decoder.create();
  assert.throws(
    () => decoder.decode(new Uint8Array([0, 0, 0, 1, 0x65, 0xff, 0x00, 0x12, 0x34]), 0),
    (e: unknown) => e instanceof CodecError && /no SPS\/PPS|corrupt/.test(e.message),
  );
  using encoder = H264Encoder.create({ width: 32, height: 16, backend: "openh264" });
  const unit = new Uint8Array(encoder.maxAccessUnitBytes);
  const n = encoder.encode({ format: "I420", data: new Uint8Array(768), timestampNs: 0 }, unit);
  assert.ok(decoder.decode(unit.subarray(0, n), 0));
  assert.throws(
    () => decoder.read(new Uint8Array(10)),
    (e: unknown) => e instanceof BufferTooSmallError && e.needed === 768,
  );
  assert.equal(decoder.read(new Uint8Array(768)), 768, "the picture is still there");
});
