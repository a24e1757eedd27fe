/**
 * The live view route (`/api/v1/live/:node/:port`) refuses wrong requests with typed errors and
 * codes: a stopped runtime, no token, a body that is not SDP, an unknown node, an output that is
 * not encoded video or does not exist, a bad offer, an unknown session. A refused offer leaves
 * no probe behind.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, NullSink, TestPattern } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { call } from "./api_call.ts";

Deno.test({
  name: "POST /api/v1/live/:node/:port refuses bad requests with typed errors",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 64, height: 48, pixelFormat: "I420" }, {
      id: "pattern",
    });
    const encoder = rt.add(H264Encoder, { backend: "openh264" }, { id: "enc" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, rt.add(NullSink, {}).inputs.in);
    const dashboard = await createDashboard(rt);
    const base = `${dashboard.origin}/api/v1/live`;
    const token = dashboard.token;
    const sdp = "application/sdp";
    const post = (path: string, body = "v=0\r\n", type = sdp, withToken = true) =>
      call(`${base}/${path}`, { method: "POST", token: withToken ? token : undefined, type, body });
    try {
      assert.deepEqual(await post("enc/out"), { status: 503, code: "webrtc_endpoint_unavailable" });
      await rt.start();
      assert.deepEqual(await post("enc/out", "v=0\r\n", sdp, false), {
        status: 401,
        code: "missing_token",
      });
      assert.deepEqual(await post("enc/out", "{}", "application/json"), {
        status: 415,
        code: "unsupported_media_type",
      });
      assert.deepEqual(await post("enc/out", "hello"), {
        status: 400,
        code: "webrtc_invalid_offer",
      });
      assert.deepEqual(await post("nobody/out"), { status: 404, code: "node_not_found" });
      assert.deepEqual(await post("pattern/video"), { status: 422, code: "webrtc_not_endpoint" });
      assert.deepEqual(await post("enc/nothing"), { status: 422, code: "webrtc_not_endpoint" });
      assert.deepEqual(
        await post("enc/out", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"),
        { status: 400, code: "webrtc_invalid_offer" },
      );
      assert.deepEqual(
        await call(`${base}/enc/out/77`, { method: "DELETE", token }),
        { status: 404, code: "webrtc_session_not_found" },
      );
      assert.deepEqual(
        await call(`${base}/enc/out/x`, { method: "DELETE", token }),
        { status: 404, code: "webrtc_session_not_found" },
      );
      // A refused first offer leaves no probe (nor endpoint) behind.
      assert.deepEqual(rt.probes().filter((p) => p.port === "enc.out"), []);
    } finally {
      await dashboard.close();
      assert.deepEqual(rt.probes().filter((p) => p.port === "enc.out"), []);
      await rt.stop();
    }
  },
});
