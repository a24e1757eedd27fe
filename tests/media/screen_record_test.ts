import assert from "node:assert/strict";
import { run, withTempDir } from "./media_tools.ts";
import { decodeErrors, decodeI420, probe, psnr, startExample } from "./mp4_tools.ts";
import { withImageShown, withXvfb } from "./xvfb.ts";
import { convertFrame } from "../../processors/video/color_convert.ts";

Deno.test("screen_record.ts records what Xvfb shows into an MP4 that ffmpeg decodes to the same picture", async () => {
  if (Deno.build.os !== "linux") return;
  await withTempDir(async (dir) => {
    const source = ["-v", "error", "-f", "lavfi", "-i", "smptebars=size=320x240", "-frames:v", "1"];
    await run("ffmpeg", [...source, "-pix_fmt", "bgra", `${dir}/bars.xwd`]);
    const bgra =
      (await run("ffmpeg", [...source, "-f", "rawvideo", "-pix_fmt", "bgra", "-"])).stdout;
    const expected = new Uint8Array(320 * 240 * 3 / 2);
    convertFrame(bgra, "BGRA", expected, "I420", 320, 240);
    await withXvfb(320, 240, async ({ display }) => {
      await withImageShown(display, `${dir}/bars.xwd`, async () => {
        const path = `${dir}/screen.mp4`;
        const recorder = startExample("screen_record.ts", [
          "--display",
          display,
          "--out",
          path,
          "--seconds",
          "2",
          "--fps",
          "15",
        ]);
        const summary = await recorder.summary();
        assert.equal((await recorder.child.status).code, 0);
        assert.deepEqual(summary.errors, []);
        const { streams } = await probe(path);
        assert.equal(streams.length, 1);
        assert.deepEqual([streams[0].codec_name, streams[0].width, streams[0].height], [
          "h264",
          320,
          240,
        ]);
        const frames = Number(streams[0].nb_read_frames);
        assert.equal(frames, summary.videoFrames);
        // 30 frames in 2 s, give or take: one more at the boundary, and when the first capture is
        // late (a loaded machine) the capture thread keeps its schedule of deadlines (it resets it
        // only past a whole period late), so the 2 s after that first frame hold up to two more.
        assert.ok(frames >= 20 && frames <= 33, `${frames} frames in 2 s at 15 fps`);
        assert.equal(await decodeErrors(path), "");
        const decoded = await decodeI420(path);
        const last = decoded.subarray(decoded.length - expected.length);
        const quality = psnr(last, expected);
        assert.ok(quality > 30, `PSNR ${quality.toFixed(1)} dB against the bars on screen`);
      });
    });
  });
});
