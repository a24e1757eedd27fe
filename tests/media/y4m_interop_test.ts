import assert from "node:assert/strict";
import { UnsupportedY4mColorspaceError } from "../../processors/formats/_y4m_errors.ts";
import { Y4mReader } from "../../processors/formats/y4m_reader.ts";
import { Y4mWriter } from "../../processors/formats/y4m_writer.ts";
import { TestPatternRenderer } from "../../processors/video/test_pattern.ts";
import { run, withTempDir } from "./media_tools.ts";

async function probe(path: string): Promise<Record<string, unknown>> {
  const out = await run("ffprobe", [
    "-v",
    "error",
    "-count_frames",
    "-show_entries",
    "stream=width,height,nb_read_frames,pix_fmt,r_frame_rate",
    "-of",
    "json",
    path,
  ]);
  return JSON.parse(out.text).streams[0];
}

/** FFmpeg's decoding of a video file to raw yuv420p frames. */
async function ffmpegRaw(path: string): Promise<Uint8Array> {
  return (await run("ffmpeg", [
    "-v",
    "error",
    "-i",
    path,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "yuv420p",
    "-",
  ]))
    .stdout;
}

Deno.test("Y4mWriter output: ffprobe counts 10 test-pattern frames and ffmpeg decodes them bit-exact", async () => {
  await withTempDir(async (dir) => {
    for (const colorspace of ["420jpeg", "420mpeg2"] as const) {
      const path = `${dir}/bars_${colorspace}.y4m`;
      const pattern = new TestPatternRenderer("I420", 320, 240);
      const frames: Uint8Array[] = [];
      await using writer = await Y4mWriter.create(path, {
        width: 320,
        height: 240,
        frameRate: { numerator: 25, denominator: 1 },
        colorspace,
      });
      for (let n = 0; n < 10; n++) {
        const frame = new Uint8Array(pattern.byteLength);
        pattern.render(n, frame);
        frames.push(frame);
        await writer.writeFrame(frame);
      }
      await writer.close();

      assert.deepEqual(await probe(path), {
        width: 320,
        height: 240,
        pix_fmt: "yuv420p",
        r_frame_rate: "25/1",
        nb_read_frames: "10",
      });
      const raw = await ffmpegRaw(path);
      assert.equal(raw.length, 10 * pattern.byteLength);
      for (let n = 0; n < 10; n++) {
        assert.deepEqual(
          raw.subarray(n * pattern.byteLength, (n + 1) * pattern.byteLength),
          frames[n],
        );
      }
    }
  });
});

Deno.test("Y4mReader reads ffmpeg's testsrc in C420jpeg, C420mpeg2 and C420paldv", async () => {
  await withTempDir(async (dir) => {
    for (
      const [location, colorspace] of [
        ["unspecified", "420jpeg"],
        ["left", "420mpeg2"],
        ["topleft", "420paldv"],
      ] as const
    ) {
      const path = `${dir}/testsrc_${location}.y4m`;
      await run("ffmpeg", [
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=5",
        "-frames:v",
        "3",
        "-pix_fmt",
        "yuv420p",
        ...(location === "unspecified" ? [] : ["-chroma_sample_location", location]),
        path,
      ]);
      await using reader = await Y4mReader.open(path);
      const { header } = reader;
      assert.deepEqual(
        [header.width, header.height, header.frameRate, header.colorspace, header.interlace],
        [64, 48, { numerator: 5, denominator: 1 }, colorspace, "p"],
      );
      assert.ok(header.extensions.includes("COLORRANGE=LIMITED"), `${header.extensions}`);
      const raw = await ffmpegRaw(path);
      const frame = new Uint8Array(reader.frameByteLength);
      let count = 0;
      while (await reader.readFrame(frame)) {
        assert.deepEqual(frame, raw.subarray(count * 4608, (count + 1) * 4608), `frame ${count}`);
        count++;
      }
      assert.equal(count, 3);
    }
  });
});

Deno.test("Y4mReader rejects ffmpeg's 4:2:2 output, naming the supported colour spaces", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/yuv422.y4m`;
    await run("ffmpeg", [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=64x48:rate=5",
      "-frames:v",
      "1",
      "-pix_fmt",
      "yuv422p",
      "-strict",
      "-1",
      path,
    ]);
    await assert.rejects(Y4mReader.open(path), (e) => {
      assert.ok(e instanceof UnsupportedY4mColorspaceError);
      assert.equal(e.colorspace, "422");
      return true;
    });
  });
});
