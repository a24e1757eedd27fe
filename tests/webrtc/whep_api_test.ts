/**
 * The WHEP endpoint refuses hostile and wrong requests with typed errors and codes: no token,
 * a body that is not SDP, a bad offer, a huge body, an unknown node, a node that is not a
 * WhepSink (or, for WHIP, not a WhipSource), a stopped node, an unknown session.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  createRuntime,
  NullSink,
  TestPattern,
  WhepSink,
  WhipSource,
} from "../../processors/mod.ts";
import { H264Encoder } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { call } from "./api_call.ts";

Deno.test({
  name: "POST /api/v1/whep/:id refuses bad requests with typed errors",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 64, height: 48, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264" });
    rt.add(WhepSink, {}, { id: "live" });
    const sink = rt.add(NullSink, {}, { id: "other" });
    const ingest = rt.add(WhipSource, {}, { id: "ingest" });
    rt.connect(ingest.outputs.video, rt.add(NullSink, {}).inputs.in);
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, rt.node("live").inputs.video);
    rt.connect(pattern.outputs.video, sink.inputs.in);
    const dashboard = await createDashboard(rt);
    const base = `${dashboard.origin}/api/v1/whep`;
    const token = dashboard.token;
    const sdp = "application/sdp";
    try {
      // Not running yet: the node exists but has no endpoint.
      assert.deepEqual(
        await call(`${base}/live`, { method: "POST", token, type: sdp, body: "v=0\r\n" }),
        { status: 503, code: "webrtc_endpoint_unavailable" },
      );
      await rt.start();
      assert.deepEqual(
        await call(`${base}/live`, { method: "POST", type: sdp, body: "v=0\r\n" }),
        { status: 401, code: "missing_token" },
      );
      assert.deepEqual(
        await call(`${base}/live`, { method: "POST", token, type: "application/json", body: "{}" }),
        { status: 415, code: "unsupported_media_type" },
      );
      assert.deepEqual(
        await call(`${base}/live`, { method: "POST", token, type: sdp, body: "hello" }),
        { status: 400, code: "webrtc_invalid_offer" },
      );
      assert.deepEqual(
        await call(`${base}/live`, {
          method: "POST",
          token,
          type: sdp,
          body:
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
        }),
        { status: 400, code: "webrtc_invalid_offer" },
      );
      assert.deepEqual(
        await call(`${base}/live`, {
          method: "POST",
          token,
          type: sdp,
          body: "v=0\r\n" + "a".repeat(200_000),
        }),
        { status: 413, code: "body_too_large" },
      );
      assert.deepEqual(
        await call(`${base}/nobody`, { method: "POST", token, type: sdp, body: "v=0\r\n" }),
        { status: 404, code: "node_not_found" },
      );
      assert.deepEqual(
        await call(`${base}/other`, { method: "POST", token, type: sdp, body: "v=0\r\n" }),
        { status: 422, code: "webrtc_not_endpoint" },
      );
      // WHEP to a WHIP source and WHIP to a WHEP sink.
      assert.deepEqual(
        await call(`${base}/ingest`, { method: "POST", token, type: sdp, body: "v=0\r\n" }),
        { status: 422, code: "webrtc_not_endpoint" },
      );
      assert.deepEqual(
        await call(`${dashboard.origin}/api/v1/whip/live`, {
          method: "POST",
          token,
          type: sdp,
          body: "v=0\r\n",
        }),
        { status: 422, code: "webrtc_not_endpoint" },
      );
      assert.deepEqual(
        await call(`${base}/live/77`, { method: "DELETE", token }),
        { status: 404, code: "webrtc_session_not_found" },
      );
      assert.deepEqual(
        await call(`${base}/live/x`, { method: "DELETE", token }),
        { status: 404, code: "webrtc_session_not_found" },
      );
      assert.deepEqual(
        await call(`${base}/live`, { method: "GET" }),
        { status: 405, code: "method_not_allowed" },
      );
    } finally {
      await dashboard.close();
      await rt.stop();
    }
  },
});

Deno.test({
  name: "POST /api/v1/whep/:id: an offer that does not parse is named by its line, not an address",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 64, height: 48, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264" });
    const whep = rt.add(WhepSink, {}, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    // A real browser's offer (Chromium's), with its video section's a=mid line taken out.
    const chromium = await Deno.readTextFile(
      new URL("../fixtures/webrtc/chromium_whep_offer.sdp", import.meta.url),
    );
    const offers = {
      "line 2: unexpected `h`, expected `o`": "v=0\r\nhello",
      "line 8: media is missing a=mid": chromium.replace("a=mid:0\r\n", ""),
    };
    try {
      for (const [expected, body] of Object.entries(offers)) {
        const response = await fetch(`${dashboard.origin}/api/v1/whep/live`, {
          method: "POST",
          headers: {
            "content-type": "application/sdp",
            authorization: `Bearer ${dashboard.token}`,
          },
          body,
        });
        const { error } = await response.json();
        assert.equal(response.status, 400);
        assert.equal(error.code, "webrtc_invalid_offer");
        assert.ok(error.message.includes(expected), error.message);
        assert.doesNotMatch(error.message, /0x[0-9a-f]{6,}|PointerOffset/i);
      }
    } finally {
      await dashboard.close();
      await rt.stop();
    }
  },
});
