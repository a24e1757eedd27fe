/**
 * WhipSink against this library's own WHIP server (the dashboard's `/api/v1/whip/:id` in front of
 * a WhipSource) with a wrong token: the server answers 401, and WhipSink fails the node with code
 * `webrtc_publish_refused` after one attempt instead of retrying forever.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  createRuntime,
  H264Encoder,
  TestPattern,
  WhipSink,
  WhipSource,
} from "../../processors/mod.ts";
import type { RuntimeEvent } from "../../mod.ts";
import { createDashboard } from "../../web/mod.ts";

Deno.test({
  name: "WhipSink gives up on a 401 (bad token) with webrtc_publish_refused",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = createRuntime({ workers: false });
    server.add(WhipSource, {}, { id: "ingest" });
    await server.start();
    await using dashboard = await createDashboard(server, {
      port: 0,
      token: "the-right-token-0123456789",
    });
    Deno.env.set("STREAMLIB_TEST_WHIP_TOKEN", "a-wrong-token-0123456789");
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 160, height: 120, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264" });
    const whip = rt.add(WhipSink, {
      url: `${dashboard.origin}/api/v1/whip/ingest`,
      tokenEnv: "STREAMLIB_TEST_WHIP_TOKEN",
      retryMinSeconds: 0.1,
      retryMaxSeconds: 0.2,
    }, { id: "publish" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whip.inputs.video);
    const errors: RuntimeEvent[] = [];
    rt.on((event) => event.type === "node-error" && errors.push(event));
    try {
      await rt.start();
      const deadline = Date.now() + 15_000;
      while (errors.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Well past several retry periods: a retrying sink would have tried again by now.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const error = errors[0];
      assert.ok(error?.type === "node-error", "no node-error within 15 s");
      assert.equal(error.node, "publish");
      assert.equal(error.code, "webrtc_publish_refused");
      assert.match(
        error.message,
        /refused it with 401 \(check the token in \$STREAMLIB_TEST_WHIP_TOKEN\)/,
      );
      assert.equal(errors.length, 1);
      const stats = rt.stats().nodes.publish.processor;
      assert.equal(stats?.attempts, 1);
      assert.equal(stats?.state, "refused");
    } finally {
      Deno.env.delete("STREAMLIB_TEST_WHIP_TOKEN");
      await rt.stop().catch(() => {});
      await server.stop();
    }
  },
});
