/**
 * WHEP playback in a real, independent peer: headless Chromium negotiates with the dashboard's
 * WHEP endpoint, plays the pipeline's H.264 + Opus, and the test reads frames from the `<video>`
 * through a canvas: the test pattern's white box moves (live video), at a live frame rate. The
 * encoder makes only its first keyframe on its own (`keyframeInterval: 0`), so the picture the
 * viewer joins on is the keyframe its request asked for.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  createRuntime,
  H264Encoder,
  TestPattern,
  TestToneGenerator,
  WhepSink,
} from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { launchChromium, within } from "./chromium.ts";
import { sampleBox, startWhep } from "./whep_page.ts";

Deno.test({
  name:
    "WhepSink plays live in Chromium over WHEP: the box moves, keyframe on request, DELETE ends it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 0 });
    const tone = rt.add(TestToneGenerator, { frequency: 440 });
    const whep = rt.add(WhepSink, {}, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    rt.connect(tone.outputs.audio, whep.inputs.audio);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const context = await launchChromium();
    try {
      // Joining 1.5 s in: the only keyframe so far was the first, long gone.
      await new Promise((resolve) => setTimeout(resolve, 1500));
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
      assert.equal(started.status, 201, started.body);
      assert.match(started.location ?? "", /^\/api\/v1\/whep\/live\/\d+$/);
      await page.waitForFunction(
        () => {
          const v = document.getElementById("v") as HTMLVideoElement | null;
          return v !== null && v.readyState >= 2 && v.videoWidth === 320 && !v.paused;
        },
        undefined,
        { timeout: 15_000 },
      );
      const samples = [];
      for (let i = 0; i < 12; i++) {
        samples.push(await page.evaluate(sampleBox, "#v"));
        await page.waitForTimeout(150);
      }
      const positions = new Set(samples.filter((s) => s.box).map((s) => `${s.box!.x},${s.box!.y}`));
      assert.ok(positions.size >= 3, `the box moves: ${JSON.stringify(samples.map((s) => s.box))}`);
      const first = samples[0], last = samples.at(-1)!;
      const fps = (last.frames - first.frames) / (last.time - first.time);
      assert.ok(fps > 15, `live frame rate in the browser: ${fps.toFixed(1)} fps`);

      type Stats = Record<string, unknown> & {
        peers: { frames: number; state: string; sendBitrateBps: number; rttMs: number | null }[];
      };
      const read = () => rt.stats().nodes.live.processor as Stats;
      // Peer stats come from str0m about once a second; the rate needs two reports.
      await within(
        (async () => {
          while (!(read().peers[0]?.sendBitrateBps > 0)) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })(),
        5_000,
        "a send bit rate in the viewer's stats",
      );
      const stats = read();
      assert.equal(stats.viewers, 1);
      assert.equal(stats.peers[0].state, "connected");
      assert.ok(stats.peers[0].frames > 30, JSON.stringify(stats));
      assert.ok(stats.peers[0].sendBitrateBps > 10_000, JSON.stringify(stats));
      assert.ok(
        stats.peers[0].rttMs !== null && stats.peers[0].rttMs < 1000,
        JSON.stringify(stats),
      );
      assert.ok(Number(stats.keyframeRequests) >= 1);

      const status = await page.evaluate(async (args) => {
        const r = await fetch(args.url, {
          method: "DELETE",
          headers: { authorization: `Bearer ${args.token}` },
        });
        return r.status;
      }, { url: `${dashboard.origin}${started.location}`, token: dashboard.token });
      assert.equal(status, 200);
      await within(
        (async () => {
          while ((rt.stats().nodes.live.processor as { viewers: number }).viewers !== 0) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })(),
        5_000,
        "the session to end after DELETE",
      );
    } finally {
      await context.close();
      await dashboard.close();
      await rt.stop();
    }
  },
});
