/**
 * WHIP ingest from a real, independent peer: headless Chromium publishes its fake camera and
 * microphone to the dashboard's WHIP endpoint; WhipSource feeds Mp4Writer for 5 s; ffprobe
 * checks the file has an H.264 and an Opus stream and lasts about 5 s. Chromium's RTCP sender
 * reports of both streams come, and place its audio and video (`avSync`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, Mp4Writer, WhipSource } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { launchChromium, within } from "./chromium.ts";
import { startWhip } from "./whip_page.ts";

async function ffprobe(path: string): Promise<{
  streams: { codec_name: string; codec_type: string }[];
  format: { duration: string };
}> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", path],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  assert.ok(out.success, `ffprobe failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test({
  name: "WhipSource takes Chromium's fake camera and microphone over WHIP and records 5 s of MP4",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_whip_" });
    const path = `${dir}/ingest.mp4`;
    const rt = createRuntime({ workers: false });
    const whip = rt.add(WhipSource, {}, { id: "ingest" });
    const writer = rt.add(Mp4Writer, { path, maxSeconds: 5 }, { id: "rec" });
    rt.connect(whip.outputs.video, writer.inputs.video);
    rt.connect(whip.outputs.audio, writer.inputs.audio);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const context = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ]);
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.origin}/api/v1`);
      const started = await within(
        page.evaluate(startWhip, {
          url: `${dashboard.origin}/api/v1/whip/ingest`,
          token: dashboard.token,
        }),
        15_000,
        "the WHIP offer/answer",
      );
      assert.equal(started.status, 201, started.body);
      assert.match(started.videoCodec, /H264/);
      assert.match(started.location ?? "", /^\/api\/v1\/whip\/ingest\/\d+$/);
      type Stats = { videoFrames: number; audioFrames: number; publishers: number; avSync: string };
      const stats = () => rt.stats().nodes.ingest.processor as unknown as Stats;
      await within(
        (async () => {
          while (stats().videoFrames === 0 || stats().audioFrames === 0) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })(),
        15_000,
        "the first video and audio frames from Chromium",
      );
      const mediaAt = performance.now();
      assert.equal(stats().avSync, "arrival");
      await within(
        (async () => {
          while (stats().avSync !== "sender-reports") await new Promise((r) => setTimeout(r, 20));
        })(),
        10_000,
        "Chromium's sender reports of both streams",
      );
      console.log(
        `sender reports placed the media ${(performance.now() - mediaAt).toFixed(0)} ms in`,
      );
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, 5_800 - (performance.now() - mediaAt)))
      ); // maxSeconds ends the take at 5 s
      // Chromium's fake camera sends 30 fps; on a loaded machine it may fall behind, so wait for
      // 100 frames (about 3.3 s of video) rather than assume them by the clock.
      await within(
        (async () => {
          while (stats().videoFrames <= 100) await new Promise((r) => setTimeout(r, 50));
        })(),
        30_000,
        `100 video frames from Chromium (${JSON.stringify(stats())})`,
      );
      assert.equal(stats().publishers, 1);
    } finally {
      await context.close();
      await dashboard.close();
      await rt.stop(); // finalizes the MP4
    }
    try {
      const probe = await ffprobe(path);
      const codecs = probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
      assert.deepEqual(codecs, ["audio:opus", "video:h264"]);
      const duration = Number(probe.format.duration);
      assert.ok(duration > 4.5 && duration < 5.5, `duration ${duration} s`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
