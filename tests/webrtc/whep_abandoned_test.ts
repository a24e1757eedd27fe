/**
 * A WHEP session whose player never connects (an offer POSTed, the answer never used) does not
 * hold a viewer's place for good: the endpoint drops it 15 s after the answer. With
 * `maxViewers: 1` a second offer meanwhile is 503 `webrtc_too_many_peers`; afterwards it is
 * answered. The offer is one Chromium made (a fixture), so str0m sees a real browser's SDP.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { within } from "./chromium.ts";

const OFFER = await Deno.readTextFile(
  new URL("../fixtures/webrtc/chromium_whep_offer.sdp", import.meta.url),
);

Deno.test({
  name: "WhepSink drops a session whose player never connects and frees its place",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 64, height: 48, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264" });
    const whep = rt.add(WhepSink, { maxViewers: 1 }, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const post = async () => {
      const r = await fetch(`${dashboard.origin}/api/v1/whep/live`, {
        method: "POST",
        headers: { "content-type": "application/sdp", authorization: `Bearer ${dashboard.token}` },
        body: OFFER,
      });
      const text = await r.text();
      return { status: r.status, text };
    };
    const viewers = () => (rt.stats().nodes.live.processor as { viewers: number }).viewers;
    try {
      const first = await post();
      assert.equal(first.status, 201, first.text);
      assert.match(first.text, /^v=0/);
      const second = await post();
      assert.equal(second.status, 503);
      assert.equal(JSON.parse(second.text).error.code, "webrtc_too_many_peers");
      const started = Date.now();
      await within(
        (async () => {
          while (viewers() !== 0) await new Promise((resolve) => setTimeout(resolve, 200));
        })(),
        25_000,
        "the abandoned session to be dropped",
      );
      assert.ok(Date.now() - started > 10_000, "not before the connect timeout");
      const third = await post();
      assert.equal(third.status, 201, third.text);
    } finally {
      await dashboard.close();
      await rt.stop();
    }
  },
});
