import assert from "node:assert/strict";
import { run, withTempDir } from "../media/media_tools.ts";
import { numberAfter, runExample } from "./run_example.ts";

Deno.test("examples/pattern_to_y4m.ts records scaled colour bars that ffprobe counts frame by frame", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pattern.y4m`;
    const { stdout } = await runExample("pattern_to_y4m.ts", [
      "--seconds",
      "1",
      "--fps",
      "30",
      "--size",
      "320x240",
      "--out",
      path,
    ]);
    const written = numberAfter(stdout, "frames written:");
    assert.ok(written >= 10 && written <= 40, `1 s at 30 fps wrote ${written} frames`);

    const probe = JSON.parse(
      (await run("ffprobe", [
        "-v",
        "error",
        "-count_frames",
        "-show_entries",
        "stream=width,height,nb_read_frames,pix_fmt",
        "-of",
        "json",
        path,
      ])).text,
    ).streams[0];
    assert.deepEqual(
      [probe.width, probe.height, Number(probe.nb_read_frames), probe.pix_fmt],
      [320, 240, written, "yuv420p"],
    );

    // FFmpeg decodes the first frame: its luma has the bars' spread, not one flat value.
    const luma = (await run("ffmpeg", [
      "-v",
      "error",
      "-i",
      path,
      "-frames:v",
      "1",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "gray",
      "-",
    ])).stdout;
    assert.equal(luma.length, 320 * 240);
    const row = luma.subarray(60 * 320, 61 * 320); // a row through the colour bars
    assert.ok(Math.max(...row) - Math.min(...row) > 100, `luma row ${row.slice(0, 320 / 8)}`);
  });
});
