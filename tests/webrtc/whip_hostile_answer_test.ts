/**
 * WhipSink against a hostile WHIP server whose "answer" never ends: the sink reads at most
 * 256 KiB of it, fails that attempt with a message saying so, and tries again later; the
 * server's stream is cancelled, so the process's memory stays bounded.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhipSink } from "../../processors/mod.ts";

Deno.test({
  name: "WhipSink reads at most 256 KiB of an answer and retries, the endless body cancelled",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let sent = 0;
    let cancelled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      async (request) => {
        await request.body?.cancel();
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            sent += chunk.length;
            controller.enqueue(chunk);
          },
          cancel() {
            cancelled++;
          },
        });
        return new Response(body, { status: 201, headers: { "content-type": "application/sdp" } });
      },
    );
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 160, height: 120, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264" });
    const whip = rt.add(WhipSink, {
      url: `http://127.0.0.1:${server.addr.port}/whip`,
      retryMinSeconds: 0.1,
      retryMaxSeconds: 0.2,
    }, { id: "publish" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whip.inputs.video);
    try {
      await rt.start();
      const deadline = Date.now() + 15_000;
      const stats = () => rt.stats().nodes.publish.processor ?? {};
      while (Number(stats().attempts ?? 0) < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(Number(stats().attempts) >= 2, "the sink did not try again within 15 s");
      assert.match(
        String(stats().lastError),
        /answered with more than 262144 bytes, not an SDP answer/,
      );
      assert.notEqual(stats().state, "connected");
      // What the server wrote includes what the sockets buffer between the two (a few MiB on
      // loopback); a sink reading the whole answer would take about 1 GB a second until its
      // 10 s deadline.
      const attempts = Number(stats().attempts);
      assert.ok(sent <= attempts * 16 * 1024 * 1024, `the server sent ${sent} bytes`);
      assert.ok(cancelled >= 1, "the endless answer was never cancelled");
    } finally {
      await rt.stop().catch(() => {});
      await server.shutdown();
    }
  },
});
