/// <reference lib="dom" />
/**
 * The dashboard's live view of any encoded output: an `H264Encoder` feeding an `Mp4Writer` (no
 * `WhepSink` anywhere); selecting the encoder shows "Watch live" for its `out` output, which
 * plays in the side panel (the test pattern's box moves) through a probe and a WHEP endpoint the
 * dashboard manages: the graph gains no node or connection, `rt.probes()` lists the probe while
 * someone watches, and "Stop" ends the session (the probe and endpoint close once idle, with the
 * dashboard at the latest). The encoder makes only its first keyframe on its own, so the viewer
 * plays only because its keyframe request reached the encoder through the probe (across the
 * Worker boundary in the second test). Also: the route refuses a raw video output with a code.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  createRuntime,
  H264Encoder,
  Mp4Writer,
  NullSink,
  TestPattern,
} from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { boxMoves, launchChromium, within } from "./chromium.ts";
import { startWhep } from "./whep_page.ts";

Deno.test({
  name: "Dashboard: the live view plays any encoded output through a probe, adding no node",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_live_output_" });
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" }, {
      id: "pattern",
    });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 0 }, {
      id: "enc",
    });
    const writer = rt.add(Mp4Writer, { path: `${dir}/out.mp4` }, { id: "rec" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, writer.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const context = await launchChromium();
    const graphBefore = JSON.stringify(
      rt.describe().nodes.map((n) => n.id).concat(rt.describe().connections.map((c) => c.id)),
    );
    try {
      // A raw video output is refused with a code.
      const refused = await fetch(`${dashboard.origin}/api/v1/live/pattern/video`, {
        method: "POST",
        headers: { "content-type": "application/sdp", authorization: `Bearer ${dashboard.token}` },
        body: "v=0\r\n",
      });
      assert.equal(refused.status, 422);
      assert.equal((await refused.json()).error.code, "webrtc_not_endpoint");

      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(dashboard.url);
      await page.locator('svg.graph [data-node="enc"]').waitFor({ timeout: 15_000 });
      await page.click('svg.graph [data-node="enc"] .node-title');
      const button = page.locator('[data-live="enc.out"] [data-action="live"]');
      await button.waitFor({ timeout: 5_000 });
      assert.equal(await button.textContent(), "Watch live");
      await button.click();
      await boxMoves(page, "the side panel's live view", '[data-live-video="enc.out"]');
      const live = () => rt.probes().filter((p) => p.port === "enc.out");
      assert.deepEqual(live(), [{ port: "enc.out", isolate: "main" }]); // beside the thumbnails
      const graphWhile = JSON.stringify(
        rt.describe().nodes.map((n) => n.id).concat(rt.describe().connections.map((c) => c.id)),
      );
      assert.equal(graphWhile, graphBefore, "no hidden node or connection");
      assert.equal(await button.textContent(), "Stop");
      await button.click();
      assert.equal(await button.textContent(), "Watch live");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await dashboard.close();
      await within(
        (async () => {
          while (rt.probes().some((p) => p.port === "enc.out")) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })(),
        5_000,
        "the probe to close with the dashboard",
      );
      await rt.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "Live view: an encoder on a Worker plays over /api/v1/live (the probe copies in the Worker)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime();
    const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 0 }, {
      id: "enc",
      placement: { worker: "codec" },
    });
    const sink = rt.add(NullSink, {});
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, sink.inputs.in);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const context = await launchChromium();
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.origin}/api/v1`);
      const started = await within(
        page.evaluate(startWhep, {
          url: `${dashboard.origin}/api/v1/live/enc/out`,
          token: dashboard.token,
        }),
        15_000,
        "the WHEP offer/answer",
      );
      assert.equal(started.status, 201, started.body);
      assert.match(started.location ?? "", /^\/api\/v1\/live\/enc\/out\/\d+$/);
      assert.deepEqual(rt.probes().filter((p) => p.port === "enc.out"), [
        { port: "enc.out", isolate: "worker:codec" },
      ]);
      await boxMoves(page, "the live view from a page of its own");
      const status = await page.evaluate(async (args) => {
        const r = await fetch(args.url, {
          method: "DELETE",
          headers: { authorization: `Bearer ${args.token}` },
        });
        return r.status;
      }, { url: `${dashboard.origin}${started.location}`, token: dashboard.token });
      assert.equal(status, 200);
    } finally {
      await context.close();
      await dashboard.close();
      await rt.stop();
    }
  },
});
