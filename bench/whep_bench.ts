/**
 * Glass-to-glass latency of WHEP playback, 720p30, on loopback: TestPattern -> H264Encoder
 * (OpenH264, baseline, real-time mode) -> WhepSink -> headless Chromium. For every frame the
 * browser presents, `requestVideoFrameCallback` gives its RTP timestamp (our pts at 90 kHz) and
 * the time it is shown; the pts (stamped by `CaptureStamp` when the pattern's frame exists, as a
 * camera stamps capture) is put back on the wall clock with the offset between the
 * runtime's media clock and `performance.timeOrigin + performance.now()` (one machine, one
 * clock), so latency = shown - pts: encode, queue,
 * packetize, network, jitter buffer, decode and presentation.
 *
 * Run: `deno run -A bench/whep_bench.ts [seconds]` (default 20). Prints p50/p99/max and frames.
 *
 * @module
 */

import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../processors/mod.ts";
import { createDashboard } from "../web/mod.ts";
import { launchChromium, within } from "../tests/webrtc/chromium.ts";
import { startWhep } from "../tests/webrtc/whep_page.ts";
import { CaptureStamp } from "./processors/capture_stamp.ts";
import "./processors/capture_stamp.gen.ts";

const seconds = Number(Deno.args[0] ?? 20);
const rt = createRuntime({ workers: false });
const pattern = rt.add(TestPattern, { width: 1280, height: 720, fps: 30, pixelFormat: "I420" });
const encoder = rt.add(H264Encoder, {
  backend: "openh264",
  bitrate: 2_500_000,
  keyframeInterval: 60,
  lowLatency: true,
});
const whep = rt.add(WhepSink, {}, { id: "live" });
// Latency counts from when a frame exists (a camera's capture time), not from the pattern's
// nominal frame time, which an overloaded machine runs behind.
const stamp = rt.add(CaptureStamp, {});
rt.connect(pattern.outputs.video, stamp.inputs.in);
rt.connect(stamp.outputs.out, encoder.inputs.in);
rt.connect(encoder.outputs.out, whep.inputs.video);
await rt.start();
const dashboard = await createDashboard(rt);
const context = await launchChromium();
try {
  const page = await context.newPage();
  await page.goto(`${dashboard.origin}/api/v1`);
  const started = await within(
    page.evaluate(startWhep, {
      url: `${dashboard.origin}/api/v1/whep/live`,
      token: dashboard.token,
    }),
    15_000,
    "the WHEP offer/answer",
  );
  if (started.status !== 201) throw new Error(`WHEP POST: ${started.status} ${started.body}`);
  await page.waitForFunction(
    () => {
      const v = document.getElementById("v") as HTMLVideoElement | null;
      return v !== null && v.readyState >= 2 && v.videoWidth === 1280;
    },
    undefined,
    { timeout: 15_000 },
  );
  // Warm up 2 s (jitter buffer settles), then record.
  await page.waitForTimeout(2000);
  const samples = await within(
    page.evaluate(
      (ms) =>
        new Promise<{ rtp: number; shown: number; received: number }[]>((resolve) => {
          const v = document.getElementById("v") as HTMLVideoElement;
          const out: { rtp: number; shown: number; received: number }[] = [];
          const end = performance.now() + ms;
          type Meta = VideoFrameCallbackMetadata & { rtpTimestamp?: number; receiveTime?: number };
          const tick = (_now: number, m: Meta) => {
            if (m.rtpTimestamp !== undefined) {
              out.push({
                rtp: m.rtpTimestamp,
                shown: performance.timeOrigin + m.expectedDisplayTime,
                received: performance.timeOrigin + (m.receiveTime ?? NaN),
              });
            }
            if (performance.now() < end) v.requestVideoFrameCallback(tick);
            else resolve(out);
          };
          v.requestVideoFrameCallback(tick);
        }),
      seconds * 1000,
    ),
    seconds * 1000 + 10_000,
    "the recording of frame times",
  );
  const wallMinusMediaMs = performance.timeOrigin + performance.now() - rt.clock.nowNs() / 1e6;
  if (samples.length === 0) {
    throw new Error("Chromium gave no rtpTimestamp (requestVideoFrameCallback)");
  }
  const nowTicks = rt.clock.nowNs() / 1e9 * 90_000;
  const wrap = 2 ** 32;
  const wallOf = (rtp: number) => {
    const k = Math.round((nowTicks - rtp) / wrap);
    return (rtp + k * wrap) / 90 + wallMinusMediaMs;
  };
  const sorted = (values: number[]) => values.filter(Number.isFinite).sort((a, b) => a - b);
  const latencies = sorted(samples.map(({ rtp, shown }) => shown - wallOf(rtp)));
  // Where it goes: frame time -> last packet received (sender + network), then -> shown.
  const toReceive = sorted(samples.map(({ rtp, received }) => received - wallOf(rtp)));
  const receiveToShown = sorted(samples.map(({ received, shown }) => shown - received));
  const q = (values: number[], p: number) =>
    values[Math.min(values.length - 1, Math.floor(values.length * p))];
  const at = (p: number) => q(latencies, p);
  const stats = rt.stats().nodes.live.processor as {
    peers: { framesDropped: number; rttMs: number }[];
  };
  console.log(
    `WHEP glass-to-glass, 1280x720 @ 30 fps, OpenH264 2.5 Mbit/s, loopback, ${seconds} s`,
  );
  console.log("| frames shown | fps | p50 | p99 | max | dropped (sink) | RTT |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  console.log(
    `| ${latencies.length} | ${(latencies.length / seconds).toFixed(1)} | ${
      at(0.5).toFixed(1)
    } ms | ${at(0.99).toFixed(1)} ms | ${latencies.at(-1)!.toFixed(1)} ms | ${
      stats.peers[0]?.framesDropped
    } | ${stats.peers[0]?.rttMs?.toFixed(2) ?? "-"} ms |`,
  );
  const ages = [];
  for (let i = 0; i < 20; i++) {
    ages.push((rt.stats().nodes.live.processor as { videoAgeMs: number }).videoAgeMs);
    await new Promise((resolve) => setTimeout(resolve, 37));
  }
  console.log(`frame age when handed to the network thread: ${ages.join(", ")} ms`);
  const { lateRuns, skippedRuns } = rt.stats().nodes[pattern.name];
  console.log(`pattern: ${lateRuns} late runs, ${skippedRuns} skipped deadlines (machine load)`);
  console.log(
    `frame time -> received: p50 ${q(toReceive, 0.5)?.toFixed(1)} ms, p99 ${
      q(toReceive, 0.99)?.toFixed(1)
    } ms; received -> shown: p50 ${q(receiveToShown, 0.5)?.toFixed(1)} ms, p99 ${
      q(receiveToShown, 0.99)?.toFixed(1)
    } ms`,
  );
} finally {
  await context.close();
  await dashboard.close();
  await rt.stop();
}
