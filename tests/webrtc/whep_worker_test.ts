/**
 * A WhepSink placed in a Worker is reached by the dashboard in the main isolate (endpoints are
 * found by node id in the process-wide native table), its viewer's keyframe request reaches the
 * encoder in the main isolate (the connection's shared state carries it), and a viewer that vanishes without a
 * DELETE (its browser closed) never stalls the graph: frames keep flowing, and the endpoint drops
 * the viewer once its silence proves it gone (3 s to 7 s).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { launchChromium, within } from "./chromium.ts";
import { sampleBox, startWhep } from "./whep_page.ts";

Deno.test({
  name:
    "WhepSink in a Worker plays in Chromium; a viewer that vanishes is dropped, the graph runs on",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime();
    const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" });
    // Only the first keyframe on its own: the viewer plays only if its keyframe request crosses
    // from the Worker to the encoder in the main isolate.
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 0 });
    const whep = rt.add(WhepSink, {}, { id: "live", placement: { worker: "net" } });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const context = await launchChromium();
    type Stats = { viewers: number; peers: { frames: number }[] };
    const stats = () => rt.stats().nodes.live.processor as unknown as Stats;
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
      assert.equal(started.status, 201, started.body);
      await page.waitForFunction(
        () => {
          const v = document.getElementById("v") as HTMLVideoElement | null;
          return v !== null && v.readyState >= 2 && v.videoWidth === 320;
        },
        undefined,
        { timeout: 15_000 },
      );
      const boxes = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const { box } = await page.evaluate(sampleBox, "#v");
        if (box) boxes.add(`${box.x},${box.y}`);
        await page.waitForTimeout(150);
      }
      assert.ok(boxes.size >= 3, `the box moves: ${[...boxes].join(" ")}`);
      assert.equal(stats().viewers, 1);
    } finally {
      await context.close(); // the viewer vanishes: no DELETE
    }
    try {
      const before = rt.stats().nodes[encoder.name].framesOut;
      const started = Date.now();
      await within(
        (async () => {
          while (stats().viewers !== 0) await new Promise((r) => setTimeout(r, 100));
        })(),
        40_000,
        "the vanished viewer to be dropped",
      );
      console.log(`viewer dropped ${Date.now() - started} ms after its browser closed`);
      await new Promise((r) => setTimeout(r, 500));
      const after = rt.stats().nodes[encoder.name].framesOut;
      const seconds = (Date.now() - started) / 1000;
      assert.ok(
        after - before > seconds * 15,
        `the graph ran on: ${after - before} frames in ${seconds.toFixed(1)} s`,
      );
    } finally {
      await dashboard.close();
      await rt.stop();
    }
  },
});
