import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import { H264Encoder } from "../../ffi/media/h264_encoder.ts";
import { parseAvcSps } from "./avc_sps.ts";
import { annexBUnits, avccToAnnexB, NAL_SPS, nalType, parseAvcDecoderConfig } from "./h264_nal.ts";

Deno.test("parseAvcSps() reads OpenH264's baseline SPS, cropping 1080 lines from 1088", () => {
  for (const [w, h] of [[1920, 1080], [176, 144], [642, 362]]) {
    using encoder = H264Encoder.create({ width: w, height: h, backend: "openh264", level: "4" });
    const out = new Uint8Array(encoder.maxAccessUnitBytes);
    encoder.encode({ format: "I420", data: new Uint8Array(w * h * 3 / 2), timestampNs: 0 }, out);
    const sps = annexBUnits(encoder.parameterSets()).find((u) => nalType(u) === NAL_SPS)!;
    const info = parseAvcSps(sps);
    assert.deepEqual([info.width, info.height, info.profileIdc, info.levelIdc], [w, h, 66, 40]);
    assert.match(info.codec, /^avc1\.42[0-9a-f]{2}28$/);
  }
});

Deno.test("parseAvcSps() reads x264's High-profile SPS the way ffprobe does", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/high.h264`;
    await run("ffmpeg", [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=1280x720:rate=25",
      "-frames:v",
      "1",
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-profile:v",
      "high",
      "-level",
      "3.1",
      "-f",
      "h264",
      path,
    ]);
    const sps = annexBUnits(await Deno.readFile(path)).find((u) => nalType(u) === NAL_SPS)!;
    const info = parseAvcSps(sps);
    assert.deepEqual([info.width, info.height, info.profileIdc, info.levelIdc], [
      1280,
      720,
      100,
      31,
    ]);
    assert.equal(info.codec, "avc1.64001f");
  });
});

Deno.test("parseAvcDecoderConfig() and avccToAnnexB() undo MP4's framing", () => {
  const avcC = new Uint8Array([
    1,
    0x42,
    0xc0,
    0x1f,
    0xff,
    0xe1,
    0,
    3,
    0x67,
    1,
    2,
    1,
    0,
    2,
    0x68,
    3,
  ]);
  const config = parseAvcDecoderConfig(avcC);
  assert.equal(config.lengthSize, 4);
  assert.deepEqual([...config.sps[0]], [0x67, 1, 2]);
  assert.deepEqual([...config.pps[0]], [0x68, 3]);
  const sample = new Uint8Array([0, 0, 0, 2, 0x65, 9]);
  assert.deepEqual(
    [...avccToAnnexB(sample, 4, [...config.sps, ...config.pps])],
    [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 9],
  );
  assert.throws(() => avccToAnnexB(new Uint8Array([0, 0, 0, 9, 1]), 4), RangeError);
  assert.throws(() => parseAvcDecoderConfig(new Uint8Array([2, 0, 0])), RangeError);
});
