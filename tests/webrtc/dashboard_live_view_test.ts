/// <reference lib="dom" />
/**
 * The dashboard's live view: selecting a `WhepSink` node shows "Watch live", which plays the node
 * over WHEP in the side panel (the test pattern's box moves in the panel's `<video>`); "Stop"
 * ends the session (DELETE), and the sink has no viewer left. The panel's counter table shows the
 * sink's own counters (`viewers`, the viewer's `rttMs`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { launchChromium, within } from "./chromium.ts";
import { sampleBox } from "./whep_page.ts";

Deno.test({
  name: "Dashboard: a WhepSink's live view plays in the side panel and stops",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 0 });
    const whep = rt.add(WhepSink, {}, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const context = await launchChromium();
    const viewers = () => (rt.stats().nodes.live.processor as { viewers: number }).viewers;
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(dashboard.url);
      await page.locator('svg.graph [data-node="live"]').waitFor({ timeout: 15_000 });
      await page.click('svg.graph [data-node="live"] .node-title');
      const button = page.locator('[data-live="live"] [data-action="live"]');
      await button.waitFor({ timeout: 5_000 });
      assert.equal(await button.textContent(), "Watch live");
      await button.click();
      await page.waitForFunction(
        () => {
          const v = document.querySelector('[data-live-video="live"]') as HTMLVideoElement | null;
          return v !== null && v.readyState >= 2 && v.videoWidth === 320 && !v.paused;
        },
        undefined,
        { timeout: 15_000 },
      );
      const boxes = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const { box } = await page.evaluate(sampleBox, '[data-live-video="live"]');
        if (box) boxes.add(`${box.x},${box.y}`);
        await page.waitForTimeout(150);
      }
      assert.ok(boxes.size >= 3, `the box moves: ${[...boxes].join(" ")}`);
      assert.equal(viewers(), 1);
      // The sink's own counters (Processor.reportStats()) show in the panel, generically.
      const viewerRow = page.locator('[data-counters="live"] [data-counter="viewers"] td.num');
      await page.waitForFunction(
        () =>
          document.querySelector('[data-counters="live"] [data-counter="viewers"] td.num')
              ?.textContent === "1" &&
          document.querySelector('[data-counters="live"] [data-counter="peers[0].rttMs"]') !==
            null,
        undefined,
        { timeout: 5_000 },
      );
      assert.equal(await viewerRow.textContent(), "1");
      assert.equal(await button.textContent(), "Stop");
      await button.click();
      await within(
        (async () => {
          while (viewers() !== 0) await new Promise((resolve) => setTimeout(resolve, 50));
        })(),
        5_000,
        "the session to end after Stop",
      );
      assert.equal(await button.textContent(), "Watch live");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await dashboard.close();
      await rt.stop();
    }
  },
});
