/**
 * Audio and video stay in step in an MP4 recorded while the machine is loaded: the sources miss
 * deadlines, stamp their frames on the clock (gaps, not a lag), and `Mp4Writer` places audio by
 * its timestamps (silence in the gaps) instead of by its sample count.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { NodeWarningEvent } from "../../types.ts";
import { createRuntime } from "../../processors/runtime.ts";
import { run, withTempDir } from "./media_tools.ts";

/**
 * Seconds of media recorded (`maxSeconds`: both tracks are cut at the same media time, so where
 * each ends says how far apart they drifted, not when each source happened to stop). The sources
 * are live: the test runs 0.5 s longer in real time.
 */
const SECONDS = Number(Deno.env.get("AV_SYNC_SECONDS") ?? 60);
/** Samples per tone block and per Opus packet: 20 ms at 48 kHz, the "one audio block" bound. */
const BLOCK = 960;
const BLOCK_S = BLOCK / 48_000;

/** Where each stream of `path` starts and ends, in seconds, by ffprobe. */
async function streamTimes(path: string): Promise<Record<string, { start: number; end: number }>> {
  const out = await run("ffprobe", [
    ..."-v error -show_entries stream=codec_type,start_time,duration -of json".split(" "),
    path,
  ]);
  const times: Record<string, { start: number; end: number }> = {};
  for (const s of JSON.parse(out.text).streams) {
    const start = Number(s.start_time);
    times[s.codec_type] = { start, end: start + Number(s.duration) };
  }
  return times;
}

/** Blocks the main isolate's event loop for `ms` every `everyMs`: the sources miss deadlines. */
function stallEventLoop(ms: number, everyMs: number): () => void {
  const id = setInterval(() => {
    const until = performance.now() + ms;
    while (performance.now() < until) { /* busy */ }
  }, everyMs);
  return () => clearInterval(id);
}

Deno.test(`A ${SECONDS} s MP4 of TestPattern + TestToneGenerator under a CPU hog: audio and video end within one audio block`, async () => {
  await withTempDir(async (dir) => {
    // A process spinning on a core, and the runtime's own isolate stalled 150 ms every 700 ms:
    // far beyond the catch-up bound (4 runs), so both sources skip deadlines again and again.
    const hog = new Deno.Command(Deno.execPath(), {
      args: ["eval", "for (;;) {}"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const path = `${dir}/loaded.mp4`;
    const rt = createRuntime({ workers: false });
    const warnings: NodeWarningEvent[] = [];
    rt.on((e) => e.type === "node-warning" && warnings.push(e));
    let stopStalls = () => {};
    try {
      const pattern = rt.add("TestPattern", {
        width: 160,
        height: 120,
        fps: 50,
        pixelFormat: "I420",
      }, { id: "pattern" });
      rt.add("H264Encoder", { backend: "openh264", keyframeInterval: 50 }, { id: "enc" });
      rt.add("TestToneGenerator", { blockSize: BLOCK }, { id: "tone" });
      rt.add("Mp4Writer", { path, maxSeconds: SECONDS }, { id: "rec" });
      rt.connectByName(pattern.name, "video", "enc", "in");
      rt.connectByName("enc", "out", "rec", "video");
      rt.connectByName("tone", "audio", "rec", "audio");
      await rt.start();
      stopStalls = stallEventLoop(150, 700);
      // Stalls until 4 s before the cut: the frames around it come on time, so neither track
      // ends early for a gap that happens to fall at the cut.
      await new Promise((resolve) => setTimeout(resolve, (SECONDS - 4) * 1000));
      stopStalls();
      // Half a second past the cut, no more: audio stamped by its sample count, seconds behind,
      // would not catch up to the cut in that time.
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      await rt.stop();
      const stats = rt.stats().nodes;
      const toneSkipped = Number(stats.tone.processor?.skippedMs);
      const patternSkipped = Number(stats.pattern.processor?.skippedMs);
      // The load did what it is here for: both sources fell behind and skipped media time.
      // (at least 40 ms a second: the stalls alone skip about 150 ms per 700 ms)
      const least = SECONDS * 40;
      assert.ok(toneSkipped > least, `the tone skipped only ${toneSkipped} ms: no load applied`);
      assert.ok(patternSkipped > least, `the pattern skipped only ${patternSkipped} ms`);
      const { video, audio } = await streamTimes(path);
      assert.ok(video && audio, "one video and one audio stream");
      assert.ok(video.end > SECONDS - 1, `the recording is ${video.end} s long`);
      // In step: both start together and end together at the cut, within one audio block
      // (20 ms), where audio stamped by its sample count ended seconds early (the tone's skipped
      // time: it held fewer samples than the wall time it covered).
      const ends = Math.abs(audio.end - video.end);
      const starts = Math.abs(audio.start - video.start);
      const detail = `video ${video.start}..${video.end} s, audio ${audio.start}..${audio.end} s` +
        ` (tone skipped ${toneSkipped} ms, pattern ${patternSkipped} ms)`;
      assert.ok(starts <= BLOCK_S + 1e-6, `the streams start ${starts} s apart: ${detail}`);
      // Audio reaches the cut on its timestamps (stamped by its sample count it would end the
      // tone's skipped time early).
      assert.ok(
        Math.abs(audio.end - SECONDS) <= BLOCK_S + 1e-6,
        `the audio ends ${audio.end} s, the cut is ${SECONDS} s: ${detail}`,
      );
      // Video ends at the cut too, unless the pattern itself skipped its last frames (a loaded
      // machine can stall it after the stalls stopped): then its track ends where its frames do.
      if (video.end > SECONDS - 0.1) {
        assert.ok(ends <= BLOCK_S + 1e-6, `the streams end ${ends} s apart: ${detail}`);
      }
      const rec = stats.rec.processor!;
      assert.ok(Number(rec.audioFilledSamples) > 0, "the writer filled the tone's gaps");
      assert.ok(
        warnings.some((w) => w.code === "av_drift" && w.node === "rec" && w.port === "audio"),
        `no av_drift warning: ${JSON.stringify(warnings)}`,
      );
    } finally {
      stopStalls();
      if (rt.state !== "stopped") await rt.stop();
      hog.kill("SIGKILL");
      await hog.status;
    }
  });
});
