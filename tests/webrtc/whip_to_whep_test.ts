/// <reference lib="dom" />
/**
 * Restreaming without transcoding: Chromium publishes its fake camera over WHIP into a
 * `WhipSource`, whose H.264 goes straight into a `WhepSink` that a second Chromium page plays.
 * The viewer joins seconds after the publisher's first keyframe; its keyframe request travels
 * WhepSink → WhipSource (through the connection) → a PLI to the publisher, whose next keyframe
 * starts the viewer's picture.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, WhepSink, WhipSource } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { launchChromium, within } from "./chromium.ts";
import { startWhep } from "./whep_page.ts";
import { startWhip } from "./whip_page.ts";

Deno.test({
  name:
    "WhipSource -> WhepSink restreams Chromium's camera to another Chromium page; PLI reaches the publisher",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const ingest = rt.add(WhipSource, {}, { id: "ingest" });
    const relay = rt.add(WhepSink, {}, { id: "relay" });
    rt.connect(ingest.outputs.video, relay.inputs.video);
    rt.connect(ingest.outputs.audio, relay.inputs.audio);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const context = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ]);
    type Stats = { videoFrames: number; peers: { plis: number }[] };
    const ingestStats = () => rt.stats().nodes.ingest.processor as unknown as Stats;
    try {
      const publisher = await context.newPage();
      await publisher.goto(`${dashboard.origin}/api/v1`);
      const published = await within(
        publisher.evaluate(startWhip, {
          url: `${dashboard.origin}/api/v1/whip/ingest`,
          token: dashboard.token,
        }),
        15_000,
        "the WHIP publish",
      );
      assert.equal(published.status, 201, published.body);
      await within(
        (async () => {
          while (ingestStats().videoFrames < 60) await new Promise((r) => setTimeout(r, 50));
        })(),
        15_000,
        "two seconds of video from the publisher",
      );
      const plisBefore = ingestStats().peers[0].plis;
      const viewer = await context.newPage();
      await viewer.goto(`${dashboard.origin}/api/v1`);
      const watched = await within(
        viewer.evaluate(startWhep, {
          url: `${dashboard.origin}/api/v1/whep/relay`,
          token: dashboard.token,
        }),
        15_000,
        "the WHEP offer/answer",
      );
      assert.equal(watched.status, 201, watched.body);
      await viewer.waitForFunction(
        () => {
          const v = document.getElementById("v") as HTMLVideoElement | null;
          return v !== null && v.readyState >= 2 && v.videoWidth === 640 &&
            v.getVideoPlaybackQuality().totalVideoFrames > 30;
        },
        undefined,
        { timeout: 15_000 },
      );
      assert.ok(ingestStats().peers[0].plis > plisBefore, JSON.stringify(ingestStats()));
    } finally {
      await context.close();
      await dashboard.close();
      await rt.stop();
    }
  },
});
