/**
 * WhipSource stamps a publisher's audio and video as the sender captured them, from its RTCP
 * sender reports: an aiortc publisher whose media has a white frame and a beep at the same
 * capture instant each second, and whose camera delivers its first frame 150 ms late (as a camera
 * slower to start than the microphone does), is recorded by `Mp4Writer`; ffmpeg finds each white
 * frame and each beep onset in the file. Placed by arrival (before both streams had a sender
 * report) the pairs are about 150 ms apart; placed by the sender reports, under 20 ms (the
 * median; about 13 ms of it is the media path's, in both placements).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, Mp4Writer, WhipSource } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { within } from "./chromium.ts";
import { aiortcPublisher } from "./aiortc_publisher.ts";

const FIRST_VIDEO_DELAY_MS = 150;

/** Flash frame times and beep onsets (seconds) in the file, from one ffmpeg run. */
async function flashesAndBeeps(path: string): Promise<{ flashes: number[]; beeps: number[] }> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_av_" });
  const luma = `${dir}/luma.txt`;
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-nostats",
      "-copyts",
      "-i",
      path,
      "-filter_complex",
      `[0:v]signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=${luma}[v];` +
      `[0:a]silencedetect=n=-30dB:d=0.3[a]`,
      "-map",
      "[v]",
      "-map",
      "[a]",
      "-f",
      "null",
      "-",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, log);
  const flashes: number[] = [];
  let time = NaN;
  for (const line of (await Deno.readTextFile(luma)).split("\n")) {
    const pts = line.match(/pts_time:([\d.]+)/);
    if (pts) time = Number(pts[1]);
    const y = line.match(/YAVG=([\d.]+)/);
    if (y && Number(y[1]) > 128) flashes.push(time);
  }
  const beeps = [...log.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
  await Deno.remove(dir, { recursive: true });
  return { flashes, beeps };
}

Deno.test({
  name: "WhipSource aligns an aiortc publisher's audio and video by its RTCP sender reports",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_whip_av_" });
    const path = `${dir}/ingest.mp4`;
    const rt = createRuntime({ workers: false });
    const whip = rt.add(WhipSource, {}, { id: "ingest" });
    const writer = rt.add(Mp4Writer, { path }, { id: "rec" });
    rt.connect(whip.outputs.video, writer.inputs.video);
    rt.connect(whip.outputs.audio, writer.inputs.audio);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const publisher = aiortcPublisher(
      `${dashboard.origin}/api/v1/whip/ingest`,
      dashboard.token,
      FIRST_VIDEO_DELAY_MS,
    );
    let switchedS = NaN;
    try {
      await within(publisher.connected, 20_000, "the publisher's connection");
      const start = performance.now();
      // Nine seconds of media; note when both streams' sender reports placed it.
      while (performance.now() - start < 9_500) {
        const sync = rt.stats().nodes.ingest.processor?.avSync;
        if (sync === "sender-reports" && Number.isNaN(switchedS)) {
          switchedS = (performance.now() - start) / 1000;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await publisher.close();
    } finally {
      await publisher.kill();
      await dashboard.close();
      await rt.stop();
    }
    assert.ok(!Number.isNaN(switchedS), "the sender reports never placed the media");
    const { flashes, beeps } = await flashesAndBeeps(path);
    await Deno.remove(dir, { recursive: true });
    assert.ok(flashes.length >= 6, `flashes at ${flashes}`);
    // Each flash and the beep nearest to it: audio minus video, ms.
    const pairs = flashes.map((flash) => {
      const beep = beeps.reduce((a, b) => (Math.abs(b - flash) < Math.abs(a - flash) ? b : a));
      return { at: flash, offsetMs: Math.round((beep - flash) * 1e4) / 10 };
    });
    console.log(`sender reports placed the media ${switchedS.toFixed(1)} s in`);
    console.log(pairs.map((p) => `${p.at.toFixed(2)} s: ${p.offsetMs} ms`).join("\n"));
    // The file starts about when the publisher connected; a second of margin either side.
    const byReports = pairs.filter((p) => p.at > switchedS + 1);
    const byArrival = pairs.filter((p) => p.at < switchedS - 1);
    assert.ok(byReports.length >= 4, JSON.stringify({ switchedS, pairs }));
    // aiortc pairs each report's wall time with the sending of its last packet, so a busy moment
    // of the sender moves one report's mapping a little: the median within 20 ms, each within 30.
    const sorted = byReports.map((p) => Math.abs(p.offsetMs)).sort((a, b) => a - b);
    assert.ok(sorted[Math.floor(sorted.length / 2)] < 20, JSON.stringify(byReports));
    for (const p of byReports) assert.ok(Math.abs(p.offsetMs) < 30, JSON.stringify(p));
    for (const p of byArrival) assert.ok(Math.abs(p.offsetMs) > 100, JSON.stringify(p));
  },
});
