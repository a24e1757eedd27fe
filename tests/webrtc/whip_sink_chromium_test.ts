/// <reference lib="dom" />
/**
 * WhipSink publishing to an independent WebRTC implementation: Chromium answers behind the few
 * lines of HTTP a WHIP endpoint needs (this file). The server refuses the first two offers (503),
 * so the sink retries with backoff; once connected, Chromium plays the test pattern (the box
 * moves). Then the server dies (its peer connection closes): the sink sees the session lost,
 * publishes again, and Chromium plays again; the encoder makes only its first keyframe on its
 * own, so each session starts on a keyframe its request asked for. The graph never stalls, and
 * stopping DELETEs the session's resource.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  createRuntime,
  H264Encoder,
  TestPattern,
  TestToneGenerator,
  WhipSink,
} from "../../processors/mod.ts";
import { boxMoves, launchChromium, within } from "./chromium.ts";
import { answerWhip, killWhipServer } from "./whip_server_page.ts";

const TOKEN = "whip-test-token-0123456789";

/** The WHIP server: POST /whip answers through the page, DELETE /whip/:n ends the session. */
function whipServer(page: Page, refuseFirst: number) {
  const log: string[] = [];
  let posts = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    log.push(`${request.method} ${path}`);
    if (request.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return new Response("token", { status: 401 });
    }
    if (request.method === "POST" && path === "/whip") {
      const offer = await request.text();
      if (++posts <= refuseFirst) return new Response("busy", { status: 503 });
      const answer = await page.evaluate(answerWhip, offer);
      return new Response(answer, {
        status: 201,
        headers: { "content-type": "application/sdp", location: `/whip/${posts}` },
      });
    }
    if (request.method === "DELETE" && path.startsWith("/whip/")) return new Response(null);
    return new Response("no", { status: 404 });
  });
  return { server, log, url: `http://127.0.0.1:${server.addr.port}/whip` };
}

Deno.test({
  name:
    "WhipSink publishes to a WHIP server (Chromium), retries with backoff, reconnects after it dies",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    Deno.env.set("WHIP_TEST_TOKEN", TOKEN);
    const context = await launchChromium();
    const page = await context.newPage();
    await page.goto("about:blank");
    const { server, log, url } = whipServer(page, 2);
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 0 });
    const tone = rt.add(TestToneGenerator, {});
    const whip = rt.add(
      WhipSink,
      { url, tokenEnv: "WHIP_TEST_TOKEN", retryMinSeconds: 0.2, retryMaxSeconds: 2 },
      { id: "publish" },
    );
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whip.inputs.video);
    rt.connect(tone.outputs.audio, whip.inputs.audio);
    type Stats = {
      state: string;
      attempts: number;
      sessions: number;
      lastError: string | null;
      peers: { rttMs: number | null; sendBitrateBps: number; frames: number; plis: number }[];
    };
    const stats = () => rt.stats().nodes.publish.processor as unknown as Stats;
    // Peer events: node-log events with data.peer.
    const peers: { peer: string; at: number }[] = [];
    rt.on((event) => {
      const peer = event.type === "node-log" && event.node === "publish"
        ? (event.data as { peer?: string } | undefined)?.peer
        : undefined;
      if (peer) peers.push({ peer, at: performance.now() });
    });
    const until = (test: () => boolean, ms: number, what: string) =>
      within(
        (async () => {
          while (!test()) await new Promise((resolve) => setTimeout(resolve, 50));
        })(),
        ms,
        what,
      );
    try {
      await rt.start();
      await until(() => stats().state === "connected", 20_000, "the first connected session");
      assert.equal(stats().attempts, 3, JSON.stringify(stats())); // two 503s, then 201
      assert.match(stats().lastError ?? "", /503/);
      await boxMoves(page, "first session");
      // The publishing peer's counters, from RTCP with Chromium (str0m's peer stats, about once
      // a second: the rate needs two reports).
      await until(() => (stats().peers[0]?.sendBitrateBps ?? 0) > 0, 5_000, "a send bit rate");
      const peer = stats().peers[0];
      assert.ok(peer.rttMs !== null && peer.rttMs >= 0 && peer.rttMs < 1000, JSON.stringify(peer));
      assert.ok(peer.frames > 30, JSON.stringify(peer));

      const framesBefore = rt.stats().nodes[encoder.name].framesOut;
      await page.evaluate(killWhipServer);
      const killedAt = performance.now();
      await until(() => peers.some((e) => e.peer === "disconnected"), 10_000, "disconnected");
      const noticedMs = peers.find((e) => e.peer === "disconnected")!.at - killedAt;
      console.log(`WhipSink noticed the server end its session after ${noticedMs.toFixed(0)} ms`);
      assert.ok(noticedMs < 7_500, `noticed after ${noticedMs.toFixed(0)} ms`);
      await until(
        () => stats().sessions === 2 && stats().state === "connected",
        30_000,
        "reconnect",
      );
      await boxMoves(page, "after the server came back");
      // The two 503s are one outage (one retrying); the server answers again at once.
      assert.deepEqual(
        peers.map((e) => e.peer),
        ["retrying", "connected", "disconnected", "reconnected"],
      );
      assert.ok(rt.stats().nodes[encoder.name].framesOut > framesBefore + 30, "the graph ran on");
    } finally {
      await rt.stop();
      await server.shutdown();
      await context.close();
      Deno.env.delete("WHIP_TEST_TOKEN");
    }
    assert.deepEqual(log.filter((l) => l.startsWith("POST")).length, 4, log.join(", "));
    assert.ok(log.includes("DELETE /whip/4"), `stopping ends the resource: ${log.join(", ")}`);
  },
});
